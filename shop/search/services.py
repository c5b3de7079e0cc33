"""Search use cases: the results page (``search``) and type-ahead (``suggest``).

Views pass the raw query-string values; these functions validate them (a clear 400
for a bad value, never a 500), run the query through ``engine`` and load the page's
products from the database in one query, re-checking the visibility rule so a stale
index can never show a hidden product.

Facet parameters: ``category`` (category slug; includes its subcategories),
``province`` (province slug), ``cert`` (certification code), ``price`` (band code)
and ``wholesale=1``; ``sort`` is relevance, price_asc, price_desc, newest or
bestselling; ``page`` from 1. Unknown parameters are ignored; a known one with a
value we do not have is refused with a 400 naming it.
"""

from __future__ import annotations

import bisect
import math
import socket
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import bindparam, func, select

from shop import dbtypes
from shop.catalog import services as catalog_services
from shop.catalog import status as catalog_status
from shop.catalog.certifications import KINDS
from shop.catalog.models import Category, Enterprise, Product, ProductPhoto, ProductTag, Variant
from shop.catalog.services import (
    SORT_BESTSELLING,
    SORT_NEWEST,
    SORT_PRICE_ASC,
    SORT_PRICE_DESC,
    visible_product_condition,
)
from shop.errors import DomainError
from shop.extensions import db
from shop.geo import province_by_code, province_by_slug
from shop.i18n import BANGKOK
from shop.money import format_baht
from shop.page_cache import catalogue_generation
from shop.search import engine, kinds
from shop.search import suggest as suggest_mod
from shop.search.analysis import fold_thai, roman_key, stem_english
from shop.search.highlight import highlight
from shop.search.index import IndexUnavailable
from shop.search.indexer import ensure_thread, state_for
from shop.search.query import (
    FILLER_WORDS,
    MAX_RAW_QUERY_CHARS,
    QueryPlan,
    build_plan,
    correct_query,
    fold_segment,
    query_words,
)
from shop.search.schema import MATCH_FIELDS
from shop.search.source import CERT_BITS
from shop.thai import is_thai

PER_PAGE = 24
MAX_PAGE = 200
SUGGEST_LIMIT = 8

# The storefront's sort orders, with relevance first.
SORT_RELEVANCE = "relevance"
SORT_LABELS = {SORT_RELEVANCE: _l("Best match"), **catalog_services.SORT_LABELS}
_SORT_KEYS = {
    SORT_PRICE_ASC: "price",
    SORT_PRICE_DESC: "-price",
    SORT_NEWEST: "-created",
    SORT_BESTSELLING: "-sales",
}


@dataclass(frozen=True)
class PriceBand:
    code: str
    low: int  # satang, inclusive
    high: int | None  # satang, exclusive

    def label(self, locale: str) -> str:
        if self.low == 0 and self.high is not None:
            return _("Under %(amount)s", amount=format_baht(self.high, locale))
        if self.high is None:
            return _("%(amount)s and over", amount=format_baht(self.low, locale))
        return _("%(low)s – %(high)s", low=format_baht(self.low, locale), high=format_baht(self.high, locale))


PRICE_BANDS: tuple[PriceBand, ...] = (
    PriceBand("under-100", 0, 10_000),
    PriceBand("100-300", 10_000, 30_000),
    PriceBand("300-1000", 30_000, 100_000),
    PriceBand("over-1000", 100_000, None),
)
_BAND_EDGES = [band.low for band in PRICE_BANDS[1:]]
_BAND_BY_CODE = {band.code: i for i, band in enumerate(PRICE_BANDS)}


def price_band_index(satang: int) -> int:
    return bisect.bisect_right(_BAND_EDGES, satang)


class BadSearchRequest(DomainError):
    status_code = 400
    code = "bad_request"


