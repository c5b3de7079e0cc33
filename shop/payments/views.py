"""PromptPay QR / bank-transfer pages (blueprint ``payments``).

* ``POST /orders/<public_id>/slip``: the buyer sends a transfer slip (the same access
  as the order page: ``orders.access.load_order_for_buyer``, guests with the signed
  link in a hidden ``t`` field).
* ``GET /orders/<public_id>/slips/<id>/<size>.webp``: a slip image, only for the
  buyer, staff and the members of the enterprise that was paid.
* ``/admin/payments`` (staff) and ``/seller/<enterprise_id>/payments`` (members; only
  slips paid to that enterprise): review queues with confirm / reject.
* The template global ``payment_panel(order)`` feeds ``payments/_pay_panel.html``,
  which the order page includes for unpaid orders whose provider has no hosted
  checkout (``payment_capabilities(method)`` says which panel to show).

Views parse input, call one service in ``slips.py`` and render or redirect.
"""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.accounts.access import login_required, staff_required
from shop.catalog.access import get_member_enterprise_or_404
from shop.catalog.status import enterprise_status_label, member_role_label
from shop.errors import DomainError, NotFound
from shop.extensions import db
from shop.orders import status as st
from shop.orders.access import load_order_for_buyer, order_path, viewer_token
from shop.orders.models import Order
from shop.pagination import parse_page
from shop.payments import promptpay, slips
from shop.payments.blueprint import bp
from shop.payments.models import SLIP_CONFIRMED, SLIP_REJECTED, SLIP_SUBMITTED, PaymentSlip
from shop.payments.providers import ProviderCapabilities, ProviderError, allow_checkout_redirect, capabilities_of
from shop.payments.providers.flow import OrderNotPayable, begin_payment, latest_pending_payment

SLIP_STATUS_LABELS = {
    SLIP_SUBMITTED: _l("Waiting for review"),
    SLIP_CONFIRMED: _l("Confirmed"),
    SLIP_REJECTED: _l("Not accepted"),
    "all": _l("All"),
}


def slip_status_label(code: str) -> str:
    return str(SLIP_STATUS_LABELS.get(code, code))


def _link_if_installed(endpoint: str, **values) -> str | None:
    """A link to a page another area may provide, or None while it is not installed
    (the seller and back-office layouts ask for their optional tabs this way)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.app_template_global("payment_panel")
def payment_panel(order: Order) -> slips.PayPanel:
    return slips.pay_panel(order)


@bp.app_template_global("payment_capabilities")
def payment_capabilities(method: str) -> ProviderCapabilities:
    """What the provider of an order's ``payment_method`` can do (which pay panel to show)."""
    return capabilities_of(method)


@bp.app_template_filter("promptpay_qr")
def promptpay_qr(payload: str, title: str = "") -> str:
    return promptpay.qr_svg(payload, title=str(title))


@bp.context_processor
def _payment_helpers() -> dict:
    return {
        "slip_status_label": slip_status_label,
        "status_label": enterprise_status_label,  # the seller layout's status badge
        "role_label": member_role_label,
        "seller_link": _link_if_installed,
        "admin_link": _link_if_installed,
        "format_promptpay_id": _format_id,
        "SLIP": {"submitted": SLIP_SUBMITTED, "confirmed": SLIP_CONFIRMED, "rejected": SLIP_REJECTED},
    }


def _format_id(value: str | None) -> str:
    try:
        return promptpay.format_promptpay_id(value or "")
    except promptpay.InvalidPromptPayId:
        return value or ""


def _actor():
    return current_user if current_user.is_authenticated else None


def _viewer_token(order: Order) -> str | None:
    return viewer_token(order, _actor())


# ---------------------------------------------------------------- buyer


def _read_upload(max_bytes: int) -> bytes:
    """The uploaded file's bytes, reading at most one byte past the limit."""
    upload = request.files.get("slip")
    if upload is None:
        return b""
    return upload.stream.read(max_bytes + 1)


