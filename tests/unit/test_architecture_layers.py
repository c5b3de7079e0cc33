"""The import contracts of pyproject.toml ([tool.importlinter]): the areas import
downwards only, and no package's modules import each other in a cycle
(docs/architecture.md: Layers). ``make test`` runs ``lint-imports`` too; this runs it in
a plain pytest run as well."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.contracts.layers import LayersContract

import shop

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _configuration() -> dict:
    return api.read_configuration(str(ROOT / "pyproject.toml"))


def _layers_options() -> dict:
    (options,) = [c for c in _configuration()["contracts_options"] if c["type"] == "layers"]
    return options


def _layered_modules() -> set[str]:
    return {name.strip() for layer in _layers_options()["layers"] for name in layer.split("|")}


def test_lint_imports_keeps_every_contract():
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_module_of_shop_is_in_a_layer():
    # A new area or cross-cutting module must say where it sits, or nothing checks it.
    modules = {f"shop.{info.name}" for info in pkgutil.iter_modules(shop.__path__)}
    assert modules == _layered_modules()


@pytest.fixture(scope="module")
def graph():
    session = _configuration()["session_options"]
    assert str(session["exclude_type_checking_imports"]).lower() == "true"
    return grimp.build_graph("shop", cache_dir=None, exclude_type_checking_imports=True)


def _layers_kept(graph) -> bool:
    contract = LayersContract(name="layers", session_options={"root_packages": ["shop"]},
                              contract_options=_layers_options())
    return contract.check(graph, verbose=False).kept


@pytest.mark.parametrize("importer, imported", [
    ("shop.orders.services", "shop.payments.models"),  # an area importing one above it
    ("shop.text", "shop.catalog.models"),  # a cross-cutting module importing an area
    ("shop.api.catalog_views", "shop.admin.views"),  # two siblings that must not know each other
])
def test_an_import_against_the_layers_breaks_the_contract(graph, importer, imported):
    assert _layers_kept(graph)
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    try:
        assert not _layers_kept(graph)
    finally:
        graph.remove_import(importer=importer, imported=imported)