# --- parameters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    category: str | None = None
    province: str | None = None
    cert: str | None = None
    price: str | None = None
    wholesale: bool = False
    sort: str = SORT_RELEVANCE
    page: int = 1
    # Other kinds (``kinds.py``): only one kind, and the days of experiences' sessions.
    kind: str | None = None
    when: str | None = None
    day: str | None = None

    def filters(self) -> dict[str, str]:
        out = {}
        for name in ("category", "province", "cert", "price"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.wholesale:
            out["wholesale"] = "1"
        for name in ("kind", "when", "day"):
            value = getattr(self, name)
            if value:
                out[name] = value
        return out

    @property
    def experiences_only(self) -> bool:
        """The page shows experiences alone: chosen as the kind, or a day filter (days
        are the sessions')."""
        return self.kind == kinds.EXPERIENCES or bool(self.when or self.day)


def _one(args: Mapping, name: str) -> str | None:
    getter = getattr(args, "getlist", None)
    values = getter(name) if getter else ([args[name]] if name in args else [])
    values = [v for v in values if v is not None and str(v).strip() != ""]
    if len(values) > 1:
        raise BadSearchRequest(_l("Give the %(name)s filter only once.", name=name))
    return str(values[0]).strip() if values else None


_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def parse_params(args: Mapping) -> SearchParams:
    """Validate the query string; a known parameter with a bad value is a 400."""
    q = _one(args, "q") or ""
    if len(q) > MAX_RAW_QUERY_CHARS:
        raise BadSearchRequest(_l("That search is too long. Please use fewer words."))
    category = _one(args, "category")
    if category is not None and (len(category) > 80 or not set(category.lower()) <= _SLUG_CHARS):
        raise BadSearchRequest(_l("We do not have that category."))
    province = _one(args, "province")
    if province is not None and province_by_slug(province.lower()) is None:
        raise BadSearchRequest(_l("We do not know that province."))
    cert = _one(args, "cert")
    if cert is not None and cert.lower() not in KINDS:
        raise BadSearchRequest(_l("We do not know that certification."))
    price = _one(args, "price")
    if price is not None and price.lower() not in _BAND_BY_CODE:
        raise BadSearchRequest(_l("Choose one of the price ranges shown."))
    wholesale_raw = _one(args, "wholesale")
    if wholesale_raw is not None and wholesale_raw not in ("0", "1"):
        raise BadSearchRequest(_l("The wholesale filter is 1 (on) or 0 (off)."))
    sort = (_one(args, "sort") or SORT_RELEVANCE).lower()
    if sort not in SORT_LABELS:
        raise BadSearchRequest(_l("We cannot sort results that way."))
    kind = _one(args, "kind")
    if kind is not None and kind.lower() not in kinds.KINDS:
        raise BadSearchRequest(_l("Choose products or experiences."))
    when = _one(args, "when")
    if when is not None and when.lower() not in kinds.WINDOWS:
        raise BadSearchRequest(_l("Choose this weekend or the next 7 days."))
    day = _one(args, "day")
    if day is not None:
        try:
            if len(day) != 10:
                raise ValueError(day)
            date.fromisoformat(day)
        except ValueError:
            raise BadSearchRequest(_l("Enter a date as YYYY-MM-DD, e.g. 2026-12-24.")) from None
        if when is not None:
            raise BadSearchRequest(_l("Choose a day or a window of days, not both."))
    page_raw = _one(args, "page") or "1"
    if not page_raw.isascii() or not page_raw.isdigit() or not 1 <= int(page_raw) <= MAX_PAGE:
        raise BadSearchRequest(_l("The page number must be a whole number from 1 to %(max)s.", max=MAX_PAGE))
    return SearchParams(
        q=q,
        category=category.lower() if category else None,
        province=province.lower() if province else None,
        cert=cert.lower() if cert else None,
        price=price.lower() if price else None,
        wholesale=wholesale_raw == "1",
        sort=sort,
        page=int(page_raw),
        kind=kind.lower() if kind else None,
        when=when.lower() if when else None,
        day=day,
    )


# --- results ------------------------------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]

    @property
    def selected(self) -> FacetOption | None:
        return next((o for o in self.options if o.selected), None)


@dataclass
class SearchHit:
    product: SearchCard
    name_html: Markup
    snippet_html: Markup | None


@dataclass
class SearchPage:
    params: SearchParams
    query: str = ""
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    facets: list[Facet] = field(default_factory=list)
    relaxed: bool = False  # no product had every word; showing those with some
    corrected_from: str | None = None  # showing results for a corrected query
    did_you_mean: str | None = None
    truncated: bool = False
    unavailable: bool = False
    popular_categories: list[FacetOption] = field(default_factory=list)
    popular_searches: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    # Other kinds (``kinds.py``): their matches, and the kind facet over them and products.
    others: list = field(default_factory=list)
    kind_facet: Facet | None = None

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, math.ceil(self.total / self.per_page)))

    @property
    def number(self) -> int:  # the name ``shop.pagination.Page`` and the page links use
        return self.page

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0


def _cache(opened=None) -> engine.SegmentCache:
    """This process's segment cache; when the index generation changed, data of segments
    that were merged away is dropped."""
    state = state_for(current_app)
    cache = getattr(state, "segment_cache", None)
    if cache is None:
        cache = state.segment_cache = engine.SegmentCache()  # type: ignore[attr-defined]
    if opened is not None and getattr(state, "segment_cache_key", None) != opened.key:
        cache.retain(data.segment_id for _reader, _offset, data in engine.leaves_for(opened.searcher, cache))
        state.segment_cache_key = opened.key  # type: ignore[attr-defined]
    return cache


@dataclass
class _Categories:
    by_id: dict[int, Category]
    by_slug: dict[str, Category]
    children: dict[int, list[int]]

    def with_descendants(self, category_id: int) -> set[int]:
        return set(catalog_services.category_ids_with_descendants(category_id, self.by_id.values()))


