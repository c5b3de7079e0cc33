"""Request and response models of the catalogue endpoints (``shop.api.catalog_views``).

Query values are taken exactly as the document lists them (slugs and codes are
lower case; an empty value is refused like any other value we do not have). Texts
come in both languages (``name_th`` / ``name_en``, null when missing) so a client
can choose; labels made by the shop (stock levels, facet and badge labels, track
stages) follow the response language. URLs are absolute paths on this site.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field, WithJsonSchema, field_validator

from shop.api.routing import ApiValueError
from shop.api.schemas import Money, PageMeta, PageQuery, QueryModel, ResponseModel, SearchText
from shop.catalog.certifications import KINDS
from shop.geo import all_provinces, province_by_slug
from shop.search.query import MAX_RAW_QUERY_CHARS
from shop.search.services import MAX_PAGE as SEARCH_MAX_PAGE
from shop.search.services import PRICE_BANDS

#: The storefront's sort orders for product lists (``catalog.services.SORT_LABELS``).
ProductSort = Literal["newest", "price_asc", "price_desc", "bestselling"]
#: The search page's sort orders (``search.services.SORT_LABELS``).
SearchSort = Literal["relevance", "newest", "price_asc", "price_desc", "bestselling"]
StockAvailability = Literal["in_stock", "low", "sold_out"]

_SLUG_PATTERN = r"^[a-z0-9_-]+$"


def _optional_string(description: str, *, max_length: int, enum: list[str] | None = None,
                     pattern: str | None = None):
    """A query filter that may be left out: documented as a string, None when absent."""
    schema: dict = {"type": "string", "maxLength": max_length, "description": description}
    if enum is not None:
        schema["enum"] = enum
    if pattern is not None:
        schema["pattern"] = pattern
    return Annotated[SearchText | None, Field(max_length=max_length, pattern=pattern), WithJsonSchema(schema)]


def _no_filter():
    # No default in the document: ``null`` is not a value a query string can carry.
    return Field(default_factory=lambda: None)


_PROVINCE_SLUGS = sorted(p.slug for p in all_provinces())

ProvinceFilter = _optional_string(
    "A province slug, e.g. `chiang-mai` (as in `/provinces/<slug>`).", max_length=60, enum=_PROVINCE_SLUGS)
CategoryFilter = _optional_string(
    "A category slug; products of its sub-categories are included.", max_length=80, pattern=_SLUG_PATTERN)
EnterpriseFilter = _optional_string(
    "An enterprise slug: only that community enterprise's products.", max_length=120, pattern=_SLUG_PATTERN)
CertFilter = Annotated[
    Literal[tuple(KINDS)] | None,  # type: ignore[valid-type]
    WithJsonSchema({"type": "string", "enum": list(KINDS), "description": "A certification code."}),
]
PriceFilter = Annotated[
    Literal[tuple(band.code for band in PRICE_BANDS)] | None,  # type: ignore[misc]
    WithJsonSchema({"type": "string", "enum": [band.code for band in PRICE_BANDS],
                    "description": "A price band code."}),
]


def _check_province(value: str | None) -> str | None:
    if value is not None and province_by_slug(value) is None:
        raise ApiValueError(_l("We do not know that province."))
    return value


# ------------------------------------------------------------------------ queries


class ProductListQuery(PageQuery):
    category: CategoryFilter = _no_filter()
    enterprise: EnterpriseFilter = _no_filter()
    province: ProvinceFilter = _no_filter()
    featured: bool = Field(False, description="`true`: only the products the shop features.")
    sort: ProductSort = Field("newest", description="The order of the list; ties are broken by product id.")

    _province = field_validator("province")(_check_province)


class EnterpriseListQuery(PageQuery):
    province: ProvinceFilter = _no_filter()

    _province = field_validator("province")(_check_province)


class SearchQuery(QueryModel):
    q: SearchText = Field("", max_length=MAX_RAW_QUERY_CHARS,
                   description="The words to look for, in Thai or English. Empty lists every product.")
    category: CategoryFilter = _no_filter()
    province: ProvinceFilter = _no_filter()
    cert: CertFilter = _no_filter()
    price: PriceFilter = _no_filter()
    wholesale: bool = Field(False, description="`true`: only products with wholesale prices.")
    sort: SearchSort = Field("relevance", description="`relevance` lists the best-selling first when `q` is empty.")
    page: int = Field(1, ge=1, le=SEARCH_MAX_PAGE, description=f"Page number, 1 to {SEARCH_MAX_PAGE}.")

    _province = field_validator("province")(_check_province)


# ------------------------------------------------------------------------ shared parts


class Photo(ResponseModel):
    """One photo in the sizes made at upload (longest side 240, 480 and 1200 px)."""

    thumb_url: str
    card_url: str
    full_url: str
    width: int = Field(description="Width of the original, in pixels.")
    height: int = Field(description="Height of the original, in pixels.")
    alt_th: str | None
    alt_en: str | None


class Province(ResponseModel):
    code: str = Field(description="The two-digit province code (TIS 1099).")
    slug: str
    name_th: str
    name_en: str


class CategoryRef(ResponseModel):
    id: int
    slug: str
    name_th: str
    name_en: str | None
    parent_id: int | None


class EnterpriseRef(ResponseModel):
    """The community enterprise that sells a product."""

    id: int
    slug: str
    name_th: str
    name_en: str | None
    province: Province | None
    url: str = Field(description="The enterprise's storefront page.")


class Badge(ResponseModel):
    """A certification shown as a badge."""

    kind: str = Field(description="`fda`, `mpc`, `otop`, `organic`, `gap` or `low_carbon`.")
    label: str = Field(description="In the response language.")
    short: str = Field(description="A short label, in the response language.")
    number: str | None = Field(description="The certificate number, formatted (Thai FDA, 13 digits: `50-1-12345-1-0001`).")
    stars: int | None = Field(description="OTOP stars, 1 to 5; null for other kinds.")


# ------------------------------------------------------------------------ products


class ProductSummary(ResponseModel):
    """A product as a list or a search result shows it."""

    id: int
    slug: str
    name_th: str
    name_en: str | None
    summary_th: str | None
    summary_en: str | None
    price_min: Money = Field(description="The lowest price among the product's options.")
    price_max: Money = Field(description="The highest price among the product's options.")
    in_stock: bool = Field(description="At least one option can be bought now.")
    has_wholesale: bool = Field(description="Some option has wholesale prices (shown to verified retail buyers).")
    rating_average: float | None = Field(description="Average rating, 1 to 5; null before the first review.")
    rating_count: int
    published_at: datetime | None
    cover_photo: Photo | None
    category: CategoryRef
    enterprise: EnterpriseRef
    url: str = Field(description="The product's storefront page.")


class ProductList(ResponseModel):
    data: list[ProductSummary]
    meta: PageMeta


class ReviewReply(ResponseModel):
    text: str
    replied_at: datetime


class Review(ResponseModel):
    """A verified buyer's review of a product they received (hidden reviews are never listed)."""

    id: int
    rating: int = Field(ge=1, le=5, description="Stars, 1 to 5.")
    title: str | None
    text: str | None
    author: str = Field(description="The buyer's first name and the first letter of the last, e.g. `Somchai K.`.")
    verified_purchase: bool = Field(description="Always true: only buyers whose parcel was delivered can review.")
    option_th: str = Field(description="The option bought, as it was named at the time.")
    option_en: str | None
    created_at: datetime
    reply: ReviewReply | None = Field(description="The enterprise's one reply, or null.")


