"""The Whoosh schema for products, and how a product becomes a search document.

Text fields hold both languages (a Thai shopper and an English one search the same
document). ``spell`` holds the unstemmed words of names, tags and categories: it is the
lexicon for "did you mean" and for type-ahead completions.
Facets and sort keys live in column-only fields (fixed-width numbers per document)
that ``engine.py`` reads as whole arrays; nothing is filtered through Whoosh queries.

Only visible products are indexed (live, of an approved enterprise): the index cannot
return a draft because a draft is never in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema
from whoosh.formats import Existence

from shop.search.analysis import CompoundAnalyzer, RomanAnalyzer, text_analyzer, word_analyzer

#: Bumped whenever the schema or the document shape changes; a mismatch makes
#: ``flask search reindex --if-missing`` rebuild and ``/healthz`` report it.
SCHEMA_VERSION = 2

# Field boosts for BM25F: a word in the name counts most, the description least.
FIELD_BOOSTS: dict[str, float] = {
    "name": 4.0,
    "tags": 2.5,
    "category": 2.0,
    "enterprise": 1.5,
    "place": 1.5,
    "certs": 1.5,
    "description": 1.0,
}
TEXT_FIELDS = tuple(FIELD_BOOSTS)

#: Where a query word may match. The category name is left out: "tea" must not match
#: every product of "Coffee & tea"; it only adds to the score of a product found
#: otherwise. ``sub`` holds the parts of compound words of names and tags (and their
#: tone-less spellings), ``roman`` their romanised keys (matched by Latin words only).
MATCH_FIELDS = ("name", "tags", "sub", "enterprise", "place", "certs", "description")

#: Field weights for ranking (see engine.score_partitions): name > tags > category >
#: description; a part of a compound word or a romanised name counts a little less
#: than the whole word.
SCORE_WEIGHTS: dict[str, float] = {
    "name": 4.0,
    "roman": 3.0,
    "tags": 2.5,
    "sub": 2.0,
    "category": 1.5,
    "enterprise": 1.2,
    "place": 1.2,
    "certs": 1.2,
    "description": 1.0,
}

# Column typecodes are ones whose struct size equals the array module's item size on
# every platform we run on, so engine.py can load a column with ``array.frombytes``.
COLUMN_TYPES: dict[str, str] = {
    "pid": "i",
    "category_id": "i",
    "province": "H",
    "cert_mask": "I",
    "price": "i",
    "wholesale": "B",
    "created": "I",
    "sales": "i",
}


def _lexicon_field() -> TEXT:
    # Only which words exist matters here (spelling, completions), never a score:
    # presence-only postings and no per-document lengths make indexing cheaper.
    field = TEXT(analyzer=word_analyzer(), phrase=False)
    field.format = Existence(field_boost=1.0)
    field.scorable = False
    return field


def build_schema() -> Schema:
    text = text_analyzer()
    fields = {
        "id": ID(stored=True, unique=True),
        "enterprise_id": ID(),
        "category_ref": ID(),
        "spell": _lexicon_field(),
        "name_th": STORED(),
        "name_en": STORED(),
        "slug": STORED(),
    }
    for name, boost in FIELD_BOOSTS.items():
        fields[name] = TEXT(analyzer=text, phrase=False, field_boost=boost)
    fields["sub"] = TEXT(analyzer=CompoundAnalyzer(), phrase=False, field_boost=2.0)
    fields["roman"] = TEXT(analyzer=RomanAnalyzer(), phrase=False, field_boost=3.0)
    for name, typecode in COLUMN_TYPES.items():
        fields[name] = COLUMN(NumericColumn(typecode, default=0))
    return Schema(**fields)


@dataclass(frozen=True)
class ProductFacts:
    """What the index needs to know about one product, read from the database."""

    id: int
    slug: str
    enterprise_id: int
    category_id: int
    name_th: str
    name_en: str | None
    summary_th: str | None
    summary_en: str | None
    description_th: str | None
    description_en: str | None
    tags: tuple[str, ...]
    category_names: tuple[str, ...]
    enterprise_names: tuple[str, ...]
    place_names: tuple[str, ...]
    province_code: str
    cert_kinds: tuple[str, ...]
    cert_labels: tuple[str, ...]
    price_satang: int
    has_wholesale: bool
    created: datetime | None
    sales_count: int


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def cert_mask(kinds, bits: dict[str, int]) -> int:
    mask = 0
    for kind in kinds:
        bit = bits.get(kind)
        if bit is not None:
            mask |= 1 << bit
    return mask


def product_document(facts: ProductFacts, cert_bits: dict[str, int]) -> dict:
    """The Whoosh document for one visible product."""
    names = _join(facts.name_th, facts.name_en)
    tags = _join(*facts.tags)
    category = _join(*facts.category_names)
    enterprise = _join(*facts.enterprise_names)
    place = _join(*facts.place_names)
    return {
        "id": str(facts.id),
        "enterprise_id": str(facts.enterprise_id),
        "category_ref": str(facts.category_id),
        "name": names,
        "tags": tags,
        "category": category,
        "enterprise": enterprise,
        "place": place,
        "certs": _join(*facts.cert_labels),
        "description": _join(facts.summary_th, facts.summary_en, facts.description_th, facts.description_en),
        "spell": _join(names, tags, category),
        "sub": _join(names, tags),
        "roman": _join(facts.name_th, tags),
        "name_th": facts.name_th,
        "name_en": facts.name_en or "",
        "slug": facts.slug,
        "pid": facts.id,
        "category_id": facts.category_id,
        "province": int(facts.province_code) if (facts.province_code or "").isdigit() else 0,
        "cert_mask": cert_mask(facts.cert_kinds, cert_bits),
        "price": max(0, min(int(facts.price_satang or 0), 2**31 - 1)),
        "wholesale": 1 if facts.has_wholesale else 0,
        "created": int(facts.created.timestamp()) if facts.created else 0,
        "sales": max(0, min(int(facts.sales_count or 0), 2**31 - 1)),
    }
