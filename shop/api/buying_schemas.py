"""Request and response models of the buying endpoints (``/api/v1/orders``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, Field, StringConstraints, model_validator

from config import Config
from shop.api.routing import ApiValueError
from shop.api.schemas import IdInt, Money, MultilineText, PageMeta, PageQuery, RequestModel, ResponseModel, Text
from shop.cart.services import MAX_CART_LINES
from shop.dbtypes import MAX_INT

#: The largest quantity the schema admits for one line; the running shop may set a
#: lower ``ORDER_MAX_LINE_QUANTITY``, which the endpoint checks (422 naming the line).
QUANTITY_CEILING = max(1, int(Config.ORDER_MAX_LINE_QUANTITY))

OrderStatus = Literal["pending_payment", "paid", "cancelled", "refunded", "partially_refunded", "invoiced"]
FulfilmentStatus = Literal["new", "accepted", "packed", "shipped", "delivered", "cancelled"]
PaymentMethod = Literal["promptpay_qr", "stripe", "invoice"]
EnterpriseKey = Annotated[Text, StringConstraints(pattern=r"^[1-9][0-9]{0,9}$", max_length=10)]
ShippingKey = Annotated[Text, StringConstraints(min_length=1, max_length=20)]


# ------------------------------------------------------------------------ requests


class OrderLineIn(RequestModel):
    """One item to buy: name it by ``variant_id``, or by ``sku`` (with
    ``enterprise_id`` or ``enterprise_slug`` when two enterprises use that SKU)."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["variant_id"],
         "not": {"anyOf": [{"required": ["sku"]}, {"required": ["enterprise_id"]}, {"required": ["enterprise_slug"]}]}},
        {"required": ["sku"], "not": {"required": ["variant_id"]}},
    ]})

    variant_id: IdInt | None = Field(None, description="The variant's id (from the product detail).")
    sku: Text | None = Field(None, min_length=1, max_length=64,
                            description="The variant's SKU, as its enterprise set it. Give this or `variant_id`.")
    enterprise_id: IdInt | None = Field(None, description="With `sku`: the enterprise whose SKU it is.")
    enterprise_slug: Text | None = Field(None, min_length=1, max_length=120,
                                        description="With `sku`: the enterprise whose SKU it is, by slug.")
    quantity: int = Field(ge=1, le=QUANTITY_CEILING,
                          description="Units to buy, from 1 up to the shop's per-line limit.")

    @model_validator(mode="after")
    def _one_reference(self) -> OrderLineIn:
        if (self.variant_id is None) == (self.sku is None):
            raise ApiValueError(_l("Give either variant_id or sku for each line (one of them, not both)."))
        if self.variant_id is not None and (self.enterprise_id is not None or self.enterprise_slug is not None):
            raise ApiValueError(_l("enterprise_id and enterprise_slug go with sku, not with variant_id."))
        return self


class AddressIn(RequestModel):
    """A Thai postal address, checked as at checkout: the postcode must belong to the
    province (a TIS 1099 code such as `10` for Bangkok)."""

    recipient_name: Text = Field(min_length=1, max_length=200)
    phone: Text = Field(min_length=1, max_length=32, description="A Thai phone number; Thai digits, spaces and dashes are fine.")
    address_line: Text = Field(min_length=1, max_length=400, description="House number, village, street or building.")
    subdistrict: Text = Field(min_length=1, max_length=200, description="Tambon or khwaeng.")
    district: Text = Field(min_length=1, max_length=200, description="Amphoe or khet.")
    province_code: Text = Field(min_length=1, max_length=8, description="TIS 1099 province code, e.g. `50` for Chiang Mai.")
    postcode: Text = Field(min_length=1, max_length=16, description="5 digits, e.g. `50130`.")


class CreateOrder(RequestModel):
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_CART_LINES,
                                     description="1 to 50 lines; each variant at most once.")
    address: AddressIn
    payment_method: PaymentMethod = Field(
        description="`promptpay_qr` (pay by PromptPay QR or transfer, then upload the slip on the order "
                    "page), `stripe` (card or PromptPay through Stripe Checkout; only where offered) or "
                    "`invoice` (pay on invoice: verified business buyers with payment terms; refused with the "
                    "reason on `payment_method` when an invoice is overdue or the order passes the credit "
                    "limit).")
    shipping: dict[EnterpriseKey, ShippingKey] | None = Field(
        None, max_length=MAX_CART_LINES,
        description="The shipping option chosen per enterprise: `{\"<enterprise id>\": \"<option key>\"}` "
                    "(an option's id, or `default`); an enterprise left out gets its first option.")
    buyer_note: MultilineText | None = Field(None, max_length=500, description="A note to the enterprises.")
    po_number: Text | None = Field(None, min_length=1, max_length=64,
                                  description="Your purchase-order number (verified retail buyers only).")
    expected_total_satang: int | None = Field(
        None, ge=0, le=MAX_INT,
        description="The total you showed your customer; if today's total differs, nothing is ordered "
                    "and the answer is 409 `total_changed`.")