class RatingSummary(ResponseModel):
    average: float | None = Field(description="Average rating, 1 to 5; null before the first review.")
    count: int
    distribution: dict[str, int] = Field(description="How many reviews gave each rating, keyed `5` to `1`.")


class ReviewList(ResponseModel):
    summary: RatingSummary
    data: list[Review]
    meta: PageMeta


class ReviewListQuery(PageQuery):
    pass


class WholesaleTier(ResponseModel):
    min_quantity: int = Field(description="From this many units up, each unit costs `unit_price`.")
    unit_price: Money


class Variant(ResponseModel):
    """An option on sale (250 g, 1 kg …) with its price and availability."""

    id: int
    sku: str
    name_th: str
    name_en: str | None
    gtin13: str | None = Field(description="The GTIN-13 barcode, when the enterprise gave one.")
    price: Money
    weight_grams: int
    moq: int = Field(description="Minimum order quantity for wholesale orders.")
    case_pack: int = Field(description="Wholesale orders come in multiples of this many units.")
    lead_time_days: int | None = Field(description="Days the enterprise needs to ship a wholesale order.")
    availability: StockAvailability = Field(
        description="`in_stock`, `low` (only a few left) or `sold_out`, as the storefront shows it.")
    availability_label: str = Field(description="The availability in the response language.")
    available_quantity: int = Field(
        description="How many one can order now: the stock, up to the most one order line may hold; 0 when sold out.")
    wholesale_tiers: list[WholesaleTier] | None = Field(
        description="Wholesale prices; null unless the token's account is a verified retail buyer.")