_categories_lock = threading.Lock()
_categories_cache: dict[tuple, tuple[float, _Categories]] = {}
CATEGORIES_TTL_SECONDS = 30


def _categories() -> _Categories:
    """All categories (a few dozen rows), kept for 30 s per process, and only while the
    catalogue generation stays the same when the page cache is on (a renamed category
    must not be drawn on a page stored under the generation that renamed it)."""
    key = (str(db.engine.url), catalogue_generation())
    now = time.monotonic()
    with _categories_lock:
        cached = _categories_cache.get(key)
        if cached and now - cached[0] < CATEGORIES_TTL_SECONDS and current_app.config["TESTING"] is not True:
            return cached[1]
    categories = list(db.session.scalars(select(Category)))
    for category in categories:
        db.session.expunge(category)
    children: dict[int, list[int]] = {}
    for c in categories:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c.id)
    found = _Categories({c.id: c for c in categories}, {c.slug: c for c in categories}, children)
    with _categories_lock:
        _categories_cache.clear()  # one entry: older generations are not read again
        _categories_cache[key] = (now, found)
    return found


def _match(searcher, cache, plan: QueryPlan, *, any_slot: bool = False) -> list[engine.Leaf]:
    leaves = []
    for reader, offset, data in engine.leaves_for(searcher, cache):
        docs = engine.match_leaf(cache, reader, data, plan, any_slot=any_slot)
        leaves.append(engine.Leaf(reader, offset, data, docs))
    return leaves


def _total(leaves: list[engine.Leaf]) -> int:
    return sum(leaf.size for leaf in leaves)


class _Lexicon:
    """``known``, ``suggest`` and ``fold_lookup`` for the spelling corrector, over the
    ``spell`` field (and the parts of compounds and the other text for ``known``)."""

    def __init__(self, searcher, cache: engine.SegmentCache | None = None):
        self.reader = searcher.reader()
        self.corrector = searcher.corrector("spell")
        self.cache = cache

    def _df(self, field: str, word: str) -> int:
        try:
            return self.reader.doc_frequency(field, word)
        except Exception:  # a word the field cannot encode
            return 0

    def known(self, word: str) -> bool:
        word = word.lower()
        if self._df("spell", word) or self._df("sub", word):
            return True
        term = stem_english(word) if word.isascii() and word.isalpha() and len(word) >= 3 else word
        if any(self._df(f, term) for f in ("description", "place", "enterprise", "certs")):
            return True
        return word.isascii() and word.isalpha() and bool(self._df("roman", roman_key(word)))

    def folded_words(self) -> dict[str, str]:
        """Tone-less spelling → word, for every Thai word of names, tags and categories
        (the most frequent word wins), built once per index generation."""
        key = ("folded", self.reader.generation() if hasattr(self.reader, "generation") else 0,
               self.reader.doc_count_all())
        holder = getattr(self.cache, "lexicon_extra", None) if self.cache is not None else None
        if holder and holder[0] == key:
            return holder[1]
        best: dict[str, tuple[int, str]] = {}
        for term, info in self.reader.iter_field("spell"):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            if not is_thai(word):
                continue
            folded = fold_thai(word)
            df = info.doc_frequency()
            if folded not in best or best[folded][0] < df:
                best[folded] = (df, word)
        found = {folded: word for folded, (_df, word) in best.items()}
        if self.cache is not None:
            self.cache.lexicon_extra = (key, found)
        return found

    def fold_lookup(self, run: str) -> str | None:
        return fold_segment(run, self.folded_words())

    def sound_lookup(self, word: str) -> str | None:
        """The indexed Latin word with the same roman key as ``word`` (mangostine →
        mangosteen), when there is one; built once per index generation."""
        key = ("sounds", self.reader.generation() if hasattr(self.reader, "generation") else 0,
               self.reader.doc_count_all())
        holder = getattr(self.cache, "sounds", None) if self.cache is not None else None
        if holder and holder[0] == key:
            table = holder[1]
        else:
            best: dict[str, tuple[int, str]] = {}
            for term, info in self.reader.iter_field("spell"):
                latin = term.decode("utf-8") if isinstance(term, bytes) else term
                if len(latin) < 4 or not latin.isascii() or not latin.isalpha():
                    continue
                sound = roman_key(latin)
                df = info.doc_frequency()
                if len(sound) >= 4 and (sound not in best or best[sound][0] < df):
                    best[sound] = (df, latin)
            table = {sound: latin for sound, (_df, latin) in best.items()}
            if self.cache is not None:
                self.cache.sounds = (key, table)
        if not word.isascii() or not word.isalpha():
            return None
        return table.get(roman_key(word))

    def suggest(self, word: str, maxdist: int) -> str | None:
        found = self.corrector.suggest(word.lower(), limit=1, maxdist=maxdist, prefix=1)
        return found[0] if found else None