@bp.post("/orders/<public_id>/slip")
def upload_slip(public_id: str):
    order = load_order_for_buyer(public_id, _actor(), request.form.get("t") or request.args.get("t"))
    try:
        data = _read_upload(int(current_app.config["SLIP_MAX_BYTES"]))
        slips.submit_slip(order, data, actor=_actor())
    except DomainError as exc:
        return render_template(
            "payments/upload.html", order=order, token=_viewer_token(order), error=exc.message, st=st,
        ), exc.status_code
    flash(_("Thank you! We received your slip and will check the payment soon. "
            "We will e-mail you when it is confirmed."), "success")
    return redirect(order_path(order, with_token=_viewer_token(order) is not None), code=303)


@bp.get("/orders/<public_id>/slips/<int:slip_id>/<size>.webp")
def slip_image(public_id: str, slip_id: int, size: str):
    user = _actor()
    order = None
    slip = None
    # Reviewers (staff, the payee enterprise's members) need no buyer access.
    candidate = db.session.get(PaymentSlip, slip_id)
    if candidate is not None and candidate.order.public_id == public_id and slips.reviewer_role(candidate, user):
        slip = candidate
    else:
        order = load_order_for_buyer(public_id, user, request.args.get("t"))
        slip = slips.slip_of_order(order, slip_id)
    # A bank slip shows names and account numbers: never kept by shared caches.
    return slips.slip_image_response(slip, size)


# ---------------------------------------------------------------- review queues


def _render_queue(template: str, *, enterprise=None, status_filter: str | None = None, status_code: int = 200,
                  error=None, reason_errors: dict | None = None, **context):
    status_filter = status_filter or slips.parse_filter(request.args.get("status"))
    page = slips.review_queue(
        enterprise_id=enterprise.id if enterprise is not None else None,
        status_filter=status_filter, page=parse_page(request.values.get("page"), lenient=True),
    )
    return render_template(
        template, page=page, status_filter=status_filter, filters=slips.QUEUE_FILTERS, enterprise=enterprise,
        error=error, reason_errors=reason_errors or {}, platform=promptpay.platform_payee(), st=st, **context,
    ), status_code


def _back_filter() -> str:
    return slips.parse_filter(request.form.get("back_status"))


@bp.get("/admin/payments")
@staff_required
def admin_queue():
    return _render_queue("payments/admin_queue.html")


