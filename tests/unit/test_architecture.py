"""Rules about where transactions end, checked on the code's syntax trees.

A use case owns its transaction through ``shop.database.transaction()``, and code that
only reads ends its transaction with ``shop.database.end_read()``. Nothing else commits
or rolls back: views, API views and commands call use cases, and no other module
commits or rolls back a session by hand.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "shop"

#: Views, API views (``shop/api/*_views.py``) and command modules.
VIEW_AND_CLI_MODULES = ("*/views.py", "*/*_views.py", "cli.py", "*/cli.py", "*/commands.py")

#: The one module that commits and rolls back.
TRANSACTION_MODULE = "shop/database.py"

Check = Callable[[ast.expr], bool]


def ends_a_transaction(func: ast.expr) -> bool:
    """``anything.commit()`` or ``anything.rollback()``."""
    return isinstance(func, ast.Attribute) and func.attr in ("commit", "rollback")


def ends_a_session_transaction(func: ast.expr) -> bool:
    """``db.session.commit()``, ``session.rollback()`` … and ``commit_or_rollback()``;
    not other objects' commits (a search index writer's)."""
    if isinstance(func, ast.Name | ast.Attribute) and _name(func) == "commit_or_rollback":
        return True
    return ends_a_transaction(func) and (_name(func.value) or "").endswith("session")


def _name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None


def calls(source: str, filename: str, check: Check) -> list[str]:
    """``file:line: call`` for each call in ``source`` whose callee passes ``check``."""
    tree = ast.parse(source, filename=filename)
    found = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and check(node.func)]
    return [f"{filename}:{node.lineno}: {ast.unparse(node.func)}()"
            for node in sorted(found, key=lambda node: (node.lineno, node.col_offset))]


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _modules(patterns: Iterable[str] = ("**/*.py",)) -> list[Path]:
    return sorted({path for pattern in patterns for path in SHOP.glob(pattern)})


def _violations(paths: Iterable[Path], check: Check) -> list[str]:
    found: list[str] = []
    for path in sorted(paths):
        found += calls(path.read_text(encoding="utf-8"), _relative(path), check)
    return found


def test_views_and_commands_never_commit_or_roll_back():
    modules = list(_modules(VIEW_AND_CLI_MODULES))
    assert len(modules) > 20  # the patterns still find the views and commands

    found = _violations(modules, ends_a_transaction)
    assert not found, "views and commands call a use case, whose transaction() commits or rolls back:\n" + "\n".join(
        found)


def test_only_shop_database_commits_or_rolls_back_a_session():
    modules = [path for path in _modules() if _relative(path) != TRANSACTION_MODULE]

    found = _violations(modules, ends_a_session_transaction)
    assert not found, "use `with transaction():` (code that only read: end_read()) instead of:\n" + "\n".join(found)


def test_the_checks_find_what_they_look_for():
    source = "\n".join([
        "db.session.commit()",
        "session.rollback()",
        "self.session.commit()",
        "commit_or_rollback()",
        "database.commit_or_rollback()",
        "writer.commit()",
        "db.session.flush()",
    ])

    assert calls(source, "x.py", ends_a_session_transaction) == [
        "x.py:1: db.session.commit()", "x.py:2: session.rollback()", "x.py:3: self.session.commit()",
        "x.py:4: commit_or_rollback()", "x.py:5: database.commit_or_rollback()",
    ]
    assert calls(source, "x.py", ends_a_transaction) == [
        "x.py:1: db.session.commit()", "x.py:2: session.rollback()", "x.py:3: self.session.commit()",
        "x.py:6: writer.commit()",
    ]