def _build_filters(params: SearchParams, categories: _Categories) -> dict[str, engine.FacetFilter]:
    filters: dict[str, engine.FacetFilter] = {}
    if params.category:
        category = categories.by_slug.get(params.category)
        ids = categories.with_descendants(category.id) if category else set()
        filters["category"] = engine.FacetFilter("category", "category_id", frozenset(ids))
    if params.province:
        province = province_by_slug(params.province)
        filters["province"] = engine.FacetFilter("province", "province",
                                                 frozenset({int(province.code)} if province else ()))
    if params.cert:
        filters["cert"] = engine.FacetFilter("cert", "cert_mask", frozenset({CERT_BITS[params.cert]}))
    if params.price:
        filters["price"] = engine.FacetFilter("price", "price_band", frozenset({_BAND_BY_CODE[params.price]}))
    if params.wholesale:
        filters["wholesale"] = engine.FacetFilter("wholesale", "wholesale", frozenset({1}))
    return filters


#: The column each facet counts.
FACET_COLUMNS = {
    "category": "category_id",
    "province": "province",
    "cert": "cert_mask",
    "price": "price_band",
    "wholesale": "wholesale",
}


def _count_facets(leaves: list[engine.Leaf], filters: dict[str, engine.FacetFilter]
                  ) -> tuple[list[engine.Leaf], dict[str, Counter]]:
    """Apply the filters, and count each facet over the results of the *other* filters
    (so choosing a province still shows how many results each other province has)."""
    filtered: list[engine.Leaf] = []
    counts: dict[str, Counter] = {name: Counter() for name in FACET_COLUMNS}
    for leaf in leaves:
        data = leaf.data
        passing = {name: f.bits(data) for name, f in filters.items()}

        def others(excluded: str | None, passing=passing, leaf=leaf) -> int:
            docs = leaf.docs
            for name, bits in passing.items():
                if name != excluded:
                    docs &= bits
            return docs

        final = others(None)
        filtered.append(engine.Leaf(leaf.reader, leaf.offset, data, final))
        for name, column in FACET_COLUMNS.items():
            counts[name] += engine.count_facet(data, column, others(name) if name in filters else final)
    return filtered, counts


def _facet_options(counts: dict[str, Counter], params: SearchParams, categories: _Categories,
                   locale: str) -> list[Facet]:
    facets: list[Facet] = []
    # Categories: each with its own count, plus parents counting their children.
    category_counts: Counter = Counter()
    for cid, n in counts["category"].items():
        category = categories.by_id.get(cid)
        seen = set()
        while category is not None and category.id not in seen:
            seen.add(category.id)
            category_counts[category.id] += n
            category = categories.by_id.get(category.parent_id) if category.parent_id else None
    options = [
        FacetOption(c.slug, c.t("name", locale), category_counts[c.id], c.slug == params.category)
        for c in categories.by_id.values() if category_counts[c.id] or c.slug == params.category
    ]
    options.sort(key=lambda o: (-o.count, o.label))
    facets.append(Facet("category", str(_l("Category")), options))

    options = []
    for code, n in counts["province"].items():
        province = province_by_code(f"{code:02d}")
        if province and n:
            options.append(FacetOption(province.slug, province.name(locale), n, province.slug == params.province))
    if params.province and not any(o.selected for o in options):
        province = province_by_slug(params.province)
        if province:
            options.append(FacetOption(province.slug, province.name(locale), 0, True))
    options.sort(key=lambda o: (-o.count, o.label))
    facets.append(Facet("province", str(_l("Province")), options))

    options = [
        FacetOption(code, str(KINDS[code].label), counts["cert"][CERT_BITS[code]], code == params.cert)
        for code in KINDS if counts["cert"][CERT_BITS[code]] or code == params.cert
    ]
    facets.append(Facet("cert", str(_l("Certification")), options))

    options = [
        FacetOption(band.code, band.label(locale), counts["price"][i], band.code == params.price)
        for i, band in enumerate(PRICE_BANDS) if counts["price"][i] or band.code == params.price
    ]
    facets.append(Facet("price", str(_l("Price")), options))

    wholesale_count = counts["wholesale"][1]
    options = [FacetOption("1", str(_l("Wholesale prices available")), wholesale_count, params.wholesale)] \
        if wholesale_count or params.wholesale else []
    facets.append(Facet("wholesale", str(_l("Wholesale")), options))
    return facets


