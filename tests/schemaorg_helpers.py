"""A small schema.org validator for the shop's JSON-LD, on the vocabulary file that the
``schemaorg`` package ships (``schemaorg-current-https.jsonld``, read offline).

``validate(node)`` returns a list of problems (empty when valid): every ``@type`` is a
schema.org type; every property is a schema.org property whose ``domainIncludes``
holds the node's type or one of its ancestors (following ``subClassOf``); a nested
typed node fits the property's ``rangeIncludes``; an enumeration value written as a
URL (``https://schema.org/InStock``) is a member of an enumeration the property
accepts. ``google_product_problems`` adds Google's required properties for Product
rich results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

VOCABULARY = ("schemaorg", "data/releases/12.0/schemaorg-current-https.jsonld")
PREFIX = "https://schema.org/"
DATA_TYPES = {"Text", "URL", "Number", "Integer", "Float", "Boolean", "Date", "DateTime", "Time", "DataType"}


@dataclass
class Vocabulary:
    parents: dict[str, set[str]] = field(default_factory=dict)  # type -> direct superclasses
    domains: dict[str, set[str]] = field(default_factory=dict)  # property -> domainIncludes
    ranges: dict[str, set[str]] = field(default_factory=dict)  # property -> rangeIncludes
    members: dict[str, set[str]] = field(default_factory=dict)  # enumeration member -> its types

    def ancestors(self, name: str) -> set[str]:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self.parents.get(current, ()))
        return seen


def _ids(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return {item["@id"].removeprefix("schema:") for item in items if isinstance(item, dict)}


@cache
def vocabulary() -> Vocabulary:
    package, path = VOCABULARY
    graph = json.loads(resources.files(package).joinpath(path).read_text(encoding="utf-8"))["@graph"]
    vocab = Vocabulary()
    for node in graph:
        name = node["@id"].removeprefix("schema:")
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdfs:Class" in kinds:
            vocab.parents[name] = _ids(node.get("rdfs:subClassOf"))
        elif "rdf:Property" in kinds:
            vocab.domains[name] = _ids(node.get("schema:domainIncludes"))
            vocab.ranges[name] = _ids(node.get("schema:rangeIncludes"))
        else:
            vocab.members[name] = {k.removeprefix("schema:") for k in kinds}
    return vocab


def _types(node: dict) -> list[str]:
    value = node.get("@type")
    return value if isinstance(value, list) else [value]


def validate(node: Any, where: str = "$") -> list[str]:
    vocab = vocabulary()
    problems: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            problems += validate(item, f"{where}[{i}]")
        return problems
    if not isinstance(node, dict):
        return problems
    types = _types(node)
    for name in types:
        if name not in vocab.parents:
            problems.append(f"{where}: unknown type {name!r}")
    lineage = set().union(*(vocab.ancestors(t) for t in types if t in vocab.parents)) if types else set()
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key.endswith(("-input", "-output")):
            # Action annotations (schema.org: Action, "query-input"): a property name
            # with the suffix, valued by a PropertyValueSpecification shorthand.
            base = key.rsplit("-", 1)[0]
            if base not in vocab.domains and "SearchAction" not in lineage:
                problems.append(f"{where}.{key}: unknown annotated property")
            continue
        if key not in vocab.domains:
            problems.append(f"{where}.{key}: unknown property")
            continue
        if not (vocab.domains[key] & lineage):
            problems.append(f"{where}.{key}: not a property of {'/'.join(types)}")
        accepted = set().union(*(vocab.ancestors(r) for r in vocab.ranges[key])) | vocab.ranges[key]
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and "@type" in item:
                item_lineage = set().union(*(vocab.ancestors(t) for t in _types(item) if t in vocab.parents))
                if not (item_lineage & vocab.ranges[key]):
                    problems.append(f"{where}.{key}: a {_types(item)} is not one of {sorted(vocab.ranges[key])}")
            elif isinstance(item, str) and item.startswith(PREFIX) and item.removeprefix(PREFIX) in vocab.members:
                member_types = vocab.members[item.removeprefix(PREFIX)]
                if not (member_types & accepted) and not (accepted & {"Text", "URL"}):
                    problems.append(f"{where}.{key}: {item} is not one of {sorted(vocab.ranges[key])}")
            elif isinstance(item, str) and item.startswith(PREFIX):
                problems.append(f"{where}.{key}: unknown schema.org value {item}")
        problems += validate(value, f"{where}.{key}")
    return problems


def google_product_problems(product: dict) -> list[str]:
    """Google's required properties for a Product rich result (and for each Offer)."""
    problems = []
    if not product.get("name"):
        problems.append("Product: name is required")
    if not any(product.get(key) for key in ("offers", "review", "aggregateRating")):
        problems.append("Product: one of offers, review or aggregateRating is required")
    offers = product.get("offers") or []
    for offer in offers if isinstance(offers, list) else [offers]:
        for key in ("price", "priceCurrency"):
            if offer.get(key) in (None, ""):
                problems.append(f"Offer: {key} is required")
    rating = product.get("aggregateRating")
    if rating and not (rating.get("ratingValue") is not None and (rating.get("ratingCount") or rating.get("reviewCount"))):
        problems.append("AggregateRating: ratingValue and ratingCount are required")
    return problems
