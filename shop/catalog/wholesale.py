"""The wholesale catalogue at ``/wholesale/`` (docs/product.md: Wholesale) and the
retail-readiness of a seller's listings.

Who may see it: verified retail buyers only (``pricing.buys_wholesale``). What it
lists: the storefront's visible products (live, of an approved enterprise) that are
retail-ready (``retail_ready.retail_ready_clause``), both decided in SQL.

Sorting by price asks what one unit costs at a quantity ``qty``. Each active option
is priced at the least quantity it can be bought in that is at least ``qty``: ``qty``
rounded up to whole case packs, and never below the option's minimum order
(``buy_quantity``). So a ``qty`` below an option's minimum order prices the minimum
order, and the default ``qty`` of 1 prices every option at its smallest valid
quantity. A product ranks by its cheapest active option. The price is computed in
SQL (``price_at_expression``) with the same rule as ``pricing.unit_price`` for a
wholesale buyer, so the list pages in the database however large the catalogue;
``tests/functional/test_wholesale_catalogue.py`` checks that the two agree.

Sorting by price computes the price of every product that passes the filters before
the page is cut, so a page costs in proportion to the number of retail-ready products
matching, not to the catalogue. Retail-ready products are the few an enterprise has
brought to shop standard; even with every one of 20,000 products retail-ready, SQLite
on two cores answers the first page in about 1.5 s, most of it the retail-ready
condition itself. Sorting by newest follows the storefront's index on
``published_at`` and stops at the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from shop import pagination
from shop.catalog import pricing
from shop.catalog import services as storefront
from shop.catalog.certifications import KINDS
from shop.catalog.listing_models import ProductListingSettings
from shop.catalog.models import Category, Certification, Enterprise, Product, Variant, WholesaleTier
from shop.catalog.retail_ready import Readiness, retail_ready, retail_ready_clause
from shop.errors import DomainError
from shop.extensions import db
from shop.geo import Province, province_by_slug
from shop.thai import ascii_digits

PER_PAGE = 20
#: The longest lead time a buyer may filter by, in days.
MAX_LEAD_TIME_DAYS = 365

SORT_PRICE = "price"
SORT_NAME = "name"
SORT_NEWEST = "newest"
SORT_LABELS = {
    SORT_PRICE: _l("Price per unit at your quantity"),
    SORT_NAME: _l("Name"),
    SORT_NEWEST: _l("Newest"),
}


class BadWholesaleRequest(DomainError):
    """A wholesale list asked for with a filter, sort or quantity we cannot use (400)."""

    status_code = 400
    code = "bad_request"


# ------------------------------------------------------------------ the price rule


def buy_quantity(variant: Variant, qty: int) -> int:
    """The least quantity of ``variant`` a wholesale buyer can order that is at least
    ``qty``: ``qty`` in whole case packs, and at least the minimum order."""
    pack = max(1, int(variant.case_pack or 1))
    return max(pricing.smallest_valid_quantity(variant), -(-int(qty) // pack) * pack)


def _greater(a, b):
    return case((a > b, a), else_=b)


def price_at_expression(qty: int) -> ColumnElement[int]:
    """SQL: what one unit of the product's cheapest active option costs a wholesale
    buyer at ``buy_quantity(option, qty)``; ``pricing.unit_price`` in SQL."""
    pack = func.coalesce(Variant.case_pack, 1)
    pack = case((pack < 1, 1), else_=pack)
    moq = func.coalesce(Variant.moq, 1)
    moq = case((moq < 1, 1), else_=moq)
    # Integer division rounds down on both databases; (x + pack - 1) / pack rounds up.
    smallest = (moq + pack - 1) / pack * pack
    wanted = (int(qty) + pack - 1) / pack * pack
    quantity = _greater(smallest, wanted)
    tier_price = (
        select(WholesaleTier.unit_price_satang)
        .where(
            WholesaleTier.variant_id == Variant.id,
            WholesaleTier.unit_price_satang <= Variant.price_satang,  # a dearer tier is ignored
            WholesaleTier.min_quantity <= quantity,
        )
        .order_by(WholesaleTier.min_quantity.desc(), WholesaleTier.id.desc())
        .limit(1)
        .correlate(Variant)
        .scalar_subquery()
    )
    return (
        select(func.min(func.coalesce(tier_price, Variant.price_satang)))
        .where(Variant.product_id == Product.id, Variant.is_active.is_(True))
        .correlate(Product)
        .scalar_subquery()
    )


def cheapest_unit_price(product: Product, qty: int, buyer) -> int | None:
    """The Python form of ``price_at_expression`` for a loaded product and buyer."""
    prices = [pricing.unit_price(v, buy_quantity(v, qty), buyer) for v in product.active_variants]
    return min(prices) if prices else None


# ------------------------------------------------------------------ parameters


@dataclass(frozen=True)
class Filters:
    category: Category | None = None
    province: Province | None = None
    certification: str | None = None
    max_lead_days: int | None = None
    sort: str = SORT_PRICE
    qty: int = 1

    @property
    def active(self) -> bool:
        return any(x is not None for x in (self.category, self.province, self.certification, self.max_lead_days))


def _whole_number(value: str | None, *, low: int, high: int, message) -> int | None:
    text = ascii_digits((value or "").strip())
    if not text:
        return None
    # Compared by length first: a long run of digits is never parsed at all.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)) or not low <= int(text) <= high:
        raise BadWholesaleRequest(message)
    return int(text)


def max_quantity() -> int:
    return int(current_app.config["ORDER_MAX_LINE_QUANTITY"])


def parse_filters(args, *, locale: str = "th") -> Filters:
    """The query string as ``Filters``; a value we cannot use raises a 400 naming it."""
    category = None
    slug = (args.get("category") or "").strip().lower()
    if slug:
        category = db.session.scalar(select(Category).where(Category.slug == slug))
        if category is None:
            raise BadWholesaleRequest(_l("We do not know that category."))
    province = None
    slug = (args.get("province") or "").strip().lower()
    if slug:
        province = province_by_slug(slug)
        if province is None:
            raise BadWholesaleRequest(_l("We do not know that province."))
    certification = (args.get("cert") or "").strip().lower() or None
    if certification is not None and certification not in KINDS:
        raise BadWholesaleRequest(_l("We do not know that certification."))
    lead = _whole_number(
        args.get("lead"), low=0, high=MAX_LEAD_TIME_DAYS,
        message=_l("The lead time must be a whole number of days from 0 to %(max)s.", max=MAX_LEAD_TIME_DAYS),
    )
    sort = (args.get("sort") or "").strip().lower() or SORT_PRICE
    if sort not in SORT_LABELS:
        raise BadWholesaleRequest(_l("We cannot sort the wholesale list that way. Choose price, name or newest."))
    qty = _whole_number(
        args.get("qty"), low=1, high=max_quantity(),
        message=_l("The quantity must be a whole number from 1 to %(max)s.", max=max_quantity()),
    )
    return Filters(category, province, certification, lead, sort, qty or 1)


# ------------------------------------------------------------------ the list


def wholesale_products(filters: Filters, *, locale: str = "th"):
    """Visible, retail-ready products filtered and in the order ``filters`` asks, with
    what the page shows loaded for the whole page (no query per product)."""
    stmt = storefront.select_visible_products().where(retail_ready_clause())
    if filters.category is not None:
        stmt = stmt.where(Product.category_id.in_(storefront.category_ids_with_descendants(filters.category.id)))
    if filters.province is not None:
        stmt = stmt.where(Enterprise.province_code == filters.province.code)
    if filters.certification is not None:
        stmt = stmt.where(exists(select(Certification.id).where(
            Certification.kind == filters.certification,
            or_(Certification.product_id == Product.id,
                and_(Certification.product_id.is_(None), Certification.enterprise_id == Product.enterprise_id)),
        )))
    if filters.max_lead_days is not None:
        stmt = stmt.where(exists(select(Variant.id).where(
            Variant.product_id == Product.id, Variant.is_active.is_(True),
            Variant.lead_time_days.is_not(None), Variant.lead_time_days <= filters.max_lead_days,
        )))
    if filters.sort == SORT_PRICE:
        order = (price_at_expression(filters.qty).asc(), Product.id.asc())
    elif filters.sort == SORT_NAME:
        name = func.coalesce(Product.name_en, Product.name_th) if locale == "en" else Product.name_th
        order = (name.asc(), Product.id.asc())
    else:
        order = (Product.published_at.desc(), Product.id.desc())
    return stmt.order_by(*order).options(
        contains_eager(Product.enterprise).selectinload(Enterprise.certifications),
        selectinload(Product.photos),
        selectinload(Product.certifications),
        selectinload(Product.variants).selectinload(Variant.wholesale_tiers),
    )


@dataclass(frozen=True)
class OptionRow:
    """One active option as the list shows it: priced at ``quote.quantity``
    (``buy_quantity`` of the list's ``qty``)."""

    variant: Variant
    quote: pricing.PriceQuote
    tiers: list[WholesaleTier]


@dataclass(frozen=True)
class Entry:
    product: Product
    badges: list
    options: list[OptionRow]


@dataclass(frozen=True)
class WholesalePage(pagination.Page):
    entries: list[Entry] = field(default_factory=list)


def entry_for(product: Product, qty: int, buyer) -> Entry:
    options = []
    for variant in product.active_variants:
        quantity = buy_quantity(variant, qty)
        options.append(OptionRow(variant, pricing.price_quote(variant, quantity, buyer),
                                 pricing.applicable_tiers(variant)))
    certifications = [*product.certifications, *product.enterprise.certifications]
    return Entry(product, [storefront.certification_badge(c) for c in certifications], options)


def wholesale_page(filters: Filters, page: int, buyer, *, locale: str = "th") -> WholesalePage:
    """One page of the wholesale catalogue for ``buyer`` (a verified retail buyer)."""
    result = pagination.paginate(wholesale_products(filters, locale=locale), page, PER_PAGE,
                                 page_type=WholesalePage)
    entries = [entry_for(p, filters.qty, buyer) for p in result.items]
    return WholesalePage(items=result.items, number=result.number, per_page=result.per_page,
                         has_next=result.has_next, total=result.total, entries=entries)


def filter_choices(locale: str = "th"):
    """What the filter form offers: the category tree, the provinces that have
    approved enterprises (by name in ``locale``) and the certification kinds."""
    return storefront.category_tree(), [c.province for c in storefront.provinces_with_enterprises(locale)], KINDS


# ------------------------------------------------------------------ the seller's side


def readiness_of(products: Sequence[Product]) -> dict[int, Readiness]:
    """``retail_ready`` for each of ``products`` (one page of a seller's listings),
    with their certifications, categories and food choices read in three queries
    rather than a few per product."""
    ids = [p.id for p in products if p.id is not None]
    if ids:
        db.session.scalars(
            select(Product).where(Product.id.in_(ids))
            .options(selectinload(Product.certifications), selectinload(Product.category),
                     selectinload(Product.variants).selectinload(Variant.wholesale_tiers))
        ).all()
        db.session.scalars(select(ProductListingSettings).where(ProductListingSettings.product_id.in_(ids))).all()
    return {p.id: retail_ready(p) for p in products}