class OrderListQuery(PageQuery):
    pass


class CancelOrder(RequestModel):
    reason: MultilineText | None = Field(None, max_length=500, description="Why, for the enterprises and the timeline.")


# ------------------------------------------------------------------------ answers


class EnterpriseRef(ResponseModel):
    id: int
    slug: str
    name: str = Field(description="In the response language.")


class OrderLineOut(ResponseModel):
    id: int
    variant_id: int | None = Field(description="Null when the variant has since been deleted.")
    product_id: int | None
    sku: str
    name: str = Field(description="Product and variant name as bought, in the response language.")
    unit_price: Money
    quantity: int
    line_total: Money


class ShippingOut(ResponseModel):
    option_id: int | None = Field(description="Null for the built-in standard delivery.")
    kind: Literal["flat", "weight", "pickup"]
    name: str
    fee: Money
    carrier: str | None = Field(description="Once shipped.")
    tracking_number: str | None = Field(description="Once shipped.")


class FulfilmentOut(ResponseModel):
    """One enterprise's part of the order: shipped separately, with its own status."""

    id: int
    enterprise: EnterpriseRef
    status: FulfilmentStatus
    lines: list[OrderLineOut]
    shipping: ShippingOut
    subtotal: Money
    total: Money
    accepted_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None


class AddressOut(ResponseModel):
    recipient_name: str
    phone: str
    address_line: str
    subdistrict: str
    district: str
    province_code: str
    postcode: str


class PromptPayOut(ResponseModel):
    payload: str = Field(description="The PromptPay QR payload (EMVCo) with the amount: render it as a QR code.")
    payee_name: str = Field(description="Who receives the money: the enterprise, or the platform for "
                                        "an order from several enterprises.")
    payee_promptpay_id: str = Field(description="The payee's PromptPay ID, partly masked, as the order page shows it.")
    slip_status: Literal["submitted", "confirmed", "rejected"] | None = Field(
        description="The latest transfer slip uploaded on the order page, if any.")


class PaymentOut(ResponseModel):
    """How to pay an unpaid order."""

    method: PaymentMethod
    amount: Money
    expires_at: datetime | None = Field(description="Pay before this time or the order lapses and its stock "
                                                    "goes back on sale.")
    order_page_url: str = Field(description="The order's page, where a PromptPay slip is uploaded or a "
                                            "Stripe payment is (re)started. Opens without signing in.")
    promptpay: PromptPayOut | None = Field(description="For `promptpay_qr`.")
    checkout_url: str | None = Field(description="For `stripe`: the Stripe Checkout page to send the buyer to; "
                                                 "null when it could not be opened (use `order_page_url`).")


class InvoiceOut(ResponseModel):
    """The invoice of an order paid on invoice (status `invoiced` until paid)."""

    number: str = Field(description="e.g. `BL2026-000042`.")
    issued_on: date
    due_on: date
    total: Money
    paid: Money
    amount_due: Money
    pdf_url: str = Field(description="The invoice as PDF (the buyer's own orders only).")


class OrderOut(ResponseModel):
    id: str = Field(description="The order's public id, e.g. `CM7K2QX4MZP3A`.")
    status: OrderStatus
    payment_method: PaymentMethod
    created_at: datetime
    expires_at: datetime | None = Field(description="While unpaid: when the stock hold ends.")
    paid_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    buyer_note: str | None
    po_number: str | None
    subtotal: Money
    shipping: Money
    total: Money
    refunded: Money
    address: AddressOut
    fulfilments: list[FulfilmentOut]
    payment: PaymentOut | None = Field(description="How to pay; null once the order no longer awaits payment.")
    invoice: InvoiceOut | None = Field(None, description="Orders paid on invoice: the invoice; null otherwise.")


class FulfilmentSummary(ResponseModel):
    id: int
    enterprise: EnterpriseRef
    status: FulfilmentStatus


class OrderSummary(ResponseModel):
    id: str = Field(description="The order's public id.")
    status: OrderStatus
    payment_method: PaymentMethod
    created_at: datetime
    expires_at: datetime | None
    paid_at: datetime | None
    total: Money
    item_count: int = Field(description="Units in the order.")
    fulfilments: list[FulfilmentSummary]


class OrderList(ResponseModel):
    data: list[OrderSummary]
    meta: PageMeta