@bp.get("/seller/<int:enterprise_id>/payments")
@login_required
def seller_queue(enterprise_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return _render_queue("payments/seller_queue.html", enterprise=enterprise)


def _review(slip_id: int, action: str, *, enterprise=None):
    """Confirm or reject one slip, then back to the queue (or the queue with the error)."""
    template = "payments/seller_queue.html" if enterprise is not None else "payments/admin_queue.html"
    slip, _role = slips.slip_for_reviewer(
        slip_id, current_user, enterprise_id=enterprise.id if enterprise is not None else None
    )
    public_id = slip.order.public_id
    try:
        if action == "confirm":
            slips.confirm_slip(slip, actor=current_user)
            message = _("Payment for order %(id)s confirmed. The enterprise can now prepare it.", id=public_id)
        else:
            slips.reject_slip(slip, actor=current_user, reason=request.form.get("reason"))
            message = _("The slip for order %(id)s was not accepted. The buyer has been told why.", id=public_id)
    except NotFound:
        raise
    except DomainError as exc:
        if exc.fields.get("reason"):
            return _render_queue(template, enterprise=enterprise, status_filter=_back_filter(),
                                 status_code=exc.status_code, reason_errors={slip_id: exc.fields["reason"]})
        return _render_queue(template, enterprise=enterprise, status_filter=_back_filter(),
                             status_code=exc.status_code, error=exc.message)
    flash(message, "success")
    if enterprise is not None:
        return redirect(url_for("payments.seller_queue", enterprise_id=enterprise.id, status=_back_filter()), code=303)
    return redirect(url_for("payments.admin_queue", status=_back_filter()), code=303)


@bp.post("/admin/payments/<int:slip_id>/confirm")
@staff_required
def admin_confirm(slip_id: int):
    return _review(slip_id, "confirm")


@bp.post("/admin/payments/<int:slip_id>/reject")
@staff_required
def admin_reject(slip_id: int):
    return _review(slip_id, "reject")


@bp.post("/seller/<int:enterprise_id>/payments/<int:slip_id>/confirm")
@login_required
def seller_confirm(enterprise_id: int, slip_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return _review(slip_id, "confirm", enterprise=enterprise)


@bp.post("/seller/<int:enterprise_id>/payments/<int:slip_id>/reject")
@login_required
def seller_reject(enterprise_id: int, slip_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return _review(slip_id, "reject", enterprise=enterprise)


# ---------------------------------------------------------------- provider payments (Stripe Checkout)


def _order_page(order: Order):
    return redirect(order_path(order, with_token=_viewer_token(order) is not None), code=303)


@bp.post("/orders/<public_id>/pay")
def pay(public_id: str):
    """Start or resume the provider payment of an unpaid order (reuses an open
    Checkout Session), then off to the provider's page."""
    order = load_order_for_buyer(public_id, _actor(), request.form.get("t") or request.args.get("t"))
    try:
        start = begin_payment(order)
    except OrderNotPayable as exc:
        flash(exc.message, "info")
        return _order_page(order)
    except ProviderError:
        flash(_("We could not open the payment page just now. Your order is kept: "
                "please try again in a moment."), "error")
        return _order_page(order)
    if start.redirect_url:
        return redirect(start.redirect_url, code=303)
    if start.payment is not None:  # paid at the provider, waiting for its confirmation
        return redirect(_return_path(order), code=303)
    return _order_page(order)


def _return_path(order: Order, **extra) -> str:
    token = _viewer_token(order)
    return url_for("payments.payment_return", public_id=order.public_id, **({"t": token} if token else {}), **extra)


# The return page reloads itself every few seconds while the webhook is awaited,
# then less often; after RETURN_PATIENCE reloads it says so and keeps waiting.
RETURN_REFRESH_SECONDS = 3
RETURN_SLOW_REFRESH_SECONDS = 15
RETURN_PATIENCE = 20


@bp.get("/orders/<public_id>/payment-return")
def payment_return(public_id: str):
    """Where Stripe sends the buyer back: wait for the webhook, then the order page."""
    order = load_order_for_buyer(public_id, _actor(), request.args.get("t"))
    if order.status != st.ORDER_PENDING_PAYMENT:
        if order.status == st.ORDER_CANCELLED:
            flash(_("This order is cancelled."), "info")
        else:
            flash(_("Thank you! Your payment is confirmed."), "success")
        return _order_page(order)
    try:
        polls = max(0, min(int(request.args.get("n", "0")), 10_000))
    except ValueError:
        polls = 0
    cancelled = request.args.get("cancelled") == "1"
    pending = latest_pending_payment(order)
    slow = polls >= RETURN_PATIENCE
    refresh = None
    if not cancelled and pending is not None:
        extra = {"n": polls + 1}
        if request.args.get("session_id"):
            extra["session_id"] = request.args["session_id"][:255]
        refresh = {
            "seconds": RETURN_SLOW_REFRESH_SECONDS if slow else RETURN_REFRESH_SECONDS,
            "url": _return_path(order, **extra),
        }

    return allow_checkout_redirect(make_response(render_template(
        "payments/return.html", order=order, token=_viewer_token(order), cancelled=cancelled,
        pending=pending, slow=slow, refresh=refresh, order_link=order_path(order, with_token=_viewer_token(order) is not None),
    )))


import shop.payments.webhook_views  # noqa: E402,F401  (POST /webhooks/stripe on this blueprint)
from shop.payments import refund_views  # noqa: E402,F401  (refund pages on this blueprint)
