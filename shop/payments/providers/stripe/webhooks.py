"""Stripe's webhook events: verified with the SDK, then read into the shop's terms.

Verification
    ``construct_event`` is a thin wrapper around ``stripe.Webhook.construct_event``
    (as Saleor's ``construct_stripe_event`` is): the SDK checks the ``Stripe-Signature``
    header against the raw body (HMAC-SHA256 of ``f"{t}.{body}"`` with the endpoint's
    secret; any of the ``v1`` values may match) and refuses a timestamp more than
    ``TOLERANCE_SECONDS`` old. Around it the shop adds its own checks: a header that
    is missing, oversized or not of Stripe's shape is refused before the SDK sees it,
    and a timestamp more than ``TOLERANCE_SECONDS`` *in the future* is refused too
    (the SDK accepts a signature dated an hour ahead). Every refusal is a
    ``WebhookRejected`` with a short reason code (400); the body is read only after
    the SDK has authenticated it.

Reading
    ``read_event`` turns an authenticated Stripe event into a ``WebhookEvent`` whose
    ``change`` says what happened without Stripe's object shapes (``events.py``):
    Checkout Session events become ``AttemptChange``, ``charge.refunded`` a
    ``ChargeRefunds``, the refund events a ``RefundChange``; other types carry no
    change. ``payments.webhooks`` applies it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import stripe

from shop.dbtypes import MAX_INT
from shop.payments.providers.events import (
    CHARGE_REFUNDED,
    PAYMENT_COMPLETED,
    PAYMENT_EXPIRED,
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    REFUND_STATE_FAILED,
    REFUND_STATE_PENDING,
    REFUND_STATE_SUCCEEDED,
    REFUND_UPDATED,
    AttemptChange,
    ChargeRefunds,
    RefundChange,
    RefundState,
    WebhookEvent,
    WebhookRejected,
)

PROVIDER = "stripe"
TOLERANCE_SECONDS = 300
MAX_HEADER_LENGTH = 4096
# ``Refund.reason`` of a refund made in Stripe's dashboard (found through charge.refunded).
DASHBOARD_REFUND_REASON = "Refunded in the Stripe dashboard"

_SESSION_EVENTS = {
    "checkout.session.completed": PAYMENT_COMPLETED,
    "checkout.session.async_payment_succeeded": PAYMENT_SUCCEEDED,
    "checkout.session.async_payment_failed": PAYMENT_FAILED,
    "checkout.session.expired": PAYMENT_EXPIRED,
}
_REFUND_EVENTS = ("refund.updated", "refund.failed", "charge.refund.updated")


# ---------------------------------------------------------------- verification


def _signed_at(header: str | None) -> int:
    """The header's timestamp, when the header has Stripe's shape (``t=<digits>`` and
    at least one ``v1=``); the SDK checks the signatures themselves."""
    if not header or len(header) > MAX_HEADER_LENGTH:
        raise WebhookRejected("signature_header_missing")
    timestamp: int | None = None
    signed = False
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise WebhookRejected("signature_header_malformed")
        if key == "t":
            if not value.isdigit() or len(value) > 12:
                raise WebhookRejected("signature_header_malformed")
            timestamp = int(value)
        elif key == "v1":
            signed = True
    if timestamp is None or not signed:
        raise WebhookRejected("signature_header_malformed")
    return timestamp


def construct_event(payload: bytes, sig_header: str | None, secret: str, *,
                    tolerance: int = TOLERANCE_SECONDS) -> WebhookEvent:
    """The verified event in ``payload``, or ``WebhookRejected`` (see the module)."""
    if not secret:
        raise WebhookRejected("not_configured")
    timestamp = _signed_at(sig_header)
    try:
        body = payload.decode("utf-8")  # Stripe signs (and sends) UTF-8 JSON
    except UnicodeDecodeError as exc:
        raise WebhookRejected("malformed_json") from exc
    try:
        event = stripe.Webhook.construct_event(body, sig_header, secret, tolerance=tolerance)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRejected(_refusal(body, sig_header, secret)) from exc
    except json.JSONDecodeError as exc:
        raise WebhookRejected("malformed_json") from exc
    except (ValueError, AttributeError, TypeError) as exc:  # JSON, but not an event object
        raise WebhookRejected("malformed_event") from exc
    if timestamp > time.time() + tolerance:
        raise WebhookRejected("timestamp_in_future")
    return read_event(event.to_dict())


def _refusal(body: str, sig_header: str | None, secret: str) -> str:
    """Why the SDK refused: a right signature that is too old, or a wrong one."""
    try:
        stripe.WebhookSignature.verify_header(body, sig_header, secret, tolerance=None)
    except stripe.SignatureVerificationError:
        return "signature_mismatch"
    return "timestamp_too_old"


def verify_webhook(payload: bytes, headers: Mapping[str, str], secret: str) -> WebhookEvent:
    return construct_event(payload, headers.get("Stripe-Signature"), secret)


# ---------------------------------------------------------------- reading


def read_event(data: Any) -> WebhookEvent:
    """An authenticated event body as a ``WebhookEvent``; a wrong shape → 400."""
    if not isinstance(data, dict):
        raise WebhookRejected("malformed_event")
    event_id, event_type = data.get("id"), data.get("type")
    inner = data.get("data")
    obj = inner.get("object") if isinstance(inner, dict) else None
    if (not isinstance(event_id, str) or not event_id or len(event_id) > 255
            or not isinstance(event_type, str) or not event_type or len(event_type) > 80
            or not isinstance(obj, dict)):
        raise WebhookRejected("malformed_event")
    created = data.get("created")
    ref = obj.get("id")
    return WebhookEvent(provider=PROVIDER, id=event_id, type=event_type,
                        object_ref=ref if isinstance(ref, str) else None, change=_change(event_type, obj),
                        created=created if isinstance(created, int) else None)


def _change(event_type: str, obj: dict) -> AttemptChange | ChargeRefunds | RefundChange | None:
    if event_type in _SESSION_EVENTS:
        return _attempt(_SESSION_EVENTS[event_type], obj)
    if event_type == "charge.refunded":
        refunds = _refund_objects(obj)
        return ChargeRefunds(
            kind=CHARGE_REFUNDED, charge_ref=_str(obj.get("id")), payment_intent_ref=_str(obj.get("payment_intent")),
            refunds=tuple(_refund_state(item) for item in refunds) if refunds is not None else None,
            amount_refunded=_int(obj.get("amount_refunded")), unrequested_reason=DASHBOARD_REFUND_REASON,
        )
    if event_type in _REFUND_EVENTS:
        return RefundChange(kind=REFUND_UPDATED, refund=_refund_state(obj))
    return None


def _str(value: Any) -> str | None:
    """An id that may come expanded (``{"id": …}``) or as a plain string."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _attempt(kind: str, session: dict) -> AttemptChange:
    currency = session.get("currency")
    return AttemptChange(
        kind=kind, attempt_ref=_str(session.get("id")), order_ref=_session_order_public_id(session),
        paid=session.get("payment_status") == "paid", amount_satang=_int(session.get("amount_total")),
        currency=currency if isinstance(currency, str) else None,
        payment_intent_ref=_str(session.get("payment_intent")), method=_method_of(session),
    )


