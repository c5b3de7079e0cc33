"""Storefront queries: what shoppers may see, and the pages built from it
(docs/product.md: Catalogue, Contracts).

One rule decides what is on sale: a product is visible when it is ``live`` and its
enterprise is ``approved`` (``visible_product_condition`` / ``is_product_visible``).
Every listing here, and the other areas that show products (search, cart, API),
go through it.

Listings are built to cost the same at 100 products as at 100,000: each one reads a
page in the order of an index on ``products`` and stops (see the indexes on
``Product``), loads photos and variants for that page only (``selectinload``, one
query each), and never counts the whole catalogue. Pagination is "previous / next"
for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from shop import pagination
from shop.catalog import status
from shop.catalog.certifications import FDA, KINDS, OTOP, format_fda_number
from shop.catalog.models import (
    Category,
    Certification,
    Enterprise,
    Product,
    Variant,
)
from shop.errors import DomainError, NotFound
from shop.extensions import db
from shop.geo import Province, province_by_code, province_by_slug, sort_by_province_name
from shop.pagination import Page, parse_page

PER_PAGE = 24
HOME_SECTION_SIZE = 8
FEATURED_ENTERPRISES = 6
MORE_FROM_ENTERPRISE = 4
PROVINCE_ENTERPRISES = 60

SORT_NEWEST = "newest"
SORT_PRICE_ASC = "price_asc"
SORT_PRICE_DESC = "price_desc"
SORT_BESTSELLING = "bestselling"
SORT_LABELS = {
    SORT_NEWEST: _l("Newest"),
    SORT_PRICE_ASC: _l("Price: low to high"),
    SORT_PRICE_DESC: _l("Price: high to low"),
    SORT_BESTSELLING: _l("Best-selling"),
}
_SORT_ORDER = {
    SORT_NEWEST: (Product.published_at.desc(), Product.id.desc()),
    SORT_PRICE_ASC: (Product.min_price_satang.asc(), Product.id.asc()),
    SORT_PRICE_DESC: (Product.min_price_satang.desc(), Product.id.desc()),
    SORT_BESTSELLING: (Product.sales_count.desc(), Product.id.desc()),
}

STAGE_LABELS = {
    status.STAGE_FOUNDATION: _l("Foundation"),
    status.STAGE_ADVANCING: _l("Advancing"),
    status.STAGE_NETWORKING: _l("Networking"),
    status.STAGE_EXPANSION: _l("Expansion"),
}
STAGE_DESCRIPTIONS = {
    status.STAGE_FOUNDATION: _l("Costing and basic marketing"),
    status.STAGE_ADVANCING: _l("Product standards such as Thai FDA registration"),
    status.STAGE_NETWORKING: _l("Selling online and to shops"),
    status.STAGE_EXPANSION: _l("Showing, sharing and community tourism"),
}


class BadListingRequest(DomainError):
    """A listing asked for with a sort order or province we do not have (a bad page
    number is ``pagination.BadPageNumber``, also a 400)."""

    status_code = 400
    code = "bad_request"


# --- the visibility rule --------------------------------------------------------


def visible_product_condition() -> ColumnElement[bool]:
    """The SQL form of the visibility rule; the statement must join ``Enterprise``."""
    return and_(Product.status == status.LIVE, Enterprise.status == status.ENTERPRISE_APPROVED)


def approved_enterprise_condition() -> ColumnElement[bool]:
    return Enterprise.status == status.ENTERPRISE_APPROVED


def is_product_visible(product: Product) -> bool:
    """The Python form of the visibility rule, for a product already loaded."""
    return product.status == status.LIVE and product.enterprise.status == status.ENTERPRISE_APPROVED


def select_visible_products() -> Select[tuple[Product]]:
    """``SELECT products`` joined to their enterprise (loaded with them), visible only."""
    return (
        select(Product)
        .join(Product.enterprise)
        .options(contains_eager(Product.enterprise))
        .where(visible_product_condition())
    )


def with_card_data(stmt: Select[tuple[Product]]) -> Select[tuple[Product]]:
    """What a product card shows, loaded for the whole list in two more queries."""
    return stmt.options(selectinload(Product.photos), selectinload(Product.variants))


def with_summary_data(stmt: Select[tuple[Product]]) -> Select[tuple[Product]]:
    """A card's data and what the API's product summary adds: the category, and every
    option's wholesale tiers (``has_wholesale`` reads them)."""
    return with_card_data(stmt).options(
        selectinload(Product.category),
        selectinload(Product.variants).selectinload(Variant.wholesale_tiers),
    )