class ProductDetail(ProductSummary):
    """Everything the product page shows."""

    description_th: str | None
    description_en: str | None
    photos: list[Photo] = Field(description="In order; the first is the cover.")
    variants: list[Variant] = Field(description="The options on sale, in the shop's order.")
    tags: list[str]
    certifications: list[Badge] = Field(description="The product's own, then its enterprise's.")
    wholesale_visible: bool = Field(description="Whether this account sees wholesale prices.")


# ------------------------------------------------------------------------ enterprises


class EnterpriseSummary(ResponseModel):
    id: int
    slug: str
    name_th: str
    name_en: str | None
    tagline_th: str | None
    tagline_en: str | None
    village: str | None
    province: Province | None
    cover_photo: Photo | None
    url: str = Field(description="The enterprise's storefront page.")


class EnterpriseList(ResponseModel):
    data: list[EnterpriseSummary]
    meta: PageMeta


class MapPoint(ResponseModel):
    latitude: float
    longitude: float


class TrackStep(ResponseModel):
    """A stage of the market-channel expansion track."""

    code: Literal["foundation", "advancing", "networking", "expansion"]
    label: str = Field(description="In the response language.")
    description: str = Field(description="In the response language.")
    state: Literal["done", "current", "todo"]


class EnterpriseDetail(EnterpriseSummary):
    """Everything the enterprise page shows."""

    story_th: str | None
    story_en: str | None
    subdistrict: str | None
    district: str | None
    registration_no: str = Field(description="The community-enterprise register number.")
    map_point: MapPoint | None
    track_stage: Literal["foundation", "advancing", "networking", "expansion"]
    track: list[TrackStep]
    certifications: list[Badge]
    photos: list[Photo]
    product_count: int = Field(description="Products on sale.")
    products_url: str = Field(description="This API's list of the enterprise's products.")


# ------------------------------------------------------------------------ categories


class Category(ResponseModel):
    id: int
    slug: str
    name_th: str
    name_en: str | None
    description_th: str | None
    description_en: str | None
    parent_id: int | None = Field(description="The parent category; null for a top-level one.")
    position: int = Field(description="The shop's order among siblings.")
    url: str = Field(description="The category's storefront page.")


class CategoryList(ResponseModel):
    """Every category, flat, in the shop's order; `parent_id` makes the tree."""

    data: list[Category]


# ------------------------------------------------------------------------ search


class FacetOption(ResponseModel):
    value: str = Field(description="The value to pass as the facet's query parameter.")
    label: str = Field(description="In the response language.")
    count: int = Field(description="Results with this value, given the other filters.")
    selected: bool


class Facet(ResponseModel):
    name: Literal["category", "province", "cert", "price", "wholesale"] = Field(
        description="The query parameter this facet filters on.")
    label: str = Field(description="In the response language.")
    options: list[FacetOption]


class SearchHit(ResponseModel):
    product: ProductSummary
    name_html: str = Field(description="The name in the response language, HTML-escaped, matches in `<mark>`.")
    snippet_html: str | None = Field(description="The summary, HTML-escaped, matches in `<mark>`.")


class SearchResults(ResponseModel):
    query: str = Field(description="The query searched (the corrected one when `corrected_from` is set).")
    corrected_from: str | None = Field(description="Nothing matched this query; `query` is its correction.")
    did_you_mean: str | None = Field(description="A likelier spelling, when few results matched.")
    relaxed: bool = Field(description="No product had every word; these have some of them.")
    truncated: bool = Field(description="The query was too long and only its start was searched.")
    sort: SearchSort
    hits: list[SearchHit]
    facets: list[Facet]
    meta: PageMeta