def _page_docnums(cache, leaves: list[engine.Leaf], plan: QueryPlan, relaxed: bool, params: SearchParams,
                  start: int, stop: int) -> list[int]:
    sort = params.sort
    if sort == SORT_RELEVANCE and plan.is_empty:
        sort = SORT_BESTSELLING
    if sort == SORT_RELEVANCE:
        return engine.page_by_relevance(cache, leaves, plan, start, stop, any_slot=relaxed)
    ordered = engine.top_by_order(leaves, _SORT_KEYS[sort], stop)
    return [docnum for _, docnum in ordered[start:stop]]


def _product_ids(leaves: list[engine.Leaf], docnums: list[int]) -> list[int]:
    offsets = [leaf.offset for leaf in leaves]
    out = []
    for docnum in docnums:
        i = bisect.bisect_right(offsets, docnum) - 1
        leaf = leaves[i]
        out.append(leaf.data.columns["pid"][docnum - leaf.offset])
    return out


@dataclass(frozen=True)
class CardPhoto:
    """The cover photo of a result (what the ``photo_url`` filter needs)."""

    __tablename__ = "product_photos"
    image_key: str
    width: int
    height: int


@dataclass(frozen=True)
class CardEnterprise:
    name_th: str
    name_en: str | None
    province_code: str

    def t(self, field: str, locale: str = "th") -> str:
        return (getattr(self, f"{field}_en", None) if locale == "en" else None) or getattr(self, f"{field}_th") or ""