def visible_products(*, category_ids: Sequence[int] | None = None, enterprise_id: int | None = None,
                     province_code: str | None = None, featured: bool = False,
                     sort: str = SORT_NEWEST) -> Select[tuple[Product]]:
    """Visible products filtered as the storefront and the API filter them, in the
    order of ``sort`` (ending on the id). Add ``with_card_data`` or
    ``with_summary_data`` for what the list shows."""
    stmt = select_visible_products()
    if category_ids is not None:
        if len(category_ids) == 1:
            stmt = stmt.where(Product.category_id == category_ids[0])
        else:
            stmt = stmt.where(Product.category_id.in_(category_ids))
    if enterprise_id is not None:
        stmt = stmt.where(Product.enterprise_id == enterprise_id)
    if province_code is not None:
        stmt = stmt.where(Enterprise.province_code == province_code)
    if featured:
        stmt = stmt.where(Product.is_featured.is_(True))
    return stmt.order_by(*_SORT_ORDER[sort])


def visible_products_by_ids(ids: Sequence[int]) -> list[Product]:
    """The visible products among ``ids``, in the order of ``ids``, with their summary
    data (search hits, whose order the index decided)."""
    if not ids:
        return []
    stmt = with_summary_data(select_visible_products()).where(Product.id.in_(ids))
    found = {p.id: p for p in db.session.scalars(stmt)}
    return [found[i] for i in ids if i in found]


def visible_product_count(enterprise_id: int) -> int:
    return int(db.session.scalar(
        select(func.count(Product.id)).join(Product.enterprise)
        .where(visible_product_condition(), Product.enterprise_id == enterprise_id)
    ) or 0)


def visible_variants_by_sku(skus: Sequence[str]) -> list[Variant]:
    """Options on sale whose SKU is one of ``skus`` (two enterprises may share one), by
    id, with their product and its enterprise."""
    if not skus:
        return []
    return list(db.session.scalars(
        select(Variant)
        .join(Variant.product).join(Product.enterprise)
        .where(Variant.sku.in_(skus), visible_product_condition())
        .options(joinedload(Variant.product).joinedload(Product.enterprise))
        .order_by(Variant.id)
    ).unique())


# --- small helpers other areas reuse -------------------------------------------


def parse_sort(value: str | None) -> str:
    """``?sort=`` as one of ``SORT_LABELS``; empty means newest, anything else is a 400."""
    if value is None or value.strip() == "":
        return SORT_NEWEST
    sort = value.strip().lower()
    if sort not in SORT_LABELS:
        raise BadListingRequest(_l("We cannot sort products that way. Choose newest, price or best-selling."))
    return sort


def paginate(stmt: Select, page: int, per_page: int = PER_PAGE) -> Page:
    """One page of a storefront list. A page past the end of a list is a 404 rather
    than an empty page: these URLs are public and followed by search engines."""
    return pagination.paginate(stmt, page, per_page, missing_is_404=True)


def price_range(product: Product) -> tuple[int, int]:
    """Lowest and highest price of the product's active variants, in satang."""
    prices = [v.price_satang for v in product.active_variants]
    if not prices:
        return product.min_price_satang, product.min_price_satang
    return min(prices), max(prices)


def stock_level(variant: Variant) -> str:
    """``"out"``, ``"low"`` or ``"in"``: what a shopper is told, not the exact count."""
    if variant.stock <= 0:
        return "out"
    if variant.is_low_stock:
        return "low"
    return "in"


@dataclass(frozen=True)
class Badge:
    kind: str
    label: str
    short: str
    number: str | None
    stars: int | None


def certification_badge(cert: Certification) -> Badge:
    kind = KINDS.get(cert.kind)
    number = cert.number
    if cert.kind == FDA and number:
        number = format_fda_number(number)
    return Badge(
        kind=cert.kind,
        label=str(kind.label) if kind else cert.kind,
        short=str(kind.short) if kind else cert.kind,
        number=number,
        stars=cert.stars if cert.kind == OTOP else None,
    )


