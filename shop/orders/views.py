"""The buyer's order pages: one order (``/orders/<public_id>``, also for guests with
the signed link), cancelling an unpaid order, confirming a parcel arrived, and the
order history of a signed-in user (``/account/orders``).

Access goes through ``orders.access.load_order_for_buyer`` (404 for anyone else); the
changes through ``orders.services``. Guests' forms carry the order's token in a
hidden ``t`` field, so they keep working without cookies.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.errors import DomainError
from shop.hooks import Hook
from shop.orders import services
from shop.orders import status as st
from shop.orders.access import buyer_role, load_order_for_buyer, order_path, viewer_token
from shop.orders.models import Order
from shop.pagination import parse_page

bp = Blueprint("orders", __name__)

#: ``(response) -> response``: what the areas above orders add to an order page's
#: answer (``shop/hooks.py``): payments lets "Pay now" be redirected to a hosted
#: checkout.
order_page_response = Hook("orders.order_page_response")


@bp.after_request
def _private(response):
    # Order pages show a name, an address and (in guests' links) the order's key:
    # never stored by shared caches, and the key is not sent to other sites.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    # "Pay now" on an unpaid Stripe order posts, then is redirected to Stripe Checkout.
    for handler in order_page_response.handlers():
        response = handler(response)
    return response


def _actor():
    return current_user if current_user.is_authenticated else None


def _viewer_token(order: Order) -> str | None:
    return viewer_token(order, _actor())


def _timeline(order: Order) -> list[dict]:
    names = {f.id: f.enterprise for f in order.fulfilments}
    entries = []
    for change in sorted(order.status_changes, key=lambda c: (c.created_at, c.id)):
        reason = change.reason
        if change.machine == st.FULFILMENT and change.actor_role == st.ROLE_SYSTEM:
            reason = None  # a part cancelled with the whole order: the order's entry says why
        elif change.reason == services.LAPSED_REASON:
            reason = _("Payment did not arrive in time, so the order was cancelled and the items released.")
        entries.append({
            "when": change.created_at,
            "machine": change.machine,
            "enterprise": names.get(change.fulfilment_id) if change.fulfilment_id else None,
            "status": st.status_label(change.machine, change.to_status),
            "to_status": change.to_status,
            "role": st.role_label(change.actor_role),
            "reason": reason,
        })
    return entries


def _render_detail(order: Order, *, error=None, status: int = 200):
    token = _viewer_token(order)
    role = buyer_role(order, _actor())
    return render_template(
        "orders/detail.html",
        order=order,
        token=token,
        role=role,
        error=error,
        timeline=_timeline(order),
        # A buyer whose slip is waiting for review cannot cancel (cancel_order refuses):
        # the button is not offered then.
        # Unpaid orders (the buyer or staff; not the buyer while a slip waits for review);
        # orders on invoice (staff, the table says).
        can_cancel=((order.is_unpaid or order.status == st.ORDER_INVOICED)
                    and st.check(st.ORDER, order.status, st.ORDER_CANCELLED, role) is None
                    and not (role == st.ROLE_BUYER and order.is_unpaid and services.slip_waiting(order))),
        paid=order.status in services.CONFIRMED_STATES,
        st=st,
        lapsed_reason=services.LAPSED_REASON,
    ), status


@bp.get("/orders/<public_id>")
def detail(public_id: str):
    order = load_order_for_buyer(public_id, _actor(), request.args.get("t"))
    return _render_detail(order)


def _after_change(order: Order, message: str):
    flash(message, "success")
    return redirect(order_path(order, with_token=_viewer_token(order) is not None), code=303)


@bp.post("/orders/<public_id>/cancel")
def cancel(public_id: str):
    order = load_order_for_buyer(public_id, _actor(), request.form.get("t"))
    try:
        services.cancel_order(order, actor=_actor(), role=buyer_role(order, _actor()),
                              reason=request.form.get("reason"))
    except DomainError as exc:
        return _render_detail(order, error=exc.message, status=exc.status_code)
    return _after_change(order, _("Your order is cancelled."))


@bp.post("/orders/<public_id>/fulfilments/<int:fulfilment_id>/delivered")
def delivered(public_id: str, fulfilment_id: int):
    order = load_order_for_buyer(public_id, _actor(), request.form.get("t"))
    fulfilment = services.fulfilment_of_order(order, fulfilment_id)
    try:
        services.mark_delivered(fulfilment, actor=_actor(), role=buyer_role(order, _actor()))
    except DomainError as exc:
        return _render_detail(order, error=exc.message, status=exc.status_code)
    return _after_change(order, _("Thank you for letting us know that your parcel arrived."))


@bp.get("/account/orders")
@login_required
def history():
    page = services.orders_of_user(current_user, page=parse_page(request.args.get("page"), lenient=True))
    return render_template("orders/history.html", page=page, st=st)