def _session_order_public_id(session: dict) -> str | None:
    metadata = session.get("metadata")
    candidates = [metadata.get("order_id") if isinstance(metadata, dict) else None,
                  session.get("client_reference_id")]
    for value in candidates:
        if isinstance(value, str) and value:
            return value
    return None


def _method_of(session: dict) -> str | None:
    """The payment method the buyer used, when the event tells it: an expanded
    payment intent names it; otherwise a completed session still ``unpaid`` can only be
    PromptPay (the one delayed method the app offers)."""
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        types = intent.get("payment_method_types")
        if isinstance(types, list) and len(types) == 1 and isinstance(types[0], str):
            return types[0][:24]
    types = session.get("payment_method_types")
    if isinstance(types, list) and len(types) == 1 and isinstance(types[0], str):
        return types[0][:24]
    if session.get("payment_status") == "unpaid" and session.get("status") == "complete":
        return "promptpay"
    return None


def _refund_objects(charge: dict) -> list[dict] | None:
    refunds = charge.get("refunds")
    data = refunds.get("data") if isinstance(refunds, dict) else None
    if not isinstance(data, list):
        return None
    return [item for item in data if isinstance(item, dict)]


def _refund_state(obj: dict) -> RefundState:
    status = obj.get("status")
    failure = None
    if status == "succeeded":
        state = REFUND_STATE_SUCCEEDED
    elif status in ("failed", "canceled"):
        state = REFUND_STATE_FAILED
        reason = obj.get("failure_reason")
        failure = str(reason) if reason else str(status)
    elif status is None:
        state = None
    else:
        state = REFUND_STATE_PENDING
    metadata = obj.get("metadata")
    key = refund_id = None
    if isinstance(metadata, dict):
        value = metadata.get("idempotency_key")
        key = value if isinstance(value, str) and value else None
        value = metadata.get("refund_id")
        if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) <= MAX_INT:
            refund_id = int(value)
    return RefundState(ref=_str(obj.get("id")), status=state, amount_satang=_int(obj.get("amount")),
                       failure_reason=failure, idempotency_key=key, refund_id=refund_id)