@dataclass(frozen=True)
class StageStep:
    code: str
    label: str
    description: str
    state: str  # "done", "current" or "todo"


def track_progress(enterprise: Enterprise) -> list[StageStep]:
    """The four stages of the market-channel expansion track, marked against the
    enterprise's current stage."""
    current = status.TRACK_STAGES.index(enterprise.track_stage) if enterprise.track_stage in status.TRACK_STAGES else 0
    return [
        StageStep(
            code=code,
            label=str(STAGE_LABELS[code]),
            description=str(STAGE_DESCRIPTIONS[code]),
            state="done" if i < current else "current" if i == current else "todo",
        )
        for i, code in enumerate(status.TRACK_STAGES)
    ]


def stage_label(code: str) -> str:
    return str(STAGE_LABELS.get(code, code))


# --- categories -------------------------------------------------------------------


def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name_th)))


@dataclass
class CategoryTree:
    category: Category
    children: list[Category] = field(default_factory=list)


def category_tree() -> list[CategoryTree]:
    """Top-level categories with their subcategories, in the shop's order."""
    categories = all_categories()
    tops = [CategoryTree(c) for c in categories if c.parent_id is None]
    by_id = {t.category.id: t for t in tops}
    for c in categories:
        if c.parent_id is not None and c.parent_id in by_id:
            by_id[c.parent_id].children.append(c)
    return tops


def category_ids_with_descendants(category_id: int, categories: Iterable[Category] | None = None) -> list[int]:
    """The category's id and the ids of every category under it, at any depth (the
    category first, then level by level). ``categories`` is every category, when the
    caller has them at hand (search keeps them cached); else they are read."""
    children: dict[int, list[int]] = {}
    for c in all_categories() if categories is None else categories:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c.id)
    ids, seen, level = [], set(), [category_id]
    while level:
        ids.extend(level)
        seen.update(level)
        level = [child for cid in level for child in children.get(cid, []) if child not in seen]
    return ids


