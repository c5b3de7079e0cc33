"""Request and response models of the selling endpoints (``/api/v1/seller/…``).

Bounds here are the services' own (``shop.catalog.listings``): a number out
of range is refused with a 422 before any service runs, and the OpenAPI document
tells clients the limits. The services still check everything that needs the
database (a SKU used twice, an unknown category, a move the listing cannot make).

No request model has an enterprise field: the enterprise always comes from the URL
and is checked against the token user's memberships; an ``enterprise_id`` in a
body is an unknown field (422).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from shop.api.schemas import (
    IdInt,
    MultilineText,
    PageMeta,
    PageQuery,
    RequestModel,
    ResponseModel,
    SearchText,
    Text,
)
from shop.catalog.listings import (
    MAX_CERTIFICATIONS,
    MAX_DAYS,
    MAX_PRICE_SATANG,
    MAX_STOCK,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_TIERS,
    MAX_VARIANTS,
    MAX_WEIGHT_GRAMS,
)
from shop.dbtypes import MAX_INT
from shop.sellers.order_services import STATUS_FILTERS


def _optional(schema: dict) -> None:
    """A field of a partial update that may be left out but not set to null: the
    document shows no default (there is none to send)."""
    schema.pop("default", None)


ListingStatus = Literal["draft", "pending_review", "live", "paused", "archived"]
SellerOrderStatus = Literal["awaiting_payment", "new", "accepted", "packed", "shipped", "delivered", "cancelled"]
CertificationKind = Literal["fda", "mpc", "otop", "organic", "gap", "low_carbon"]
assert set(SellerOrderStatus.__args__) == set(STATUS_FILTERS)  # type: ignore[attr-defined]

Price = Annotated[int, Field(ge=1, le=MAX_PRICE_SATANG, description="Satang (1/100 baht), more than zero.")]
Stock = Annotated[int, Field(ge=0, le=MAX_STOCK, description=f"Units in stock, 0 to {MAX_STOCK}.")]
Tag = Annotated[Text, Field(max_length=MAX_TAG_LENGTH)]


# ------------------------------------------------------------------ requests


class TierIn(RequestModel):
    """A wholesale price from a quantity on."""

    min_quantity: int = Field(ge=1, le=MAX_STOCK, description="The quantity this unit price starts at.")
    unit_price_satang: Price


class CertificationIn(RequestModel):
    kind: CertificationKind = Field(description="`fda` (Thai FDA, อย.), `mpc` (community product standard, "
                                                "มผช.), `otop`, `organic`, `gap` or `low_carbon`.")
    number: Text | None = Field(None, max_length=64, description="Required for `fda` (13 digits, e.g. 50-1-12345-1-0001) "
                                                               "and `mpc` (number/year).")
    stars: int | None = Field(None, ge=1, le=5, description="OTOP stars, 1 to 5 (required for `otop`).")


class VariantIn(RequestModel):
    """One option of a new product (a size, a flavour), with its own SKU, price and stock."""

    name_th: Text = Field(min_length=1, max_length=120, description="The option's Thai name, e.g. `250 กรัม`.")
    name_en: Text | None = Field(None, max_length=120)
    sku: Text = Field(min_length=1, max_length=64, description="Your stock code: letters, digits and `. _ / -`, "
                                                              "unique within the enterprise (ignoring case).")
    gtin13: Text | None = Field(None, max_length=17, description="A GTIN-13 barcode with a correct check digit.")
    weight_grams: int | None = Field(None, ge=0, le=MAX_WEIGHT_GRAMS, description="Shipping weight of one unit.")
    price_satang: Price
    stock: Stock
    low_stock_threshold: int = Field(5, ge=0, le=MAX_STOCK, description="Alert when stock falls to this.")
    moq: int = Field(1, ge=1, le=MAX_STOCK, description="Minimum wholesale order, in units.")
    case_pack: int = Field(1, ge=1, le=MAX_STOCK, description="Units per case for wholesale.")
    lead_time_days: int | None = Field(None, ge=0, le=MAX_DAYS)
    shelf_life_days: int | None = Field(None, ge=0, le=MAX_DAYS)
    is_active: bool = Field(True, description="On sale. An option is never deleted, only taken off sale.")
    tiers: list[TierIn] = Field(default_factory=list, max_length=MAX_TIERS, description="Wholesale tiers.")


class VariantPatch(RequestModel):
    """An option in a partial update: with ``id``, one of the product's options, and
    only the fields given change; without ``id``, a new option (then ``name_th``,
    ``sku``, ``price_satang`` and ``stock`` are required)."""

    id: IdInt | None = Field(None, description="The option to change; leave out to add a new option.")
    name_th: Text = Field(None, json_schema_extra=_optional, min_length=1, max_length=120)
    name_en: Text | None = Field(None, max_length=120)
    sku: Text = Field(None, json_schema_extra=_optional, min_length=1, max_length=64)
    gtin13: Text | None = Field(None, max_length=17)
    weight_grams: int | None = Field(None, ge=0, le=MAX_WEIGHT_GRAMS)
    price_satang: int = Field(None, json_schema_extra=_optional, ge=1, le=MAX_PRICE_SATANG)
    stock: int = Field(None, json_schema_extra=_optional, ge=0, le=MAX_STOCK, description="Prefer `PUT …/variants/{id}/stock`, which "
                                                             "refuses to overwrite a sale made meanwhile.")
    low_stock_threshold: int = Field(None, json_schema_extra=_optional, ge=0, le=MAX_STOCK)
    moq: int = Field(None, json_schema_extra=_optional, ge=1, le=MAX_STOCK)
    case_pack: int = Field(None, json_schema_extra=_optional, ge=1, le=MAX_STOCK)
    lead_time_days: int | None = Field(None, ge=0, le=MAX_DAYS)
    shelf_life_days: int | None = Field(None, ge=0, le=MAX_DAYS)
    is_active: bool = Field(None, json_schema_extra=_optional, description="`false` takes the option off sale.")
    tiers: list[TierIn] = Field(None, json_schema_extra=_optional, max_length=MAX_TIERS, description="Replaces the option's wholesale tiers.")


class ProductCreate(RequestModel):
    """A new listing. It is saved as a draft; submit it for review with
    ``POST …/products/{product_id}/status``."""

    name_th: Text = Field(min_length=1, max_length=200)
    name_en: Text | None = Field(None, max_length=200, description="Also makes the product's address (slug).")
    summary_th: Text | None = Field(None, max_length=300)
    summary_en: Text | None = Field(None, max_length=300)
    description_th: MultilineText | None = Field(None, max_length=10_000)
    description_en: MultilineText | None = Field(None, max_length=10_000)
    category_id: IdInt
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS,
                            description="Search tags; duplicates (ignoring case) and empty ones are dropped.")
    is_food: bool | None = Field(None, description="Food or drink (needs a Thai FDA number to sell to shops); "
                                                   "null: as the category says.")
    variants: list[VariantIn] = Field(min_length=1, max_length=MAX_VARIANTS)
    certifications: list[CertificationIn] = Field(default_factory=list, max_length=MAX_CERTIFICATIONS,
                                                  description="At most one per kind.")


class ProductPatch(RequestModel):
    """A partial update: each field given replaces the saved one; fields left out keep
    their value. ``tags`` and ``certifications``, when given, replace the whole list.
    ``variants`` lists only the options to change or add: options not listed are kept
    as they are (an option is never deleted; set ``is_active`` to false to take it off
    sale)."""

    name_th: Text = Field(None, json_schema_extra=_optional, min_length=1, max_length=200)
    name_en: Text | None = Field(None, max_length=200)
    summary_th: Text | None = Field(None, max_length=300)
    summary_en: Text | None = Field(None, max_length=300)
    description_th: MultilineText | None = Field(None, max_length=10_000)
    description_en: MultilineText | None = Field(None, max_length=10_000)
    category_id: IdInt = Field(None, json_schema_extra=_optional)
    tags: list[Tag] = Field(None, json_schema_extra=_optional, max_length=MAX_TAGS)
    is_food: bool | None = Field(None, description="null: as the category says.")
    variants: list[VariantPatch] = Field(None, json_schema_extra=_optional, max_length=MAX_VARIANTS)
    certifications: list[CertificationIn] = Field(None, json_schema_extra=_optional, max_length=MAX_CERTIFICATIONS)


class StatusChangeIn(RequestModel):
    """A member's move of the listing: `pending_review` (submit a draft, or resubmit
    after staff took it down), `draft` (withdraw a submission), `paused` (pause a live
    listing), `live` (resume a listing you paused), `archived` (final)."""

    status: ListingStatus
    reason: MultilineText | None = Field(None, max_length=2000, description="Optional note kept in the history.")


class StockIn(RequestModel):
    stock: Stock
    expected_stock: int | None = Field(
        None, ge=0, le=MAX_INT,
        description="The stock you last read. When given and the stock is no longer that (a sale or another "
                    "change meanwhile), nothing is written and the answer is 409 with the current stock.",
    )


class ShipIn(RequestModel):
    carrier: Text | None = Field(None, max_length=40, description="`thailand_post`, `kerry`, `flash`, `jt`, "
                                                                 "`best`, `ninjavan`, `lalamove`, or the "
                                                                 "carrier's name. Not needed for pick-up.")
    tracking_number: Text | None = Field(None, max_length=64, description="4 to 64 letters, digits or dashes. "
                                                                         "Not needed for pick-up.")


class CancelIn(RequestModel):
    reason: MultilineText = Field(min_length=1, max_length=500, description="Why; the buyer receives it.")


class ProductsQuery(PageQuery):
    status: ListingStatus | None = Field(None, description="Only listings in this status; by default every "
                                                           "listing that is not archived.")
    q: SearchText | None = Field(None, max_length=100, description="Part of a name (Thai or English) or of a SKU.")


class OrdersQuery(PageQuery):
    status: SellerOrderStatus | None = Field(
        None, description="`awaiting_payment` (the buyer has not paid yet: nothing to do), or the part's status.")
    q: SearchText | None = Field(None, max_length=100, description="Order number, recipient's name or phone, or a SKU.")


class EnterprisesQuery(PageQuery):
    pass


# ------------------------------------------------------------------ responses


class SellerEnterprise(ResponseModel):
    id: int
    slug: str
    name_th: str
    name_en: str | None
    status: str = Field(description="`pending`, `approved`, `rejected` or `suspended`.")
    role: str = Field(description="The token user's role: `owner` or `staff`, or `mentor` (read-only).")


class SellerEnterpriseList(ResponseModel):
    data: list[SellerEnterprise]
    meta: PageMeta


class TierOut(ResponseModel):
    min_quantity: int
    unit_price_satang: int


class SellerVariant(ResponseModel):
    id: int
    sku: str
    name_th: str
    name_en: str | None
    gtin13: str | None
    weight_grams: int
    price_satang: int
    stock: int
    low_stock_threshold: int
    is_low_stock: bool = Field(description="On sale and at or under its alert level.")
    moq: int
    case_pack: int
    lead_time_days: int | None
    shelf_life_days: int | None
    is_active: bool
    tiers: list[TierOut]


class MissingOut(ResponseModel):
    code: str = Field(description="`no_active_variant`, `fda_number`, `gtin13`, `weight`, `shelf_life`, "
                                  "`case_pack` or `wholesale_tiers`.")
    message: str = Field(description="What is missing, in the response language.")
    variant_id: int | None = Field(description="The option that lacks it; null for the product itself.")
    variant_sku: str | None


class SellerProduct(ResponseModel):
    id: int
    slug: str
    status: ListingStatus
    status_label: str = Field(description="The status in the response language.")
    name_th: str
    name_en: str | None
    category_id: int
    min_price_satang: int = Field(description="The lowest price of the options on sale.")
    created_at: datetime
    updated_at: datetime
    variants: list[SellerVariant]
    retail_ready: bool = Field(description="Whether the product may enter the wholesale catalogue (while live).")
    missing: list[MissingOut] = Field(description="What keeps it from being retail-ready, in the order to fix it.")


class SellerProductList(ResponseModel):
    data: list[SellerProduct]
    meta: PageMeta


class CertificationOut(ResponseModel):
    kind: str
    number: str | None
    stars: int | None


class ChecklistItem(ResponseModel):
    ok: bool
    message: str
    blocking: bool = Field(description="Must be fixed before the listing can be submitted.")


class ListingChange(ResponseModel):
    from_status: str
    to_status: str
    actor_role: str = Field(description="`member` or `staff`.")
    reason: str | None
    created_at: datetime


class SellerProductDetail(SellerProduct):
    summary_th: str | None
    summary_en: str | None
    description_th: str | None
    description_en: str | None
    tags: list[str]
    is_food: bool = Field(description="Whether the product counts as food (the seller's choice, else the category's).")
    is_food_choice: bool | None = Field(description="The seller's choice; null follows the category.")
    certifications: list[CertificationOut]
    status_reason: str | None = Field(description="Why staff sent the listing back or took it down.")
    published_at: datetime | None
    photo_count: int
    allowed_statuses: list[ListingStatus] = Field(description="The statuses the listing can be moved to now.")
    checklist: list[ChecklistItem]
    history: list[ListingChange] = Field(description="Status changes, newest first.")


class SellerStock(ResponseModel):
    variant_id: int
    product_id: int
    sku: str
    stock: int
    changed: bool = Field(description="False when the stock already had this value.")


class OrderLineOut(ResponseModel):
    id: int
    variant_id: int | None
    product_id: int | None
    sku: str
    product_name: str = Field(description="In the response language when there is one.")
    variant_name: str
    quantity: int
    unit_price_satang: int
    line_total_satang: int


class SellerOrder(ResponseModel):
    id: int = Field(description="The fulfilment's id: this enterprise's part of the order.")
    order_number: str = Field(description="The order's public number, shared with the buyer.")
    status: SellerOrderStatus = Field(description="As the enterprise sees it: `awaiting_payment` until paid.")
    status_label: str
    order_status: str
    items_summary: str
    shipping_kind: str = Field(description="`flat`, `weight` or `pickup`.")
    shipping_name: str
    subtotal_satang: int
    shipping_satang: int
    total_satang: int
    refunded_satang: int
    carrier: str | None
    tracking_number: str | None
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None


class SellerOrderList(ResponseModel):
    data: list[SellerOrder]
    meta: PageMeta


class ShippingAddress(ResponseModel):
    """Where to deliver; for pick-up only the buyer's name and phone."""

    recipient_name: str
    phone: str
    address_line: str | None
    subdistrict: str | None
    district: str | None
    province_code: str | None
    province_name: str | None
    postcode: str | None


class TimelineEntry(ResponseModel):
    machine: str = Field(description="`order` or `fulfilment`.")
    from_status: str | None
    to_status: str
    actor_role: str = Field(description="`buyer`, `seller`, `staff` or `system`.")
    reason: str | None
    created_at: datetime


class SellerActionsOut(ResponseModel):
    accept: bool
    pack: bool
    ship: bool
    deliver: bool
    cancel: bool
    waiting_for_payment: bool


class SellerOrderDetail(SellerOrder):
    lines: list[OrderLineOut]
    ship_to: ShippingAddress
    buyer_note: str | None
    po_number: str | None
    buyer_company: str | None
    buyer_tax_id: str | None
    document_no: str | None = Field(description="The receipt number, once paid.")
    cancel_reason: str | None
    timeline: list[TimelineEntry] = Field(description="Oldest first: the order's steps and this part's.")
    actions: SellerActionsOut = Field(description="What the enterprise can do now.")
