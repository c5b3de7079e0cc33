"""Listings on the seller dashboard: products with their variants, tags,
certifications and photos; stock; unit costs and margins; listing status; the staff
review of listings (docs/product.md: Catalogue, Listing review, Wholesale,
Expansion track).

Views hand plain dataclasses (``ProductInput`` …) to these functions, never forms,
so the CSV import (``csv_io``) and the API apply exactly the same rules. Every
function that writes commits once, or raises a ``DomainError`` having written
nothing. Products are always looked up *within* an enterprise
(``product_for_enterprise``), so another enterprise's id is simply not found.

Rules worth knowing:

* A SKU is unique within an enterprise, compared without regard to case (the
  database constraint backs this up; a race that slips past the check is turned into
  a message, not an error page). A GTIN-13 must carry a correct check digit.
* Editing a live listing keeps it live: the storefront shows the change at once.
  Staff review what goes live the first time and may take a listing down later.
* A variant is never deleted from the form, only taken off sale (``is_active``),
  because orders keep pointing at it.
* ``Product.min_price_satang`` (used to sort the storefront) is refreshed whenever
  variants change.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from shop.accounts.models import User
from shop.accounts.services import public_url
from shop.catalog import images, listing_status, status
from shop.catalog.certifications import (
    FDA,
    KINDS,
    gtin13_is_valid,
    validate_certification,
)
from shop.catalog.listing_models import ListingStatusChange, ProductListingSettings
from shop.catalog.models import (
    Category,
    Certification,
    Enterprise,
    EnterpriseMember,
    Product,
    ProductPhoto,
    ProductTag,
    Variant,
    WholesaleTier,
)
from shop.catalog.services import ProductPage, build_product_page
from shop.database import transaction
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.extensions import db
from shop.notifications.services import queue_email
from shop.pagination import Page, paginate
from shop.text import like_pattern, slugify

PHOTO_FOLDER = "products"
MAX_PHOTOS = 12
MAX_VARIANTS = 50
MAX_CERTIFICATIONS = 10
MAX_TIERS = 3
MAX_TAGS = 20
MAX_TAG_LENGTH = 60
STOCK_PAGE_SIZE = 100
LISTINGS_PAGE_SIZE = 50
MAX_STOCK = 1_000_000
MAX_PRICE_SATANG = 100_000_000_00  # one hundred million baht: anything above is a typo
MAX_WEIGHT_GRAMS = 1_000_000
MAX_DAYS = 3650

SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

TEXT_LIMITS = {
    "name_th": 200, "name_en": 200, "summary_th": 300, "summary_en": 300,
    "description_th": 10_000, "description_en": 10_000,
}


# --------------------------------------------------------------------------- inputs


@dataclass
class TierInput:
    min_quantity: int | None
    unit_price_satang: int | None


@dataclass
class VariantInput:
    """One variant as typed; ``id`` is None for a new one. ``prefix`` names its form
    row (``variants-0``) or CSV line so errors land next to the right field."""

    id: int | None
    name_th: str
    name_en: str | None
    sku: str
    gtin13: str | None
    weight_grams: int | None
    price_satang: int | None
    stock: int | None
    low_stock_threshold: int | None = 5
    moq: int | None = 1
    case_pack: int | None = 1
    lead_time_days: int | None = None
    shelf_life_days: int | None = None
    is_active: bool = True
    tiers: list[TierInput] = field(default_factory=list)
    prefix: str = ""


@dataclass
class CertificationInput:
    kind: str
    number: str | None
    stars: int | None
    prefix: str = ""


@dataclass
class ProductInput:
    name_th: str
    name_en: str | None
    summary_th: str | None
    summary_en: str | None
    description_th: str | None
    description_en: str | None
    category_id: int | None
    tags: list[str]
    is_food: bool | None  # None: as the category says
    variants: list[VariantInput]
    certifications: list[CertificationInput] = field(default_factory=list)


@dataclass
class CostInput:
    variant_id: int
    materials_satang: int | None
    packaging_satang: int | None
    labour_satang: int | None
    overhead_satang: int | None
    prefix: str = ""


@dataclass
class StockChange:
    variant_id: int
    seen_stock: int  # what the seller saw when the page was drawn
    new_stock: int
    prefix: str = ""


# ------------------------------------------------------------------------- helpers


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _clean_multiline(text: str | None) -> str | None:
    # Browsers send \r\n; keep one kind of line break so paragraphs split reliably.
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _prefixed(prefix: str, name: str) -> str:
    return f"{prefix}-{name}" if prefix else name


def require_member(actor: User | None, enterprise_id: int) -> EnterpriseMember:
    """The actor's membership of the enterprise, or NotFound: services check again
    what the views checked, so no caller can skip it."""
    membership = None
    if actor is not None and getattr(actor, "id", None) is not None:
        membership = db.session.scalar(
            select(EnterpriseMember).where(
                EnterpriseMember.enterprise_id == enterprise_id, EnterpriseMember.user_id == actor.id
            )
        )
    if membership is None:
        raise NotFound()
    return membership


def product_for_enterprise(enterprise_id: int, product_id: int) -> Product:
    """``product where id = :pid and enterprise_id = :eid``, with what the pages show."""
    product = db.session.scalar(
        select(Product)
        .where(Product.id == product_id, Product.enterprise_id == enterprise_id)
        .options(
            selectinload(Product.variants).selectinload(Variant.wholesale_tiers),
            selectinload(Product.photos),
            selectinload(Product.tags),
            selectinload(Product.certifications),
            joinedload(Product.category),
            joinedload(Product.enterprise),
        )
    )
    if product is None:
        raise NotFound(_l("We could not find that product."))
    return product


def categories_for_select() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def parse_tags(text: str | None) -> list[str]:
    """Comma-separated tags, cleaned as ``clean_tags`` cleans them."""
    return clean_tags(re.split(r"[,،、，]", text or ""))


def clean_tags(items: Iterable[str]) -> list[str]:
    """Tags trimmed (spaces collapsed, a leading ``#`` dropped), without empty ones or
    duplicates (ignoring case), in order.

    Raises ValueError with a user message when there are too many or one is too long.
    """
    tags: list[str] = []
    seen: set[str] = set()
    for raw in items:
        tag = " ".join(raw.split()).lstrip("#").strip()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValueError(_l("Each tag can have at most %(n)s characters.", n=MAX_TAG_LENGTH))
        key = tag.casefold()
        if key in seen:
            continue
        seen.add(key)
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(_l("Use at most %(n)s tags.", n=MAX_TAGS))
    return tags


def normalize_gtin(text: str | None) -> str | None:
    """Digits of a GTIN-13 without spaces or dashes, or None when left empty."""
    cleaned = re.sub(r"[\s-]", "", text or "")
    return cleaned or None


def _unique_slug(base: str) -> str:
    candidate = base
    for n in range(2, 200):
        if db.session.scalar(select(Product.id).where(Product.slug == candidate)) is None:
            return candidate
        candidate = f"{base}-{n}"
    raise Conflict(_l("Too many products share this name. Change the English name a little."))


def is_food(product: Product) -> bool:
    """Whether the product is food: the seller's choice, else its category's."""
    settings = db.session.get(ProductListingSettings, product.id) if product.id else None
    if settings is not None and settings.is_food is not None:
        return settings.is_food
    return bool(product.category.is_food) if product.category else True


def food_choice(product: Product) -> bool | None:
    settings = db.session.get(ProductListingSettings, product.id) if product.id else None
    return settings.is_food if settings else None


# ---------------------------------------------------------------------- validation


def validate_text_fields(values: dict[str, str | None]) -> dict[str, object]:
    errors: dict[str, object] = {}
    if not values.get("name_th"):
        errors["name_th"] = _l("Give the product a Thai name.")
    for name, limit in TEXT_LIMITS.items():
        value = values.get(name)
        if value and len(value) > limit:
            errors[name] = _l("At most %(n)s characters.", n=limit)
    return errors


def _check_int(value: int | None, *, minimum: int, maximum: int, required: bool, negative_message,
               required_message=None):
    if value is None:
        return (required_message or _l("Required.")) if required else None
    if value < minimum:
        return negative_message
    if value > maximum:
        return _l("That number is too large.")
    return None


def validate_variant(variant: VariantInput) -> dict[str, object]:
    """Errors in one variant, keyed by its field names (``sku``, ``price`` …)."""
    errors: dict[str, object] = {}
    if not _clean(variant.name_th):
        errors["name_th"] = _l("Name this option in Thai, e.g. 250 กรัม.")
    elif len(variant.name_th) > 120:
        errors["name_th"] = _l("At most %(n)s characters.", n=120)
    if variant.name_en and len(variant.name_en) > 120:
        errors["name_en"] = _l("At most %(n)s characters.", n=120)
    sku = (variant.sku or "").strip()
    if not sku:
        errors["sku"] = _l("Give each option a SKU (your own stock code).")
    elif not SKU_RE.match(sku):
        errors["sku"] = _l("A SKU uses letters, digits and . _ / - (at most 64), starting with a letter or digit.")
    if variant.gtin13 is not None and not gtin13_is_valid(variant.gtin13):
        errors["gtin13"] = _l("This is not a valid GTIN-13 barcode: it needs 13 digits with a correct check digit.")
    message = _check_int(variant.price_satang, minimum=1, maximum=MAX_PRICE_SATANG, required=True,
                         negative_message=_l("The price must be more than zero."),
                         required_message=_l("Enter a price in baht."))
    if message:
        errors["price"] = message
    message = _check_int(variant.stock, minimum=0, maximum=MAX_STOCK, required=True,
                         negative_message=_l("Stock cannot be negative."),
                         required_message=_l("Enter the stock (0 if none)."))
    if message:
        errors["stock"] = message
    for name, value, minimum, maximum, negative in (
        ("weight_grams", variant.weight_grams, 0, MAX_WEIGHT_GRAMS, _l("Weight cannot be negative.")),
        ("low_stock_threshold", variant.low_stock_threshold, 0, MAX_STOCK, _l("Cannot be negative.")),
        ("moq", variant.moq, 1, MAX_STOCK, _l("At least 1.")),
        ("case_pack", variant.case_pack, 1, MAX_STOCK, _l("At least 1.")),
        ("lead_time_days", variant.lead_time_days, 0, MAX_DAYS, _l("Cannot be negative.")),
        ("shelf_life_days", variant.shelf_life_days, 0, MAX_DAYS, _l("Cannot be negative.")),
    ):
        message = _check_int(value, minimum=minimum, maximum=maximum, required=False, negative_message=negative)
        if message:
            errors[name] = message
    seen_quantities: set[int] = set()
    for index, tier in enumerate(variant.tiers):
        if tier.min_quantity is None and tier.unit_price_satang is None:
            continue
        key = f"tiers-{index}"
        if tier.min_quantity is None or tier.min_quantity < 1:
            errors[f"{key}-min_quantity"] = _l("Enter the quantity this price starts at (1 or more).")
        elif tier.min_quantity in seen_quantities:
            errors[f"{key}-min_quantity"] = _l("Two tiers start at the same quantity.")
        else:
            seen_quantities.add(tier.min_quantity)
        message = _check_int(tier.unit_price_satang, minimum=1, maximum=MAX_PRICE_SATANG, required=True,
                             negative_message=_l("The price must be more than zero."),
                             required_message=_l("Enter the unit price for this tier."))
        if message:
            errors[f"{key}-price"] = message
    if len([t for t in variant.tiers if t.min_quantity is not None]) > MAX_TIERS:
        errors["tiers"] = _l("At most %(n)s wholesale tiers.", n=MAX_TIERS)
    return errors


def sku_taken(enterprise_id: int, skus: Iterable[str], *, except_variant_ids: Iterable[int] = ()) -> set[str]:
    """The given SKUs (lower-cased) already used by other variants of the enterprise."""
    lowered = {s.strip().lower() for s in skus if s and s.strip()}
    if not lowered:
        return set()
    stmt = select(func.lower(Variant.sku)).where(
        Variant.enterprise_id == enterprise_id, func.lower(Variant.sku).in_(lowered)
    )
    excluded = [i for i in except_variant_ids if i is not None]
    if excluded:
        stmt = stmt.where(Variant.id.not_in(excluded))
    return set(db.session.scalars(stmt))


def validate_certification_input(cert: CertificationInput) -> tuple[dict[str, object], tuple[str | None, int | None]]:
    try:
        cleaned = validate_certification(cert.kind, cert.number, cert.stars)
    except ValueError as exc:
        key = "stars" if cert.kind == "otop" else "number" if cert.kind in KINDS else "kind"
        return {key: exc.args[0]}, (None, None)
    return {}, cleaned


def _validate_product(enterprise_id: int, data: ProductInput, product: Product | None) -> dict[str, object]:
    errors: dict[str, object] = validate_text_fields(
        {name: getattr(data, name) for name in TEXT_LIMITS}
    )
    if data.category_id is None or db.session.get(Category, data.category_id) is None:
        errors["category_id"] = _l("Choose a category.")
    if len(data.tags) > MAX_TAGS:
        errors["tags"] = _l("Use at most %(n)s tags.", n=MAX_TAGS)
    if not data.variants:
        errors["variants"] = _l("Add at least one option with its SKU, price and stock.")
    if len(data.variants) > MAX_VARIANTS:
        errors["variants"] = _l("At most %(n)s options per product.", n=MAX_VARIANTS)

    own_ids = {v.id for v in product.variants} if product is not None else set()
    seen: dict[str, str] = {}
    for variant in data.variants:
        if variant.id is not None and variant.id not in own_ids:
            raise NotFound()  # a forged id from another product or enterprise
        for name, message in validate_variant(variant).items():
            errors[_prefixed(variant.prefix, name)] = message
        sku_key = (variant.sku or "").strip().lower()
        if sku_key:
            if sku_key in seen:
                errors[_prefixed(variant.prefix, "sku")] = _l("Two options have the same SKU.")
            seen[sku_key] = variant.prefix
    taken = sku_taken(enterprise_id, seen, except_variant_ids=own_ids)
    for variant in data.variants:
        if (variant.sku or "").strip().lower() in taken:
            errors[_prefixed(variant.prefix, "sku")] = _l("Another of your products already uses this SKU.")

    kinds_seen: set[str] = set()
    for cert in data.certifications:
        cert_errors, _cleaned = validate_certification_input(cert)
        for name, message in cert_errors.items():
            errors[_prefixed(cert.prefix, name)] = message
        if cert.kind in kinds_seen:
            errors[_prefixed(cert.prefix, "kind")] = _l("This certification is listed twice.")
        kinds_seen.add(cert.kind)
    return errors


def _raise_if(errors: dict[str, object]) -> None:
    if errors:
        raise ValidationFailed(_l("Please correct the marked fields."), fields=errors)


# ------------------------------------------------------------------- create / edit


def _apply_product(product: Product, data: ProductInput) -> None:
    product.name_th = data.name_th.strip()
    product.name_en = _clean(data.name_en)
    product.summary_th = _clean(data.summary_th)
    product.summary_en = _clean(data.summary_en)
    product.description_th = _clean_multiline(data.description_th)
    product.description_en = _clean_multiline(data.description_en)
    product.category_id = data.category_id

    wanted = list(dict.fromkeys(data.tags))
    for tag in list(product.tags):
        if tag.tag not in wanted:
            product.tags.remove(tag)
    have = {t.tag for t in product.tags}
    product.tags.extend(ProductTag(tag=t) for t in wanted if t not in have)

    by_id = {v.id: v for v in product.variants}
    next_position = max((v.position for v in product.variants), default=-1) + 1
    for variant_input in data.variants:
        variant = by_id.get(variant_input.id) if variant_input.id is not None else None
        if variant is None:
            variant = Variant(enterprise_id=product.enterprise_id, position=next_position)
            next_position += 1
            product.variants.append(variant)
        _apply_variant(variant, variant_input)
    product.refresh_min_price()

    # Certifications: one per kind; the list replaces what the product had.
    wanted_certs: dict[str, tuple[str | None, int | None]] = {}
    for cert in data.certifications:
        _errors, cleaned = validate_certification_input(cert)
        wanted_certs[cert.kind] = cleaned
    for cert in list(product.certifications):
        if cert.kind not in wanted_certs:
            product.certifications.remove(cert)
    existing = {c.kind: c for c in product.certifications}
    for kind, (number, stars) in wanted_certs.items():
        cert = existing.get(kind)
        if cert is None:
            cert = Certification(enterprise_id=product.enterprise_id, kind=kind)
            product.certifications.append(cert)
        cert.number, cert.stars = number, stars


def _apply_variant(variant: Variant, data: VariantInput) -> None:
    variant.name_th = data.name_th.strip()
    variant.name_en = _clean(data.name_en)
    variant.sku = data.sku.strip()
    variant.gtin13 = data.gtin13
    variant.weight_grams = data.weight_grams or 0
    variant.price_satang = int(data.price_satang or 0)
    variant.stock = int(data.stock or 0)
    variant.low_stock_threshold = data.low_stock_threshold if data.low_stock_threshold is not None else 5
    variant.moq = data.moq or 1
    variant.case_pack = data.case_pack or 1
    variant.lead_time_days = data.lead_time_days
    variant.shelf_life_days = data.shelf_life_days
    variant.is_active = bool(data.is_active)
    # Tiers are matched by their quantity: updating in place avoids deleting and
    # re-inserting the same (variant, min_quantity) pair, which the unique
    # constraint would refuse within one flush.
    wanted = {t.min_quantity: t.unit_price_satang for t in data.tiers if t.min_quantity is not None}
    for tier in list(variant.wholesale_tiers):
        if tier.min_quantity not in wanted:
            variant.wholesale_tiers.remove(tier)
    existing = {t.min_quantity: t for t in variant.wholesale_tiers}
    for quantity, price in sorted(wanted.items()):
        tier = existing.get(quantity)
        if tier is None:
            variant.wholesale_tiers.append(WholesaleTier(min_quantity=quantity, unit_price_satang=price))
        else:
            tier.unit_price_satang = price


def _set_food_choice(product: Product, choice: bool | None) -> None:
    settings = db.session.get(ProductListingSettings, product.id)
    if choice is None:
        if settings is not None:
            db.session.delete(settings)
        return
    if settings is None:
        db.session.add(ProductListingSettings(product_id=product.id, is_food=choice))
    else:
        settings.is_food = choice


@contextlib.contextmanager
def listing_transaction() -> Iterator[None]:
    """``transaction()`` for saving listings (the forms, the CSV import, the API)."""
    try:
        with transaction():
            yield
            db.session.flush()  # a clash surfaces here, inside the block, nested or not
    except IntegrityError:
        # Only a race gets here (the checks above passed): someone saved the same SKU
        # or slug a moment ago. Nothing was written; the seller can simply save again.
        raise ValidationFailed(
            _l("Another change was saved at the same moment and clashes with yours (a SKU used twice?). "
               "Check the form and save again.")
        ) from None


def create_product(enterprise: Enterprise, actor: User, data: ProductInput) -> Product:
    """A new draft listing in ``enterprise``; ValidationFailed names each bad field."""
    require_member(actor, enterprise.id)
    _raise_if(_validate_product(enterprise.id, data, None))
    with listing_transaction():
        product = add_product(enterprise, data)
    return product


def add_product(enterprise: Enterprise, data: ProductInput, *, slug: str | None = None) -> Product:
    """Add a validated new draft to the session and flush it, in the caller's transaction."""
    base = slug or slugify(data.name_en)
    product = Product(
        enterprise_id=enterprise.id,
        status=status.DRAFT,
        # Without a Latin name the slug is made from the id once it exists (below).
        slug=(slug or _unique_slug(base)) if base else f"tmp-{secrets.token_hex(8)}",
        name_th=data.name_th,
    )
    product.variants = []
    product.tags = []
    product.certifications = []
    db.session.add(product)
    _apply_product(product, data)
    db.session.flush()
    if not base:
        # No Latin name to read: the id makes a short, stable, unique address.
        product.slug = _unique_slug(f"p-{product.id}")
    _set_food_choice(product, data.is_food)
    db.session.flush()
    return product


def update_product(product: Product, actor: User, data: ProductInput) -> Product:
    """Save the seller's edits; a live listing stays live. The slug never changes."""
    require_member(actor, product.enterprise_id)
    if product.status == status.ARCHIVED:
        raise Conflict(_l("An archived listing cannot be edited."))
    _raise_if(_validate_product(product.enterprise_id, data, product))
    with listing_transaction():
        change_product(product, data)
    return product


def change_product(product: Product, data: ProductInput) -> None:
    """Apply validated edits to the session and flush, in the caller's transaction."""
    _apply_product(product, data)
    _set_food_choice(product, data.is_food)
    db.session.flush()


def validate_product(enterprise_id: int, data: ProductInput, product: Product | None) -> dict[str, object]:
    """Every error in ``data`` keyed by field (prefixed by each row's ``prefix``)."""
    return _validate_product(enterprise_id, data, product)


def input_from_product(product: Product, *, prefix: str = "") -> ProductInput:
    """The product as it is saved, in the shape the services take (for partial updates)."""
    return ProductInput(
        name_th=product.name_th, name_en=product.name_en,
        summary_th=product.summary_th, summary_en=product.summary_en,
        description_th=product.description_th, description_en=product.description_en,
        category_id=product.category_id,
        tags=[t.tag for t in product.tags],
        is_food=food_choice(product),
        variants=[
            VariantInput(
                id=v.id, name_th=v.name_th, name_en=v.name_en, sku=v.sku, gtin13=v.gtin13,
                weight_grams=v.weight_grams, price_satang=v.price_satang, stock=v.stock,
                low_stock_threshold=v.low_stock_threshold, moq=v.moq, case_pack=v.case_pack,
                lead_time_days=v.lead_time_days, shelf_life_days=v.shelf_life_days, is_active=v.is_active,
                tiers=[TierInput(t.min_quantity, t.unit_price_satang) for t in v.wholesale_tiers],
                prefix=f"{prefix}variant-{v.id}",
            )
            for v in product.variants
        ],
        certifications=[
            CertificationInput(kind=c.kind, number=c.number, stars=c.stars, prefix=f"{prefix}cert-{c.id}")
            for c in product.certifications
        ],
    )


# ------------------------------------------------------------------------- status


def change_status(product: Product, actor: User, to_status: str, reason: str | None = None) -> ListingStatusChange:
    """A member's move (submit, withdraw, pause, resume, archive)."""
    require_member(actor, product.enterprise_id)
    with transaction():
        change = listing_status.transition_product(product, to_status, actor=actor, reason=reason,
                                                   role=listing_status.MEMBER)
    return change


def status_history(product: Product) -> list[ListingStatusChange]:
    return list(
        db.session.scalars(
            select(ListingStatusChange)
            .where(ListingStatusChange.product_id == product.id)
            .options(joinedload(ListingStatusChange.actor))
            .order_by(ListingStatusChange.created_at.desc(), ListingStatusChange.id.desc())
        )
    )


# ------------------------------------------------------------------------ listings


LISTINGS_BY_UPDATE = "updated"  # the dashboard: what was worked on last comes first
LISTINGS_NEWEST = "newest"  # the API: newest first, by id


@dataclass(frozen=True)
class ListingsPage(Page[Product]):
    counts: dict[str, int] = field(default_factory=dict)
    status_filter: str | None = None
    low_stock_count: int = 0


def listings_query(enterprise_id: int, *, status_filter: str | None = None, query: str | None = None,
                   order: str = LISTINGS_BY_UPDATE):
    """The enterprise's listings as the dashboard and the API list them: one status
    (an unknown one is ignored), or every status but archived; ``query`` is part of a
    name (Thai or English) or of a SKU. Options, their tiers and photos are loaded."""
    if status_filter not in status.PRODUCT_STATUSES:
        status_filter = None
    stmt = (
        select(Product)
        .where(Product.enterprise_id == enterprise_id)
        .options(selectinload(Product.photos),
                 selectinload(Product.variants).selectinload(Variant.wholesale_tiers))
    )
    if status_filter:
        stmt = stmt.where(Product.status == status_filter)
    else:
        stmt = stmt.where(Product.status != status.ARCHIVED)
    like = like_pattern(query)
    if like:
        sku_match = select(Variant.product_id).where(Variant.enterprise_id == enterprise_id, Variant.sku.ilike(like))
        stmt = stmt.where(or_(Product.name_th.ilike(like), Product.name_en.ilike(like), Product.id.in_(sku_match)))
    if order == LISTINGS_NEWEST:
        return stmt.order_by(Product.id.desc())
    return stmt.order_by(Product.updated_at.desc(), Product.id.desc())


def listings_page(enterprise: Enterprise, *, status_filter: str | None = None, query: str | None = None,
                  page: int = 1) -> ListingsPage:
    if status_filter not in status.PRODUCT_STATUSES:
        status_filter = None
    counts = dict(
        db.session.execute(
            select(Product.status, func.count(Product.id))
            .where(Product.enterprise_id == enterprise.id)
            .group_by(Product.status)
        ).all()
    )
    return paginate(
        listings_query(enterprise.id, status_filter=status_filter, query=query), page, LISTINGS_PAGE_SIZE,
        page_type=ListingsPage,
        counts={s: counts.get(s, 0) for s in status.PRODUCT_STATUSES},
        status_filter=status_filter,
        low_stock_count=low_stock_count(enterprise),
    )


@dataclass(frozen=True)
class CheckItem:
    ok: bool
    message: str
    blocking: bool = False


def listing_checklist(product: Product) -> list[CheckItem]:
    """What a seller should fix before submitting, and what is already fine."""
    items = [
        CheckItem(bool(product.active_variants), str(_l("At least one option on sale with a price")), True),
        CheckItem(bool(product.photos), str(_l("At least one photo (the first is the cover)"))),
        CheckItem(bool(product.name_en), str(_l("An English name, for visitors from abroad"))),
        CheckItem(bool(product.description_th), str(_l("A Thai description"))),
    ]
    if is_food(product):
        has_fda = any(c.kind == FDA and c.number for c in product.certifications)
        items.append(CheckItem(has_fda, str(_l("A Thai FDA (อย.) number: needed to sell food to shops"))))
    return items


def preview_page(product: Product) -> ProductPage:
    """The storefront's product page content for a listing that may not be live yet."""
    return build_product_page(product, with_more=False)


# -------------------------------------------------------------------------- photos


def add_photos(product: Product, actor: User, uploads: Sequence[tuple[str, bytes]]) -> list[ProductPhoto]:
    """Check, clean and store each upload, then add them after the current photos.

    All or nothing: if one file is refused, the ones already stored are removed and
    the error names the file.
    """
    require_member(actor, product.enterprise_id)
    uploads = [(name, data) for name, data in uploads if name or data]
    if not uploads:
        raise ValidationFailed(_l("Choose at least one photo to upload."), fields={"photos": _l("Choose a photo.")})
    if len(product.photos) + len(uploads) > MAX_PHOTOS:
        message = _l("A product can have at most %(n)s photos.", n=MAX_PHOTOS)
        raise ValidationFailed(message, fields={"photos": message})
    stored: list[images.StoredImage] = []
    try:
        for filename, data in uploads:
            try:
                stored.append(images.process_upload(data, folder=PHOTO_FOLDER))
            except images.ImageRejected as exc:
                message = _l("%(file)s: %(reason)s", file=filename or "?", reason=exc.message)
                raise ValidationFailed(message, fields={"photos": message}) from None
        with transaction():
            position = max((p.position for p in product.photos), default=-1) + 1
            photos = []
            for image in stored:
                photo = ProductPhoto(image_key=image.image_key, width=image.width, height=image.height,
                                     position=position)
                position += 1
                product.photos.append(photo)
                photos.append(photo)
    except BaseException:
        # Nothing names the stored files now (the transaction rolled back): remove them.
        for image in stored:
            images.delete_image(PHOTO_FOLDER, image.image_key)
        raise
    return photos


def _photo_of(product: Product, photo_id: int) -> ProductPhoto:
    for photo in product.photos:
        if photo.id == photo_id:
            return photo
    raise NotFound(_l("We could not find that photo."))


def _renumber(photos: list[ProductPhoto]) -> None:
    for index, photo in enumerate(photos):
        photo.position = index


def move_photo(product: Product, actor: User, photo_id: int, direction: str) -> None:
    """``direction`` "up" (towards the cover), "down", or "cover" (make it the cover)."""
    require_member(actor, product.enterprise_id)
    photos = sorted(product.photos, key=lambda p: (p.position, p.id))
    photo = _photo_of(product, photo_id)
    index = photos.index(photo)
    if direction == "cover":
        photos.insert(0, photos.pop(index))
    elif direction == "up" and index > 0:
        photos[index - 1], photos[index] = photos[index], photos[index - 1]
    elif direction == "down" and index < len(photos) - 1:
        photos[index + 1], photos[index] = photos[index], photos[index + 1]
    elif direction not in ("up", "down"):
        raise ValidationFailed(_l("Unknown photo action."))
    with transaction():
        _renumber(photos)


def delete_photo(product: Product, actor: User, photo_id: int) -> None:
    """Remove the photo; its files go only once the database no longer names them."""
    require_member(actor, product.enterprise_id)
    photo = _photo_of(product, photo_id)
    image_key = photo.image_key
    with transaction():
        product.photos.remove(photo)
        db.session.delete(photo)
        _renumber(sorted(product.photos, key=lambda p: (p.position, p.id)))
    images.delete_image(PHOTO_FOLDER, image_key)


# --------------------------------------------------------------------------- stock


@dataclass(frozen=True)
class StockPage(Page[Variant]):
    low_only: bool = False

    @property
    def variants(self) -> list[Variant]:
        return self.items


def _stock_query(enterprise_id: int, *, low_only: bool):
    stmt = (
        select(Variant)
        .join(Variant.product)
        .where(Variant.enterprise_id == enterprise_id, Product.enterprise_id == enterprise_id,
               Product.status != status.ARCHIVED)
    )
    if low_only:
        stmt = stmt.where(Variant.is_active.is_(True), Variant.stock <= Variant.low_stock_threshold)
    return stmt


def stock_page(enterprise: Enterprise, *, page: int = 1, low_only: bool = False) -> StockPage:
    stmt = (
        _stock_query(enterprise.id, low_only=low_only)
        .options(joinedload(Variant.product))
        .order_by(Product.name_th, Product.id, Variant.position, Variant.id)
    )
    return paginate(stmt, page, STOCK_PAGE_SIZE, page_type=StockPage, low_only=low_only)


def low_stock_count(enterprise: Enterprise) -> int:
    stmt = _stock_query(enterprise.id, low_only=True).with_only_columns(func.count(Variant.id))
    return int(db.session.scalar(stmt) or 0)


@dataclass
class StockConflict:
    variant: Variant
    seen: int
    wanted: int


@dataclass
class StockResult:
    saved: int
    conflicts: list[StockConflict]


def _stock_errors(changes: Sequence[StockChange]) -> dict[str, object]:
    errors: dict[str, object] = {}
    for change in changes:
        if change.new_stock < 0:
            errors[_prefixed(change.prefix, "stock")] = _l("Stock cannot be negative.")
        elif change.new_stock > MAX_STOCK:
            errors[_prefixed(change.prefix, "stock")] = _l("That number is too large.")
    return errors


def _lock_variants(enterprise_id: int, variant_ids) -> list[Variant]:
    """The enterprise's variants with those ids, read afresh and locked until the commit
    (PostgreSQL; SQLite already holds the write lock for a writing request), so a
    comparison with their stock and the write that follows see the same value."""
    return list(
        db.session.scalars(
            select(Variant)
            .where(Variant.id.in_(variant_ids), Variant.enterprise_id == enterprise_id)
            .options(joinedload(Variant.product))
            .order_by(Variant.id)
            .with_for_update(of=Variant)
            .execution_options(populate_existing=True)
        )
    )


def update_stock(enterprise: Enterprise, actor: User, changes: Sequence[StockChange]) -> StockResult:
    """Set stock for the rows the seller changed (the stock page).

    Each row is written only if its stock is still what the seller saw; otherwise it
    is reported as a conflict and left as it is (someone sold or restocked meanwhile).
    Bad numbers refuse the whole save.
    """
    require_member(actor, enterprise.id)
    _raise_if(_stock_errors(changes))
    wanted = {c.variant_id: c for c in changes if c.new_stock != c.seen_stock}
    if not wanted:
        return StockResult(saved=0, conflicts=[])
    with transaction():
        variants = _lock_variants(enterprise.id, wanted)
        if len(variants) != len(wanted):
            raise NotFound()  # an id from another enterprise, or gone
        saved, conflicts = 0, []
        for variant in variants:
            change = wanted[variant.id]
            if variant.stock != change.seen_stock:
                conflicts.append(StockConflict(variant=variant, seen=change.seen_stock, wanted=change.new_stock))
                continue
            variant.stock = change.new_stock
            saved += 1
    return StockResult(saved=saved, conflicts=conflicts)


class StockChanged(Conflict):
    """``set_stock``'s compare-and-set failed; ``current`` is today's stock."""

    def __init__(self, current: int, expected: int):
        message = _l("The stock is now %(current)s, not %(expected)s: it changed since you read it "
                     "(a sale or another update). Nothing was changed.", current=current, expected=expected)
        super().__init__(message, fields={"expected_stock": message})
        self.current = current


@dataclass(frozen=True)
class StockSet:
    variant: Variant
    changed: bool  # False when the stock already had that value


def set_stock(enterprise: Enterprise, actor: User, variant_id: int, stock: int, *,
              expected: int | None = None) -> StockSet:
    """Set one option's stock (the API); commits once.

    With ``expected`` it is a compare-and-set: the stock is written only if it is
    still ``expected``; otherwise nothing is written and ``StockChanged`` (a 409)
    names today's figure. The row is read under the lock that the write keeps, so a
    sale cannot come between the comparison and the write. Without ``expected`` the
    stock is set whatever it was.
    """
    require_member(actor, enterprise.id)
    _raise_if(_stock_errors([StockChange(variant_id=variant_id, seen_stock=stock, new_stock=stock)]))
    # The block ends the transaction, and the row lock with it, also when nothing changed.
    with transaction():
        variants = _lock_variants(enterprise.id, [variant_id])
        if not variants:
            raise NotFound(_l("We could not find that option."))
        variant = variants[0]
        if expected is not None and variant.stock != expected:
            raise StockChanged(variant.stock, expected)
        changed = variant.stock != stock
        if changed:
            variant.stock = stock
    return StockSet(variant=variant, changed=changed)


# ------------------------------------------------------------------------- costing


@dataclass(frozen=True)
class MarginLine:
    label: str
    price_satang: int
    margin_satang: int | None
    margin_bps: int | None  # margin as a share of the price, 1/100 of a percent
    below_cost: bool


@dataclass
class VariantCosting:
    variant: Variant
    unit_cost_satang: int | None
    lines: list[MarginLine]

    @property
    def below_cost(self) -> bool:
        return any(line.below_cost for line in self.lines)


def margin_at(price_satang: int, unit_cost_satang: int | None) -> tuple[int | None, int | None]:
    """Margin in satang and in basis points of the price (rounded half away from zero)."""
    if unit_cost_satang is None:
        return None, None
    margin = price_satang - unit_cost_satang
    if price_satang <= 0:
        return margin, None
    sign = -1 if margin < 0 else 1
    bps = sign * ((abs(margin) * 10_000 * 2 + price_satang) // (2 * price_satang))
    return margin, bps


def format_bps(bps: int | None, locale: str = "th") -> str:
    """Basis points as a percentage for display: ``1250`` -> ``"12.5%"``."""
    if bps is None:
        return "–"
    from decimal import Decimal

    from babel.numbers import format_decimal

    return f"{format_decimal(Decimal(int(bps)) / 100, format='#,##0.#', locale=locale)}%"


def variant_costing(variant: Variant) -> VariantCosting:
    cost = variant.unit_cost_satang
    lines = []
    margin, bps = margin_at(variant.price_satang, cost)
    lines.append(MarginLine(str(_l("Retail")), variant.price_satang, margin, bps,
                            cost is not None and variant.price_satang < cost))
    for tier in variant.wholesale_tiers:
        margin, bps = margin_at(tier.unit_price_satang, cost)
        lines.append(MarginLine(str(_l("Wholesale from %(n)s", n=tier.min_quantity)), tier.unit_price_satang,
                                margin, bps, cost is not None and tier.unit_price_satang < cost))
    return VariantCosting(variant=variant, unit_cost_satang=cost, lines=lines)


def product_costing(product: Product) -> list[VariantCosting]:
    return [variant_costing(v) for v in product.variants]


@dataclass
class CostingRow:
    product: Product
    variants: list[VariantCosting]

    @property
    def below_cost(self) -> bool:
        return any(v.below_cost for v in self.variants)


def enterprise_costing(enterprise: Enterprise) -> list[CostingRow]:
    products = db.session.scalars(
        select(Product)
        .where(Product.enterprise_id == enterprise.id, Product.status != status.ARCHIVED)
        .options(selectinload(Product.variants).selectinload(Variant.wholesale_tiers))
        .order_by(Product.name_th, Product.id)
    )
    return [CostingRow(product=p, variants=product_costing(p)) for p in products]


def save_costs(product: Product, actor: User, costs: Sequence[CostInput]) -> list[VariantCosting]:
    """Unit costs per variant (satang; None leaves a part unknown)."""
    require_member(actor, product.enterprise_id)
    by_id = {v.id: v for v in product.variants}
    errors: dict[str, object] = {}
    for cost in costs:
        if cost.variant_id not in by_id:
            raise NotFound()
        for name in ("materials", "packaging", "labour", "overhead"):
            value = getattr(cost, f"{name}_satang")
            if value is not None and value < 0:
                errors[_prefixed(cost.prefix, name)] = _l("A cost cannot be negative.")
            elif value is not None and value > MAX_PRICE_SATANG:
                errors[_prefixed(cost.prefix, name)] = _l("That number is too large.")
    _raise_if(errors)
    with transaction():
        for cost in costs:
            variant = by_id[cost.variant_id]
            variant.cost_materials_satang = cost.materials_satang
            variant.cost_packaging_satang = cost.packaging_satang
            variant.cost_labour_satang = cost.labour_satang
            variant.cost_overhead_satang = cost.overhead_satang
    return product_costing(product)


# ------------------------------------------------------------------- staff review


def review_queue(status_filter: str | None = status.PENDING_REVIEW, *, page: int = 1,
                 per_page: int = 50) -> Page[Product]:
    """Listings for staff, oldest first, so the longest-waiting are reviewed first."""
    stmt = (
        select(Product)
        .options(joinedload(Product.enterprise), selectinload(Product.photos), selectinload(Product.variants))
        .order_by(Product.updated_at.asc(), Product.id.asc())
    )
    if status_filter in status.PRODUCT_STATUSES:
        stmt = stmt.where(Product.status == status_filter)
    return paginate(stmt, page, per_page)


def product_for_staff(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(_l("We could not find that product."))
    return product_for_enterprise(product.enterprise_id, product.id)


def _owners(enterprise_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(EnterpriseMember, EnterpriseMember.user_id == User.id)
            .where(and_(EnterpriseMember.enterprise_id == enterprise_id,
                        EnterpriseMember.role == status.MEMBER_OWNER))
            .order_by(User.id)
        )
    )


def _email_owners(product: Product, template: str, reason: str | None) -> None:
    edit_url = public_url("sellers.listing_edit", enterprise_id=product.enterprise_id, product_id=product.id)
    product_url = public_url("catalog.product", slug=product.slug)
    for owner in _owners(product.enterprise_id):
        queue_email(
            to=owner.email, kind=template, template=template, locale=owner.locale or "th",
            product=product, reason=reason, edit_url=edit_url, product_url=product_url, user=owner,
        )


def review_listing(product: Product, actor: User, decision: str, reason: str | None = None) -> ListingStatusChange:
    """Staff decide: "approve" (→ live), "send_back" (→ draft) or "take_down" (→ paused).

    The enterprise's owners are e-mailed in the same transaction (through the outbox).
    """
    if not getattr(actor, "is_staff", False):
        raise NotFound()
    targets = {"approve": status.LIVE, "send_back": status.DRAFT, "take_down": status.PAUSED}
    if decision not in targets:
        raise ValidationFailed(_l("Unknown decision."))
    template = {"approve": "listing_approved", "send_back": "listing_sent_back",
                "take_down": "listing_taken_down"}[decision]
    with transaction():
        change = listing_status.transition_product(product, targets[decision], actor=actor, reason=reason,
                                                   role=listing_status.STAFF)
        _email_owners(product, template, change.reason)
    current_app.logger.info("listing %s: %s by staff %s", product.id, decision, actor.id)
    return change
