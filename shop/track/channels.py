"""Which channel an order came through (docs/product.md: Dashboards, channel mix), as
one SQL expression on ``Order`` so lists and sums are decided in the database.

Every order is in exactly one channel, the first that fits:

1. ``quote``: a request for quote whose accepted quote placed the order;
2. ``invoice``: paid on invoice (net terms), not from a quote;
3. ``retail``: placed by a business account that staff had verified by then
   (``RetailBuyer.verified_at`` at or before the order) and that is still verified;
4. ``online``: everything else: guests and shoppers buying from the storefront.

The dashboard's channel mix counts each enterprise's *part* of an order, and puts a
part that is an experience booking (``experiences.models.Booking`` names its
fulfilment) in a channel of its own, ``experience``, whatever the order's channel
(``channel_of_part``): guests hosted are another market than goods sold.

A sale is an order that was paid (``paid_at``) or confirmed on invoice, for an
enterprise's part that was not cancelled: the part's goods and shipping less its
refunds, as the dashboard's sales figure counts it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, or_, select

from shop.accounts.models import RetailBuyer
from shop.experiences.models import Booking
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order
from shop.quotes.models import QuoteRequest

ONLINE = "online"
RETAIL = "retail"
QUOTE = "quote"
INVOICE = "invoice"
EXPERIENCE = "experience"
CHANNELS = (ONLINE, RETAIL, QUOTE, INVOICE)
#: The channels of an enterprise's parts of orders: the orders' channels and experiences.
PART_CHANNELS = (*CHANNELS, EXPERIENCE)

LABELS = {
    ONLINE: _l("Online shoppers"),
    RETAIL: _l("Retail buyers"),
    QUOTE: _l("Accepted quotes"),
    INVOICE: _l("Invoice orders"),
    EXPERIENCE: _l("Experiences"),
}


def channel_of_order():
    """SQL: the channel code of ``Order``."""
    from_quote = exists(select(QuoteRequest.id).where(QuoteRequest.order_id == Order.id))
    verified_buyer = exists(select(RetailBuyer.id).where(
        RetailBuyer.user_id == Order.user_id, RetailBuyer.status == RetailBuyer.VERIFIED,
        RetailBuyer.verified_at.is_not(None), RetailBuyer.verified_at <= Order.created_at,
    ))
    return case(
        (from_quote, QUOTE),
        (Order.payment_method == st.PAYMENT_INVOICE, INVOICE),
        (verified_buyer, RETAIL),
        else_=ONLINE,
    )


def channel_of_part():
    """SQL: the channel code of ``Fulfilment`` (joined to its ``Order``): ``experience``
    for a booking, else its order's channel."""
    booking = exists(select(Booking.id).where(Booking.fulfilment_id == Fulfilment.id))
    return case((booking, EXPERIENCE), else_=channel_of_order())


def is_sale():
    """SQL on ``Order`` joined to ``Fulfilment``: the part counts as a sale."""
    return and_(
        or_(Order.paid_at.is_not(None), Order.status == st.ORDER_INVOICED),
        Fulfilment.status != st.FULFILMENT_CANCELLED,
    )


def is_retail_channel():
    """SQL: the order came from a business account (any channel but ``online``)."""
    return channel_of_order() != ONLINE
