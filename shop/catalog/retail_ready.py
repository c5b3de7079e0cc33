"""Whether a product is retail-ready, and what it is missing (docs/product.md:
Expansion track).

A product is retail-ready when it has at least one active variant and every active
variant has a valid GTIN-13 barcode, a weight, a shelf life, a case pack and at least
one wholesale tier, and, when the product is food, the product has a Thai FDA (อย.)
number. Only retail-ready products enter the wholesale catalogue; the seller dashboard
and the expansion track show the same list of what is missing, from this one rule.

``retail_ready(product)`` answers for one loaded product (its variants, tiers and
certifications are read through the relationships); ``retail_ready_clause()`` is the
same rule as an SQL condition on ``Product``, for lists that must filter in the
database. ``tests/unit/test_retail_ready.py`` checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, not_, or_, select

from shop.catalog import certifications as certs
from shop.catalog.listing_models import ProductListingSettings
from shop.catalog.models import Category, Certification, Product, Variant, WholesaleTier

NO_ACTIVE_VARIANT = "no_active_variant"
GTIN = "gtin13"
WEIGHT = "weight"
SHELF_LIFE = "shelf_life"
CASE_PACK = "case_pack"
WHOLESALE_TIERS = "wholesale_tiers"
FDA_NUMBER = "fda_number"

LABELS = {
    NO_ACTIVE_VARIANT: _l("No option is on sale."),
    GTIN: _l("A GTIN-13 barcode"),
    WEIGHT: _l("The weight"),
    SHELF_LIFE: _l("The shelf life"),
    CASE_PACK: _l("The case pack"),
    WHOLESALE_TIERS: _l("Wholesale prices"),
    FDA_NUMBER: _l("A Thai FDA (อย.) number"),
}

# The order in which a seller is asked to fix things.
ORDER = (NO_ACTIVE_VARIANT, FDA_NUMBER, GTIN, WEIGHT, SHELF_LIFE, CASE_PACK, WHOLESALE_TIERS)


@dataclass(frozen=True)
class Missing:
    """One thing a product lacks: ``variant`` is None for what the product itself
    lacks (an FDA number, any active option)."""

    code: str
    variant_id: int | None = None
    variant_sku: str | None = None

    @property
    def label(self):
        return LABELS[self.code]


@dataclass(frozen=True)
class Readiness:
    product_id: int | None
    missing: tuple[Missing, ...]

    @property
    def ready(self) -> bool:
        return not self.missing

    def __bool__(self) -> bool:  # ``if retail_ready(product):``
        return self.ready

    def codes(self) -> set[str]:
        return {m.code for m in self.missing}

    def grouped(self) -> list[tuple[str, object, list[str]]]:
        """``(code, label, [SKUs])`` per missing thing, in the order to fix them."""
        by_code: dict[str, list[str]] = {}
        for item in self.missing:
            by_code.setdefault(item.code, [])
            if item.variant_sku:
                by_code[item.code].append(item.variant_sku)
        return [(code, LABELS[code], by_code[code]) for code in ORDER if code in by_code]


def product_is_food(product: Product) -> bool:
    """The seller's choice when made, else the product's category."""
    from shop.catalog.listings import is_food

    return is_food(product)


def _has_fda_number(product: Product) -> bool:
    return any(c.kind == certs.FDA and c.number and c.product_id == product.id for c in product.certifications)


def variant_missing(variant: Variant) -> list[str]:
    """What one active variant lacks, as codes."""
    missing = []
    if not certs.gtin13_is_valid(variant.gtin13):
        missing.append(GTIN)
    if not variant.weight_grams or variant.weight_grams <= 0:
        missing.append(WEIGHT)
    if not variant.shelf_life_days or variant.shelf_life_days <= 0:
        missing.append(SHELF_LIFE)
    # A case pack of one is not a case: retail shelves are filled by the case.
    if not variant.case_pack or variant.case_pack < 2:
        missing.append(CASE_PACK)
    if not variant.wholesale_tiers:
        missing.append(WHOLESALE_TIERS)
    return missing


def retail_ready(product: Product) -> Readiness:
    """Whether ``product`` is retail-ready, with everything it is missing."""
    missing: list[Missing] = []
    active = [v for v in product.variants if v.is_active]
    if not active:
        missing.append(Missing(NO_ACTIVE_VARIANT))
    if product_is_food(product) and not _has_fda_number(product):
        missing.append(Missing(FDA_NUMBER))
    for variant in active:
        missing.extend(Missing(code, variant.id, variant.sku) for code in variant_missing(variant))
    return Readiness(product.id, tuple(missing))


def _variant_not_ready():
    """SQL: an active variant of the product that lacks something."""
    has_tier = exists(select(WholesaleTier.id).where(WholesaleTier.variant_id == Variant.id))
    return exists(
        select(Variant.id).where(
            Variant.product_id == Product.id,
            Variant.is_active.is_(True),
            or_(
                Variant.gtin13.is_(None), func.length(Variant.gtin13) != 13,
                Variant.weight_grams.is_(None), Variant.weight_grams <= 0,
                Variant.shelf_life_days.is_(None), Variant.shelf_life_days <= 0,
                Variant.case_pack.is_(None), Variant.case_pack < 2,
                not_(has_tier),
            ),
        )
    )


def retail_ready_clause():
    """``retail_ready`` as a condition on ``Product`` for a SELECT.

    The barcode is checked for length here; its check digit was checked when it was
    saved (every way a GTIN is written refuses a wrong check digit).
    """
    has_active = exists(select(Variant.id).where(Variant.product_id == Product.id, Variant.is_active.is_(True)))
    has_fda = exists(
        select(Certification.id).where(
            Certification.product_id == Product.id, Certification.kind == certs.FDA,
            Certification.number.is_not(None), Certification.number != "",
        )
    )
    food_choice = (
        select(ProductListingSettings.is_food).where(ProductListingSettings.product_id == Product.id).scalar_subquery()
    )
    category_food = select(Category.is_food).where(Category.id == Product.category_id).scalar_subquery()
    is_food = func.coalesce(food_choice, category_food, True)
    return and_(has_active, not_(_variant_not_ready()), or_(is_food.is_(False), has_fda))
