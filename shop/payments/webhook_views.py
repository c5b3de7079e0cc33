"""``POST /webhooks/stripe`` on the ``payments`` blueprint (imported at the end of
``payments/views.py``), and the staff list of Stripe events that need a look. The
provider verifies and reads the request (``verify_webhook``); ``payments.webhooks``
records and applies the event.

The webhook is exempt from CSRF (Stripe signs the body instead) and has no rate limit
(Stripe retries and bursts legitimately). It answers:

* 400 ``{"error": <code>}`` when the signature, timestamp, header or JSON is wrong
  (nothing recorded; Stripe shows the code in its dashboard);
* 404 when Stripe is not configured (no webhook secret);
* 200 ``{"received": true, ...}`` for every authentic event, including duplicates and
  types the app does not handle, so Stripe stops retrying.

Any other failure is a 500 with nothing recorded, and Stripe delivers the event again.
"""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from shop.accounts.access import staff_required
from shop.extensions import csrf
from shop.orders import status as st
from shop.payments import webhooks
from shop.payments.blueprint import bp
from shop.payments.providers import get_provider
from shop.payments.providers.events import WebhookRejected

# What each outcome that needs staff means, in their language.
ATTENTION_LABELS = {
    webhooks.OUTCOME_AMOUNT_MISMATCH: _l("Stripe collected a different amount or currency than the order's total. "
                                         "The order was not marked paid."),
    webhooks.OUTCOME_PAID_AFTER_CANCEL: _l("The buyer paid after the order was cancelled. Refund the payment in Stripe."),
    webhooks.OUTCOME_PAID_TWICE: _l("The order was paid twice. Refund one of the payments in Stripe."),
    webhooks.OUTCOME_REFUND_UNALLOCATED: _l("A refund made in Stripe could not be matched to the order's parts. "
                                            "Check the order's refunds."),
}


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook():
    try:
        event = get_provider(st.PAYMENT_STRIPE).verify_webhook(request.get_data(), request.headers)
    except WebhookRejected as exc:
        current_app.logger.info("stripe webhook rejected: %s", exc.reason)
        return jsonify({"error": exc.reason}), exc.status_code
    result = webhooks.process_event(event)
    body: dict = {"received": True, "duplicate": result.duplicate}
    if result.outcome:
        body["outcome"] = result.outcome
    return jsonify(body), 200


@bp.get("/admin/payments/stripe-events")
@staff_required
def stripe_events():
    """Stripe events where money and order disagree (wrong amount, paid after the
    order was cancelled, paid twice, a refund the app could not place)."""
    return render_template("payments/stripe_events.html", rows=webhooks.events_needing_attention(provider=st.PAYMENT_STRIPE),
                           labels=ATTENTION_LABELS)
