"""Stripe Checkout Sessions for orders.

``build_session_params(order, now=...)`` is pure (it reads the order only), so the
request body is the same every time for the same order state; with the idempotency
key from ``idempotency_key(order, attempt)`` a retry after a timeout gets back the
session Stripe already made instead of a second one.

The session: mode ``payment``, currency ``thb``, methods card and PromptPay, one line
item per order line and one shipping line per fulfilment (``unit_amount`` in satang),
``client_reference_id`` and ``metadata.order_id`` = the order's public id (also on the
payment intent, with ``transfer_group`` for Connect transfers), ``customer_email``,
``expires_at`` = the order's hold (which ``ensure_hold`` keeps at least
``MIN_SESSION_MINUTES`` ahead, Stripe's minimum being 30) and success / cancel URLs
back to ``/orders/<public_id>/payment-return?t=<signed link token>``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.dbtypes import utcnow
from shop.orders.access import order_token
from shop.orders.models import Order

CURRENCY = "thb"
PAYMENT_METHOD_TYPES = ["card", "promptpay"]
# Stripe refuses an ``expires_at`` less than 30 minutes ahead; keep a margin for the
# time the request takes.
MIN_SESSION_MINUTES = 31
EXTENDED_HOLD_MINUTES = 35
MAX_SESSION_HOURS = 24


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def ensure_hold(order: Order, *, now: datetime | None = None) -> bool:
    """Push the order's hold to at least ``MIN_SESSION_MINUTES`` from now (Stripe's
    floor for ``expires_at``) and at most 24 h; True when it changed. Never commits."""
    now = _aware(now or utcnow())
    current = _aware(order.expires_at) if order.expires_at else None
    if current is not None and current >= now + timedelta(minutes=MIN_SESSION_MINUTES):
        if current <= now + timedelta(hours=MAX_SESSION_HOURS):
            return False
        order.expires_at = (now + timedelta(hours=MAX_SESSION_HOURS)).replace(microsecond=0)
        return True
    order.expires_at = (now + timedelta(minutes=EXTENDED_HOLD_MINUTES)).replace(microsecond=0)
    return True


def return_url(order: Order, **extra: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    query = urlencode({"t": order_token(order), **extra})
    return f"{base}/orders/{order.public_id}/payment-return?{query}"


def idempotency_key(order: Order, attempt: int) -> str:
    """Deterministic per order and attempt (and hold: a new hold is a new request)."""
    stamp = int(_aware(order.expires_at).timestamp()) if order.expires_at else 0
    return f"checkout-{order.public_id}-{attempt}-{stamp}"


def _line_items(order: Order) -> list[dict[str, Any]]:
    locale = order.locale or "th"
    items: list[dict[str, Any]] = []
    for fulfilment in order.fulfilments:
        for line in fulfilment.lines:
            items.append({
                "quantity": int(line.quantity),
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": int(line.unit_price_satang),
                    "product_data": {"name": line.name(locale)[:250], "metadata": {"sku": line.sku}},
                },
            })
        if fulfilment.shipping_satang > 0:
            with force_locale(locale):
                name = _("Shipping from %(enterprise)s (%(option)s)", enterprise=fulfilment.enterprise.t("name", locale),
                         option=fulfilment.shipping_name)
            items.append({
                "quantity": 1,
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": int(fulfilment.shipping_satang),
                    "product_data": {"name": name[:250]},
                },
            })
    total = sum(i["quantity"] * i["price_data"]["unit_amount"] for i in items)
    if total != order.total_satang:
        # The order's total is what is owed; never let Stripe charge anything else.
        with force_locale(locale):
            name = _("Order %(number)s", number=order.public_id)
        items = [{"quantity": 1, "price_data": {"currency": CURRENCY, "unit_amount": int(order.total_satang),
                                                 "product_data": {"name": name}}}]
    return items


def build_session_params(order: Order) -> dict[str, Any]:
    expires_at = int(_aware(order.expires_at).timestamp())
    return {
        "mode": "payment",
        "currency": CURRENCY,
        "payment_method_types": list(PAYMENT_METHOD_TYPES),
        "line_items": _line_items(order),
        "client_reference_id": order.public_id,
        "metadata": {"order_id": order.public_id},
        "payment_intent_data": {
            "metadata": {"order_id": order.public_id},
            "transfer_group": order.public_id,
        },
        "customer_email": order.email,
        "locale": "en" if order.locale == "en" else "th",
        "expires_at": expires_at,
        "success_url": return_url(order) + "&session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": return_url(order, cancelled="1"),
    }
