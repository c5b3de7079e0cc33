"""Request and response models of the requests-for-quote endpoints (``quote_views``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from shop.api.buying_schemas import AddressIn, EnterpriseRef, PaymentMethod
from shop.api.schemas import IdInt, Money, MultilineText, PageMeta, PageQuery, RequestModel, ResponseModel, Text
from shop.dbtypes import MAX_INT

# ------------------------------------------------------------------------ requests


class CreateQuoteRequest(RequestModel):
    variant_id: IdInt = Field(description="The item (a variant of a live product) to ask about.")
    quantity: int = Field(ge=1, le=MAX_INT, description="How many you want (at most the shop's per-line limit).")
    target_unit_satang: int | None = Field(None, ge=1, le=MAX_INT,
                                           description="The unit price you hope for, in satang (optional).")
    delivery_date: date = Field(description="The day you need the goods by, from tomorrow to a year ahead. "
                                            "A request not answered by then expires.")
    message: MultilineText = Field(min_length=1, max_length=2000, description="What you need: packing, labels …")


class QuoteIn(RequestModel):
    unit_price_satang: int = Field(ge=1, le=MAX_INT, description="The unit price, in satang (at most ฿1,000,000).")
    quantity: int = Field(ge=1, le=MAX_INT, description="Whole case packs of the item.")
    shipping_satang: int = Field(ge=0, le=MAX_INT, description="The shipping fee for the whole quote, in satang.")
    valid_until: date = Field(description="The last day the buyer may accept (Bangkok time), today to 90 days ahead.")
    lead_time_days: int | None = Field(None, ge=0, le=MAX_INT, description="Days to prepare the goods, 0 to 365.")
    note: MultilineText | None = Field(None, max_length=2000, description="A note to the buyer.")


class DeclineIn(RequestModel):
    reason: MultilineText = Field(min_length=1, max_length=1000, description="Why; the buyer sees it.")


class WithdrawIn(RequestModel):
    reason: MultilineText | None = Field(None, max_length=1000, description="Why (optional); the enterprise sees it.")


class MessageIn(RequestModel):
    body: MultilineText = Field(min_length=1, max_length=2000)


class AcceptIn(RequestModel):
    """Where to deliver (a new ``address`` or one of your ``saved_address_id``), how to pay."""

    address: AddressIn | None = None
    saved_address_id: IdInt | None = Field(None, description="One of your saved addresses, instead of `address`.")
    payment_method: PaymentMethod | None = Field(None, description="One of the methods offered; the first when left out.")
    po_number: Text | None = Field(None, min_length=1, max_length=64, description="Your purchase-order number.")
    buyer_note: MultilineText | None = Field(None, max_length=500, description="A note to the enterprise.")


class QuoteListQuery(PageQuery):
    pass


class SellerQuoteListQuery(PageQuery):
    to_answer: bool = Field(False, description="Only the requests waiting for the enterprise's quote.")


# ------------------------------------------------------------------------ responses


class VariantRef(ResponseModel):
    id: int
    sku: str
    name: str
    product_id: int


class QuoteOut(ResponseModel):
    unit_price: Money
    quantity: int
    subtotal: Money
    shipping: Money
    total: Money
    valid_until: date
    lead_time_days: int | None
    note: str | None
    quoted_at: datetime | None


class QuoteMessageOut(ResponseModel):
    id: int
    author: str = Field(description="`buyer` or `seller`.")
    body: str
    created_at: datetime


class QuoteRequestSummary(ResponseModel):
    id: int
    reference: str = Field(description="As people read it, e.g. `RFQ-12`.")
    status: str = Field(description="`requested`, `quoted`, `accepted`, `declined`, `expired` or `withdrawn` "
                                    "(an open request past its day reads `expired` before the sweeper moved it).")
    enterprise: EnterpriseRef
    variant: VariantRef
    buyer_name: str
    quantity: int
    target_unit_price: Money | None
    delivery_date: date
    quote: QuoteOut | None
    order_id: str | None = Field(description="The order an accepted quote placed (`GET /orders/{public_id}`).")
    created_at: datetime


class QuoteRequestOut(QuoteRequestSummary):
    message: str
    decline_reason: str | None
    messages: list[QuoteMessageOut]


class QuoteRequestList(ResponseModel):
    data: list[QuoteRequestSummary]
    meta: PageMeta