@dataclass(frozen=True)
class SearchCard:
    """What a result row shows, read with three plain queries (building ORM objects
    with their variants cost more than the search itself)."""

    id: int
    slug: str
    name_th: str
    name_en: str | None
    summary_th: str | None
    summary_en: str | None
    enterprise: CardEnterprise
    cover_photo: CardPhoto | None
    low_price: int
    high_price: int
    # The product's visible reviews (``products.rating_sum`` / ``rating_count``), read
    # from the database like the price: the index does not store them.
    rating_sum: int = 0
    rating_count: int = 0

    @property
    def rating_average(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None

    def t(self, field: str, locale: str = "th") -> str:
        return (getattr(self, f"{field}_en", None) if locale == "en" else None) or getattr(self, f"{field}_th") or ""


# The three statements of a results page, built once (with an expanding list of ids):
# building and keying them again for each request cost about as much as running them.
_CARDS_PRODUCTS = (
    select(Product.id, Product.slug, Product.name_th, Product.name_en, Product.summary_th, Product.summary_en,
           Product.min_price_satang, Product.rating_sum, Product.rating_count, Product.status,
           Enterprise.status.label("e_status"),
           Enterprise.name_th.label("e_name_th"), Enterprise.name_en.label("e_name_en"), Enterprise.province_code)
    .join(Enterprise, Enterprise.id == Product.enterprise_id)
    .where(Product.id.in_(bindparam("ids", expanding=True)))
)
_CARDS_PRICES = (
    select(Variant.product_id, Variant.price_satang)
    .where(Variant.product_id.in_(bindparam("ids", expanding=True)), Variant.is_active.is_(True))
)
_CARDS_COVERS = (
    select(ProductPhoto.product_id, ProductPhoto.image_key, ProductPhoto.width, ProductPhoto.height)
    .where(ProductPhoto.product_id.in_(bindparam("ids", expanding=True)))
    .order_by(ProductPhoto.product_id, ProductPhoto.position.desc(), ProductPhoto.id.desc())
)


def _load_cards(product_ids: list[int]) -> list[SearchCard]:
    """The page's products in search order, re-checked against the visibility rule in
    the database: a stale index never shows a hidden product."""
    if not product_ids:
        return []
    ids = {"ids": list(product_ids)}
    # By primary key, the rule checked on the rows: with the rule in the WHERE clause
    # SQLite prefers the status index and scans every live product.
    rows = [row for row in db.session.execute(_CARDS_PRODUCTS, ids)
            if row.status == catalog_status.LIVE and row.e_status == catalog_status.ENTERPRISE_APPROVED]
    prices: dict[int, list[int]] = {}
    for product_id, price in db.session.execute(_CARDS_PRICES, ids):
        prices.setdefault(product_id, []).append(price)
    covers: dict[int, CardPhoto] = {}
    for product_id, key, width, height in db.session.execute(_CARDS_COVERS, ids):
        covers[product_id] = CardPhoto(key, width, height)  # the last one written is position 0
    cards = {}
    for row in rows:
        variant_prices = prices.get(row.id) or [row.min_price_satang]
        cards[row.id] = SearchCard(
            row.id, row.slug, row.name_th, row.name_en, row.summary_th, row.summary_en,
            CardEnterprise(row.e_name_th, row.e_name_en, row.province_code), covers.get(row.id),
            min(variant_prices), max(variant_prices), row.rating_sum, row.rating_count,
        )
    return [cards[pid] for pid in product_ids if pid in cards]


def _snippet_source(product: SearchCard, locale: str) -> str | None:
    text = product.t("summary", locale)
    if not text:
        return None
    return text if len(text) <= 180 else text[:177].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class _Outcome:
    """The locale-independent result of a search: what the result cache keeps."""

    query: str
    truncated: bool
    corrected_from: str | None
    did_you_mean: str | None
    relaxed: bool
    total: int
    counts: dict[str, Counter]
    product_ids: tuple[int, ...]


class ResultCache:
    """Recent outcomes per process, valid for one index generation (any index commit
    empties it). Popular queries are answered without touching the index."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, _Outcome] = OrderedDict()
        self._generation: tuple | None = None
        self._lock = threading.Lock()

    def get(self, generation: tuple, key: tuple) -> _Outcome | None:
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, generation: tuple, key: tuple, outcome: _Outcome) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            self._entries[key] = outcome
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _result_cache() -> ResultCache:
    state = state_for(current_app)
    found = getattr(state, "result_cache", None)
    if found is None:
        found = state.result_cache = ResultCache(int(current_app.config["SEARCH_RESULT_CACHE"]))  # type: ignore[attr-defined]
    return found


#: Where a word must be found for the word to describe the product itself (not only
#: where it is made or who makes it).
_PRODUCT_FIELDS = ("name", "tags", "sub", "roman", "description", "certs")
_PLACE_FIELDS = ("place", "enterprise")
#: In the relaxed search (no product has every word), a product must have words worth
#: at least this share of the query's weight: one common word is not a match.
MIN_RELAXED_COVERAGE = 0.6


def _prepare(searcher, cache: engine.SegmentCache, plan: QueryPlan) -> QueryPlan:
    """Fit the plan to the index: a romanised key only for a word that is not an
    ordinary indexed word, and a word found only as a place or a maker's name (จาก
    เชียงใหม่) boosts instead of filtering."""
    if plan.is_empty:
        return plan
    lexicon = _Lexicon(searcher, cache)

    def plain_unknown(slot) -> bool:
        return not any(lexicon._df(field, token) for token in slot.alternatives[0] for field in MATCH_FIELDS)

    plan = plan.without_roman(plain_unknown)
    if len(plan.slots) < 2:
        return plan
    leaves = engine.leaves_for(searcher, cache)
    optional = set()
    for i, slot in enumerate(plan.slots):
        if slot.optional:
            continue
        single = QueryPlan(plan.text, (slot,))
        in_product = in_place = False
        for r, _offset, data in leaves:
            live = data.live(r)
            if engine.slot_bits(cache, r, data, single, _PRODUCT_FIELDS)[0] & live:
                in_product = True
                break
            if engine.slot_bits(cache, r, data, single, _PLACE_FIELDS)[0] & live:
                in_place = True
        if in_place and not in_product:
            optional.add(i)
    if optional and len(optional) < sum(1 for s in plan.slots if not s.optional):
        plan = plan.with_optional(optional)
    return plan


def _unknown_words(plan: QueryPlan, lexicon: _Lexicon) -> bool:
    """Whether the query has a word the index does not know (a typo, a tone-less
    spelling cut into junk pieces), filler words and numbers aside."""
    for word, _start, _end in query_words(plan.text):
        if word in FILLER_WORDS or word.isdigit() or len(word) < 2:
            continue
        if not lexicon.known(word):
            return True
    return False


def _relaxed(searcher, cache, plan: QueryPlan) -> list[engine.Leaf]:
    """Products with some of the words, kept only when they have most of what the
    query weighs (rare words weigh more): nothing is better than junk."""
    leaves = _match(searcher, cache, plan, any_slot=True)
    if not _total(leaves):
        return leaves
    idfs = engine.plan_idfs(cache, leaves, plan)
    out = []
    for leaf in leaves:
        keep = 0
        for share, docs in engine.slot_coverage(cache, leaf, plan, idfs):
            if share >= MIN_RELAXED_COVERAGE:
                keep |= docs
        out.append(engine.Leaf(leaf.reader, leaf.offset, leaf.data, keep))
    return out


def _compute(searcher, cache: engine.SegmentCache, params: SearchParams, categories: _Categories) -> _Outcome:
    plan = _prepare(searcher, cache, build_plan(params.q))
    query, truncated = plan.text, plan.truncated
    corrected_from = did_you_mean = None
    leaves = _match(searcher, cache, plan)
    relaxed = False
    if not plan.is_empty:
        lexicon = _Lexicon(searcher, cache)
        found = _total(leaves)
        unknown = _unknown_words(plan, lexicon)
        if found == 0 or unknown:
            correction = correct_query(plan.text, lexicon.known, lexicon.suggest, lexicon.fold_lookup,
                                       lexicon.sound_lookup)
            if correction.changed:
                corrected_plan = _prepare(searcher, cache, build_plan(correction.text))
                corrected = _match(searcher, cache, corrected_plan)
                if _total(corrected) and (found == 0 or not _unknown_words(corrected_plan, lexicon)):
                    corrected_from, query = plan.text, corrected_plan.text
                    plan, leaves = corrected_plan, corrected
                elif found and found < 3:
                    did_you_mean = correction.text
        if _total(leaves) == 0 and len(plan.slots) > 1:
            leaves = _relaxed(searcher, cache, plan)
            relaxed = _total(leaves) > 0

    filters = _build_filters(params, categories)
    _ensure_derived_columns(leaf.data for leaf in leaves)
    leaves, counts = _count_facets(leaves, filters)
    total = _total(leaves)
    start = (params.page - 1) * PER_PAGE
    docnums = _page_docnums(cache, leaves, plan, relaxed, params, start, start + PER_PAGE) if start < total else []
    return _Outcome(query, truncated, corrected_from, did_you_mean, relaxed, total, counts,
                    tuple(_product_ids(leaves, docnums)))


def search(params: SearchParams, locale: str = "th") -> SearchPage:
    """One results page for ``params``."""
    started = time.perf_counter()
    ensure_thread(current_app)
    page = SearchPage(params=params, page=params.page)
    state = state_for(current_app)
    try:
        opened = state.handle.searcher()
    except IndexUnavailable as exc:
        current_app.logger.warning("search unavailable: %s", exc)
        page.unavailable = True
        return page
    searcher = opened.searcher
    cache = _cache(opened)
    categories = _categories()
    if params.category and params.category not in categories.by_slug:
        raise BadSearchRequest(_l("We do not have that category."))
    results = _result_cache()
    key = (params.q, params.category, params.province, params.cert, params.price, params.wholesale, params.sort,
           params.page)
    outcome = results.get(opened.key, key)
    if outcome is None:
        outcome = _compute(searcher, cache, params, categories)
        results.put(opened.key, key, outcome)

    page.query, page.truncated = outcome.query, outcome.truncated
    page.corrected_from, page.did_you_mean, page.relaxed = outcome.corrected_from, outcome.did_you_mean, outcome.relaxed
    page.total = outcome.total
    page.facets = _facet_options(outcome.counts, params, categories, locale)
    products = _load_cards(list(outcome.product_ids))
    tokens = build_plan(outcome.query).all_tokens()
    page.hits = [
        SearchHit(p, highlight(p.t("name", locale), tokens), highlight(_snippet_source(p, locale), tokens))
        for p in products
    ]
    _other_kinds(page, params, outcome.query, locale)
    if page.total == 0 or not outcome.query:
        _ensure_derived_columns(data for _reader, _offset, data in engine.leaves_for(searcher, cache))
        page.popular_categories = _popular_categories(searcher, cache, categories, locale)
        page.popular_searches = popular_searches()
    page.elapsed_ms = (time.perf_counter() - started) * 1000
    return page


def _other_kinds(page: SearchPage, params: SearchParams, query: str, locale: str) -> None:
    """The matches of other kinds (``kinds.other_kinds``) for the page's query, the
    kind facet, and, when experiences alone are asked for, no products."""
    province = province_by_slug(params.province) if params.province else None
    request = kinds.KindQuery(plan=build_plan(query), when=params.when,
                              day=date.fromisoformat(params.day) if params.day else None,
                              province_code=province.code if province else None, locale=locale)
    page.others = [found for found in kinds.other_kinds(request) if found is not None]
    if not page.others:
        return
    products = 0 if params.experiences_only else page.total
    options = [FacetOption(kinds.PRODUCTS, str(kinds.KIND_LABELS[kinds.PRODUCTS]), products,
                           params.kind == kinds.PRODUCTS)]
    options += [FacetOption(found.kind, found.label, found.total, params.experiences_only and found.kind == kinds.EXPERIENCES)
                for found in page.others]
    page.kind_facet = Facet("kind", str(_l("Kind")), options)
    if params.experiences_only:
        page.hits, page.total = [], 0
    elif params.kind == kinds.PRODUCTS:
        page.others = []


def _ensure_derived_columns(segments) -> None:
    """The price band of each document, computed once per segment from its price."""
    for data in segments:
        engine.derived_column(data, "price_band", "price", price_band_index)


def _popular_categories(searcher, cache, categories: _Categories, locale: str, limit: int = 8) -> list[FacetOption]:
    """Categories with the most products (the whole catalogue's category facet)."""
    counts: Counter = Counter()
    for reader, _offset, data in engine.leaves_for(searcher, cache):
        counts += engine.count_facet(data, "category_id", data.live(reader))
    out = []
    for cid, n in counts.most_common(limit):
        category = categories.by_id.get(cid)
        if category is not None:
            out.append(FacetOption(category.slug, category.t("name", locale), n, False))
    return out


_popular_lock = threading.Lock()
_popular_cache: dict[str, tuple[float, list[str]]] = {}
POPULAR_TTL_SECONDS = 600


def popular_searches(limit: int = 8) -> list[str]:
    """The most used tags of visible products (cached for ten minutes per process)."""
    key = str(db.engine.url)
    now = time.monotonic()
    with _popular_lock:
        cached = _popular_cache.get(key)
        if cached and now - cached[0] < POPULAR_TTL_SECONDS:
            return cached[1]
    stmt = (
        select(ProductTag.tag, func.count(ProductTag.id).label("n"))
        .join(Product, Product.id == ProductTag.product_id)
        .join(Enterprise, Enterprise.id == Product.enterprise_id)
        .where(visible_product_condition())
        .group_by(ProductTag.tag)
        .order_by(func.count(ProductTag.id).desc(), ProductTag.tag)
        .limit(limit)
    )
    tags = [row.tag for row in db.session.execute(stmt)]
    with _popular_lock:
        _popular_cache[key] = (now, tags)
    return tags


# --- the page cache's key ----------------------------------------------------------------------

#: An index is this host's replica (docs/search.md: Freshness): answers kept in a store
#: every host shares (Redis) are keyed by the host whose index they came from.
_HOST = socket.gethostname()


def page_cache_key() -> tuple | None:
    """What a search answer depends on besides the catalogue generation and the request,
    for the page cache (``cached_page(key=…)``, docs/caching.md: Search pages); None
    when the index cannot be read (the answer is a 503, never kept).

    * the index the answer is searched in: this host's folder, its inode (a rebuild
      swaps in a new folder) and the Whoosh generation committed last, which the
      searcher is opened on (``IndexHandle.searcher``: one ``stat`` and one listing of
      the folder). The catalogue generation moves when a change is *committed*; the
      index applies it a moment later, and an answer rendered in between is kept under
      the index's older generation, which no request asks for once the index commits;
    * Thailand's date: experiences' day windows (``when=this_weekend``) and their open
      sessions follow it;
    * whether the other kinds' own copies (the published experiences, kept up to
      ``EXPERIENCE_SEARCH_CACHE_SECONDS``) are surely newer than the catalogue
      generation (``_others_settled``).

    Read before the answer is rendered: a search that opens a newer searcher than this
    stores newer results under an older key, never the reverse."""
    app = current_app._get_current_object()
    state = state_for(app)
    try:
        opened = state.handle.searcher()
    except IndexUnavailable:
        return None
    today = dbtypes.utcnow().astimezone(BANGKOK).date()
    return (_HOST, state.handle.path, opened.key, today.isoformat(), _others_settled(state, app))


def _others_settled(state, app) -> bool:
    """Whether ``EXPERIENCE_SEARCH_CACHE_SECONDS`` have passed since this process first
    saw the current catalogue generation: the experiences' list (``kinds.other_kinds``)
    is read again at most that often, so until then a page may show the list from
    before the change that made the generation. A page rendered before is kept under
    ``False`` and rendered again once, under ``True``, from a list read after the change."""
    seconds = float(app.config.get("EXPERIENCE_SEARCH_CACHE_SECONDS") or 0)
    if seconds <= 0:
        return True
    generation = catalogue_generation()
    now = time.monotonic()
    seen = getattr(state, "generation_seen", None)
    if seen is None or seen[0] != generation:
        seen = state.generation_seen = (generation, now)  # type: ignore[attr-defined]
    return now - seen[1] >= seconds


# --- type-ahead -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "query" or "product"
    text: str
    url: str


def suggest(raw: str | None, locale: str = "th", limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
    """Completions of what has been typed so far, then a few matching products."""
    if raw and len(raw) > MAX_RAW_QUERY_CHARS:
        raise BadSearchRequest(_l("That search is too long. Please use fewer words."))
    ensure_thread(current_app)
    state = state_for(current_app)
    try:
        opened = state.handle.searcher()
    except IndexUnavailable:
        return []
    completions, product_docs = suggest_mod.complete(opened.searcher, _cache(opened), raw, limit=limit)
    out = [Suggestion("query", text, url_for("search.search", q=text)) for text in completions]
    for stored in product_docs:
        name = (stored.get("name_en") if locale == "en" else None) or stored.get("name_th") or ""
        out.append(Suggestion("product", name, url_for("catalog.product", slug=stored.get("slug"))))
    return out[:limit]


# --- evaluation ---------------------------------------------------------------------------------


def empty_categories() -> _Categories:
    """No categories: for ranking queries without facet filters outside a request."""
    return _Categories({}, {}, {})


def compute_outcome(searcher, cache: engine.SegmentCache, params: SearchParams, categories: _Categories) -> _Outcome:
    """What ``search`` computes before reading the page's products (``bench/relevance.py``)."""
    return _compute(searcher, cache, params, categories)
