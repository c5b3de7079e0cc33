"""Results of kinds other than products on the search page (docs/search.md, Other
kinds): community experiences today, supplied by the area above through the hook
``other_kinds``, so search never imports it.

They are few (tens, not 100,000), and what a shopper filters them by (the days of
their sessions, seats left) changes with every booking, so they are matched here, in
memory, against their current text read by the supplying area, rather than indexed in
the Whoosh index, whose relevance (idf over products) and benchmark they would shift.
The matching uses the index's own pieces, so a word is found the same way: the query
plan (``query.build_plan``: the lexicon's synonyms, compound parts, romanised keys,
optional filler and place words), and the fields' analyzers (Thai word cutting,
English stemming, the parts of compound words and their tone-less spellings, roman
keys). Each match is scored like a product: per slot, the weight of the best field it
is found in (``schema.SCORE_WEIGHTS``), optional slots a third.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from shop.hooks import Hook
from shop.search.analysis import CompoundAnalyzer, RomanAnalyzer, text_analyzer
from shop.search.query import ROMAN, QueryPlan
from shop.search.schema import SCORE_WEIGHTS

#: ``(KindQuery) -> KindResults | None``: an area's matches for the search page.
other_kinds = Hook("search.other_kinds")

PRODUCTS = "product"
EXPERIENCES = "experience"
KINDS = (PRODUCTS, EXPERIENCES)
KIND_LABELS = {PRODUCTS: _l("Products"), EXPERIENCES: _l("Experiences")}
#: Named windows of days for ``when``; the supplying area decides which days they are.
WINDOWS = ("this_weekend", "next_7_days")
WINDOW_LABELS = {"this_weekend": _l("This weekend"), "next_7_days": _l("Next 7 days")}
OPTIONAL_FACTOR = 1 / 3
#: How many matches of another kind the page shows.
SHOWN = 12


@dataclass(frozen=True)
class KindQuery:
    plan: QueryPlan
    when: str | None  # one of WINDOWS
    day: date | None
    province_code: str | None
    locale: str


@dataclass
class KindResults:
    kind: str
    label: str
    total: int
    hits: list  # what ``template`` draws, best first
    template: str  # included by the results page with ``hits``


@dataclass(frozen=True)
class TextDocument:
    """A document's tokens per field, as the index's analyzers cut them."""

    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _tokens(analyzer, text: str) -> frozenset[str]:
    return frozenset(token.text for token in analyzer(text or ""))


def text_document(*, name: Sequence[str | None], place: Sequence[str | None] = (),
                  enterprise: Sequence[str | None] = (), description: Sequence[str | None] = ()) -> TextDocument:
    """Tokens for the match fields of one document: its names (both languages),
    places, maker's names and description; the parts and roman keys of its names, as a
    product's name gets them."""
    def joined(parts) -> str:
        return "\n".join(p for p in parts if p)

    text = text_analyzer()
    names = joined(name)
    return TextDocument({
        "name": _tokens(text, names),
        "sub": _tokens(CompoundAnalyzer(), names),
        "roman": _tokens(RomanAnalyzer(), joined(name[:1])),
        "enterprise": _tokens(text, joined(enterprise)),
        "place": _tokens(text, joined(place)),
        "description": _tokens(text, joined(description)),
    })


_FIELDS_BY_WEIGHT = sorted((f for f in SCORE_WEIGHTS if f in ("name", "sub", "roman", "enterprise", "place",
                                                                "description")),
                           key=lambda f: -SCORE_WEIGHTS[f])


def _token_weight(token: str, document: TextDocument) -> float:
    if token.startswith(ROMAN):
        return SCORE_WEIGHTS["roman"] if token[1:] in document.fields.get("roman", frozenset()) else 0.0
    for name in _FIELDS_BY_WEIGHT:
        if name != "roman" and token in document.fields.get(name, frozenset()):
            return SCORE_WEIGHTS[name]
    return 0.0


def _alternative_weight(alternative: tuple[str, ...], document: TextDocument) -> float:
    """0 unless every token of the alternative is in one of the match fields (as the
    index matches a slot); then the weight of its weakest token's best field."""
    weights = [_token_weight(token, document) for token in alternative]
    return min(weights) if weights and all(weights) else 0.0


def match(plan: QueryPlan, documents: Mapping[Hashable, TextDocument]) -> list[tuple[Hashable, float]]:
    """The documents matching every required slot of the plan (any slot when all are
    optional), best first, ties in the order given; every document for an empty plan.

    A slot's romanised alternative counts only when none of the documents has the
    slot's word itself ("tea" is English, not a Thai word spelt out), as the index does
    with its own words."""
    if plan.is_empty:
        return [(key, 0.0) for key in documents]
    slots = []
    for slot in plan.slots:
        plain = [a for a in slot.alternatives if not (a and a[0].startswith(ROMAN))]
        known = any(_alternative_weight(a, d) for a in plain for d in documents.values())
        slots.append((slot, plain if known else list(slot.alternatives)))
    required = [i for i, (slot, _alts) in enumerate(slots) if not slot.optional]
    found = []
    for position, (key, document) in enumerate(documents.items()):
        weights = [max((_alternative_weight(a, document) for a in alternatives), default=0.0)
                   for _slot, alternatives in slots]
        if required:
            if not all(weights[i] for i in required):
                continue
        elif not any(weights):
            continue
        score = sum(w * (OPTIONAL_FACTOR if slot.optional else 1.0) for (slot, _a), w in zip(slots, weights,
                                                                                               strict=True))
        found.append((-score, position, key))
    found.sort(key=lambda item: (item[0], item[1]))
    return [(key, -negative) for negative, _position, key in found]