def category_by_slug(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound(_l("We could not find that category."))
    return category


# --- products -----------------------------------------------------------------------


def new_arrivals(limit: int = HOME_SECTION_SIZE) -> list[Product]:
    stmt = with_card_data(select_visible_products()).order_by(*_SORT_ORDER[SORT_NEWEST]).limit(limit)
    return list(db.session.scalars(stmt))


def featured_products(limit: int = HOME_SECTION_SIZE) -> list[Product]:
    stmt = (
        with_card_data(select_visible_products())
        .where(Product.is_featured.is_(True))
        .order_by(*_SORT_ORDER[SORT_NEWEST])
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def products_in_categories(category_ids: Sequence[int], sort: str, page: int) -> Page[Product]:
    return paginate(with_card_data(visible_products(category_ids=category_ids, sort=sort)), page)


def product_by_slug(slug: str) -> Product:
    """A visible product with everything its page shows; NotFound otherwise."""
    return _visible_product(Product.slug == slug)


def product_by_id(product_id: int) -> Product:
    """As ``product_by_slug``, by id (the API)."""
    return _visible_product(Product.id == product_id)


def _visible_product(condition: ColumnElement[bool]) -> Product:
    stmt = (
        select_visible_products()
        .where(condition)
        .options(
            contains_eager(Product.enterprise).selectinload(Enterprise.certifications),
            contains_eager(Product.enterprise).selectinload(Enterprise.photos),
            joinedload(Product.category).joinedload(Category.parent),  # the breadcrumbs name it
            selectinload(Product.photos),
            selectinload(Product.variants).selectinload(Variant.wholesale_tiers),
            selectinload(Product.tags),
            selectinload(Product.certifications),
        )
    )
    product = db.session.scalar(stmt)
    if product is None:
        raise NotFound(_l("We could not find that product. It may no longer be on sale."))
    return product


def enterprise_products(enterprise_id: int, page: int = 1, *, exclude_id: int | None = None,
                        per_page: int = PER_PAGE) -> Page[Product]:
    stmt = with_card_data(select_visible_products()).where(Product.enterprise_id == enterprise_id)
    if exclude_id is not None:
        stmt = stmt.where(Product.id != exclude_id)
    return paginate(stmt.order_by(*_SORT_ORDER[SORT_NEWEST]), page, per_page)


def province_products(province_code: str, page: int = 1) -> Page[Product]:
    stmt = (
        with_card_data(select_visible_products())
        .where(Enterprise.province_code == province_code)
        .order_by(*_SORT_ORDER[SORT_NEWEST])
    )
    return paginate(stmt, page)


# --- enterprises -------------------------------------------------------------------


def product_order(sort: str) -> tuple:
    """The ORDER BY of a product list sorted by ``sort``; it always ends on the id."""
    return _SORT_ORDER[sort]


def enterprise_name_order(locale: str) -> tuple:
    """Enterprises by name in ``locale`` (Thai when there is no English name), then id."""
    if locale == "en":
        return (func.coalesce(Enterprise.name_en, Enterprise.name_th), Enterprise.id)
    return (Enterprise.name_th, Enterprise.id)


def approved_enterprises(*, province_code: str | None = None, locale: str = "th") -> Select[tuple[Enterprise]]:
    """Approved enterprises (of one province), by name in ``locale``, then id."""
    stmt = select(Enterprise).where(approved_enterprise_condition()).options(selectinload(Enterprise.photos))
    if province_code is not None:
        stmt = stmt.where(Enterprise.province_code == province_code)
    return stmt.order_by(*enterprise_name_order(locale))


def list_enterprises(*, province_code: str | None = None, page: int = 1, locale: str = "th",
                     per_page: int = PER_PAGE) -> Page[Enterprise]:
    return paginate(approved_enterprises(province_code=province_code, locale=locale), page, per_page)


def featured_enterprises(limit: int = FEATURED_ENTERPRISES) -> list[Enterprise]:
    """Featured enterprises first, then the most recently approved, ``limit`` in all."""
    stmt = (
        select(Enterprise)
        .where(approved_enterprise_condition())
        .options(selectinload(Enterprise.photos))
        .order_by(Enterprise.is_featured.desc(), Enterprise.approved_at.desc(), Enterprise.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def enterprise_by_slug(slug: str) -> Enterprise:
    return _approved_enterprise(Enterprise.slug == slug)


def enterprise_by_id(enterprise_id: int) -> Enterprise:
    return _approved_enterprise(Enterprise.id == enterprise_id)


def _approved_enterprise(condition: ColumnElement[bool]) -> Enterprise:
    stmt = (
        select(Enterprise)
        .where(condition, approved_enterprise_condition())
        .options(selectinload(Enterprise.photos), selectinload(Enterprise.certifications))
    )
    enterprise = db.session.scalar(stmt)
    if enterprise is None:
        raise NotFound(_l("We could not find that community enterprise."))
    return enterprise


# --- provinces ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceCount:
    province: Province
    enterprise_count: int


def provinces_with_enterprises(locale: str = "th") -> list[ProvinceCount]:
    """Provinces that have approved enterprises, with how many, by name in ``locale``.

    Counts enterprises (a few hundred rows), never products.
    """
    stmt = (
        select(Enterprise.province_code, func.count(Enterprise.id))
        .where(approved_enterprise_condition())
        .group_by(Enterprise.province_code)
    )
    counts = []
    for code, count in db.session.execute(stmt):
        province = province_by_code(code)
        if province is not None:
            counts.append(ProvinceCount(province, count))
    return sort_by_province_name(counts, locale)


def province_from_slug(slug: str) -> Province:
    province = province_by_slug(slug)
    if province is None:
        raise NotFound(_l("We could not find that province."))
    return province


def parse_province_filter(slug: str | None) -> Province | None:
    """``?province=`` on the enterprise list: empty means all, an unknown slug a 400."""
    if slug is None or slug.strip() == "":
        return None
    province = province_by_slug(slug.strip().lower())
    if province is None:
        raise BadListingRequest(_l("We do not know that province."))
    return province


# --- whole pages (one call per view) -----------------------------------------------


@dataclass
class HomePage:
    featured: list[Product]
    new_arrivals: list[Product]
    categories: list[CategoryTree]
    provinces: list[ProvinceCount]
    enterprises: list[Enterprise]


def home_page(locale: str = "th") -> HomePage:
    return HomePage(
        featured=featured_products(),
        new_arrivals=new_arrivals(),
        categories=category_tree(),
        provinces=provinces_with_enterprises(locale),
        enterprises=featured_enterprises(),
    )


@dataclass
class CategoryPage:
    category: Category
    parent: Category | None
    subcategories: list[Category]
    sort: str
    products: Page[Product]


def category_page(slug: str, *, sort: str | None = None, page: str | None = None) -> CategoryPage:
    """A category's visible products (those of the categories under it, at any depth,
    included), sorted and paged.

    ``sort`` and ``page`` are the raw query-string values; bad ones raise a 400.
    """
    sort_key = parse_sort(sort)
    page_no = parse_page(page)
    category = category_by_slug(slug)
    categories = all_categories()
    subcategories = [c for c in categories if c.parent_id == category.id]
    ids = category_ids_with_descendants(category.id, categories)
    return CategoryPage(
        category=category,
        parent=category.parent,
        subcategories=subcategories,
        sort=sort_key,
        products=products_in_categories(ids, sort_key, page_no),
    )


@dataclass
class ProductPage:
    product: Product
    price_min: int
    price_max: int
    badges: list[Badge]
    has_wholesale: bool
    more_from_enterprise: list[Product]


def product_page(slug: str) -> ProductPage:
    return build_product_page(product_by_slug(slug))


def build_product_page(product: Product, *, with_more: bool = True) -> ProductPage:
    """The product page's content for any product (the seller preview shows drafts)."""
    low, high = price_range(product)
    certifications = [*product.certifications, *product.enterprise.certifications]
    return ProductPage(
        product=product,
        price_min=low,
        price_max=high,
        badges=[certification_badge(c) for c in certifications],
        has_wholesale=product.has_wholesale,
        more_from_enterprise=enterprise_products(
            product.enterprise_id, exclude_id=product.id, per_page=MORE_FROM_ENTERPRISE
        ).items if with_more else [],
    )


@dataclass
class EnterprisePage:
    enterprise: Enterprise
    stages: list[StageStep]
    badges: list[Badge]
    products: Page[Product]


def enterprise_page(slug: str, *, page: str | None = None) -> EnterprisePage:
    page_no = parse_page(page)
    enterprise = enterprise_by_slug(slug)
    return EnterprisePage(
        enterprise=enterprise,
        stages=track_progress(enterprise),
        badges=[certification_badge(c) for c in enterprise.certifications],
        products=enterprise_products(enterprise.id, page_no),
    )


@dataclass
class EnterpriseListPage:
    province: Province | None
    provinces: list[ProvinceCount]
    enterprises: Page[Enterprise]


def enterprise_list_page(*, province: str | None = None, page: str | None = None,
                         locale: str = "th") -> EnterpriseListPage:
    page_no = parse_page(page)
    chosen = parse_province_filter(province)
    return EnterpriseListPage(
        province=chosen,
        provinces=provinces_with_enterprises(locale),
        enterprises=list_enterprises(province_code=chosen.code if chosen else None, page=page_no, locale=locale),
    )


@dataclass
class ProvincePage:
    province: Province
    enterprises: list[Enterprise]
    more_enterprises: bool
    products: Page[Product]


def province_page(slug: str, *, page: str | None = None, locale: str = "th") -> ProvincePage:
    page_no = parse_page(page)
    province = province_from_slug(slug)
    enterprises = list_enterprises(province_code=province.code, locale=locale, per_page=PROVINCE_ENTERPRISES)
    return ProvincePage(
        province=province,
        enterprises=enterprises.items,
        more_enterprises=enterprises.has_next,
        products=province_products(province.code, page_no),
    )


def variant_by_sku(product: Product, sku: str | None) -> Variant | None:
    """The product's active variant with this SKU (``?variant=SKU``, as channel feeds
    link each variant), matched without regard to case; None when there is none."""
    wanted = (sku or "").strip().casefold()
    if not wanted:
        return None
    return next((v for v in product.active_variants if v.sku.casefold() == wanted), None)
