"""Seller order pages (docs/product.md: Orders, Dashboards): the list of the
enterprise's fulfilments (tabs: to act on, shipped, all), one fulfilment with its
buttons (accept, packed, ship with carrier and tracking number, delivered, cancel with a
reason) and its timeline, a printable packing slip, and the orders CSV.

Every page is under ``/seller/<enterprise_id>/`` and checks membership on every
request; the fulfilment is then looked up within that enterprise, so another
enterprise's fulfilment id answers 404. The steps are ``shop.orders.services``
(they check state, role and payment again, and commit); a refused step is shown on
the page again with its message and a 4xx status, never a 500.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from shop.accounts.access import login_required
from shop.catalog.access import get_member_enterprise_or_404
from shop.errors import DomainError, NotFound, PermissionDenied
from shop.forms import ConfirmForm, show_domain_error
from shop.i18n import current_language
from shop.orders import services as order_services
from shop.orders import status as st
from shop.pagination import parse_page
from shop.sellers import bp
from shop.sellers import order_services as services
from shop.sellers.order_forms import CancelForm, ShipForm
from shop.spreadsheets import csv_response


@bp.context_processor
def _order_helpers() -> dict:
    return {
        "seller_status": services.seller_status,
        "seller_status_label": services.seller_status_label,
        "fulfilment_status_label": lambda code: st.status_label(st.FULFILMENT, code),
        "order_status_label": lambda code: st.status_label(st.ORDER, code),
        "carrier_label": st.carrier_label,
        "actor_role_label": st.role_label,
        "items_summary": lambda lines: services.items_summary(lines, current_language()),
    }


def _enterprise(enterprise_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return enterprise


def _fulfilment(enterprise_id: int, fulfilment_id: int):
    enterprise = _enterprise(enterprise_id)
    fulfilment = services.fulfilment_for_enterprise(enterprise, fulfilment_id)
    role = order_services.seller_role(current_user, fulfilment)
    if role is None:  # pragma: no cover - membership was checked just above
        raise NotFound()
    return enterprise, fulfilment, role


# ---------------------------------------------------------------- list and CSV


@bp.get("/<int:enterprise_id>/orders")
@login_required
def orders(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    page = services.orders_page(enterprise, tab=request.args.get("tab"), status_filter=request.args.get("status"),
                                query=request.args.get("q"),
                                page=parse_page(request.args.get("page"), lenient=True))
    return render_template(
        "sellers/orders/index.html", enterprise=enterprise, page=page, active_tab="orders",
        tabs=services.TABS, tab_label=services.tab_label, status_filters=services.STATUS_FILTERS,
    )


@bp.get("/<int:enterprise_id>/orders.csv")
@login_required
def orders_csv(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    since = services.parse_day(request.args.get("from"), "from")
    until = services.parse_day(request.args.get("to"), "to")
    body = services.export_csv(
        enterprise, tab=request.args.get("tab", services.TAB_ALL), status_filter=request.args.get("status"),
        query=request.args.get("q"), since=since, until=until, locale=current_language(),
    )
    return csv_response(body, filename=f"{enterprise.slug}-orders.csv")


# ---------------------------------------------------------------- one fulfilment


def _receipt_url(enterprise, fulfilment) -> str | None:
    """The receipt PDF of a paid part, when the documents area serves one (it owns
    that route; this page only links to it)."""
    if not fulfilment.document_no or fulfilment.order.paid_at is None:
        return None
    path = f"/seller/{enterprise.id}/orders/{fulfilment.id}/receipt.pdf"
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return path


def _render_detail(enterprise, fulfilment, role, *, ship_form=None, cancel_form=None, error=None,
                   status_code: int = 200):
    ship_form = ship_form or ShipForm()
    if not ship_form.is_submitted() and fulfilment.carrier:
        ship_form.carrier.data = fulfilment.carrier
    return render_template(
        "sellers/orders/detail.html", enterprise=enterprise, fulfilment=fulfilment, order=fulfilment.order,
        lines=fulfilment.lines, actions=services.seller_actions(fulfilment, role),
        timeline=services.timeline(fulfilment), ship_form=ship_form, cancel_form=cancel_form or CancelForm(),
        confirm_form=ConfirmForm(), error=error, active_tab="orders", lapsed_reason=order_services.LAPSED_REASON,
        is_pickup=fulfilment.shipping_kind == st.SHIPPING_PICKUP, receipt_url=_receipt_url(enterprise, fulfilment),
    ), status_code


@bp.get("/<int:enterprise_id>/orders/<int:fulfilment_id>")
@login_required
def order_detail(enterprise_id: int, fulfilment_id: int):
    enterprise, fulfilment, role = _fulfilment(enterprise_id, fulfilment_id)
    return _render_detail(enterprise, fulfilment, role)


def _back(enterprise, fulfilment):
    return redirect(url_for("sellers.order_detail", enterprise_id=enterprise.id, fulfilment_id=fulfilment.id))


def _step(enterprise_id: int, fulfilment_id: int, action, done_message: str):
    """A one-button step (accept, packed, delivered)."""
    enterprise, fulfilment, role = _fulfilment(enterprise_id, fulfilment_id)
    form = ConfirmForm()
    if not form.validate():  # pragma: no cover - CSRFProtect refuses first
        return _render_detail(enterprise, fulfilment, role, status_code=400)
    try:
        action(fulfilment, actor=current_user, role=role)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        fulfilment = services.fulfilment_for_enterprise(enterprise, fulfilment_id)  # re-read after the rollback
        return _render_detail(enterprise, fulfilment, role, error=exc.message, status_code=exc.status_code)
    flash(done_message, "success")
    return _back(enterprise, fulfilment)


@bp.post("/<int:enterprise_id>/orders/<int:fulfilment_id>/accept")
@login_required
def order_accept(enterprise_id: int, fulfilment_id: int):
    return _step(enterprise_id, fulfilment_id, order_services.accept_fulfilment,
                 _("Order accepted. Pack it, then mark it as packed."))


@bp.post("/<int:enterprise_id>/orders/<int:fulfilment_id>/packed")
@login_required
def order_packed(enterprise_id: int, fulfilment_id: int):
    return _step(enterprise_id, fulfilment_id, order_services.pack_fulfilment,
                 _("Marked as packed. Enter the tracking number when you hand it to the carrier."))


@bp.post("/<int:enterprise_id>/orders/<int:fulfilment_id>/delivered")
@login_required
def order_delivered(enterprise_id: int, fulfilment_id: int):
    return _step(enterprise_id, fulfilment_id, order_services.mark_delivered, _("Marked as delivered."))


@bp.post("/<int:enterprise_id>/orders/<int:fulfilment_id>/ship")
@login_required
def order_ship(enterprise_id: int, fulfilment_id: int):
    enterprise, fulfilment, role = _fulfilment(enterprise_id, fulfilment_id)
    form = ShipForm()
    if not form.validate():
        return _render_detail(enterprise, fulfilment, role, ship_form=form, status_code=422)
    try:
        order_services.ship_fulfilment(fulfilment, actor=current_user, role=role, carrier=form.carrier_value(),
                                       tracking_number=form.tracking_value())
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        show_domain_error(form, exc)
        fulfilment = services.fulfilment_for_enterprise(enterprise, fulfilment_id)
        return _render_detail(enterprise, fulfilment, role, ship_form=form, status_code=exc.status_code)
    if fulfilment.shipping_kind == st.SHIPPING_PICKUP:
        flash(_("Marked as ready. We told the buyer."), "success")
    else:
        flash(_("Marked as shipped. We sent the tracking number to the buyer."), "success")
    return _back(enterprise, fulfilment)


@bp.post("/<int:enterprise_id>/orders/<int:fulfilment_id>/cancel")
@login_required
def order_cancel(enterprise_id: int, fulfilment_id: int):
    enterprise, fulfilment, role = _fulfilment(enterprise_id, fulfilment_id)
    form = CancelForm()
    if not form.validate():
        return _render_detail(enterprise, fulfilment, role, cancel_form=form, status_code=422)
    try:
        order_services.cancel_fulfilment(fulfilment, actor=current_user, role=role, reason=form.reason.data)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        show_domain_error(form, exc)
        fulfilment = services.fulfilment_for_enterprise(enterprise, fulfilment_id)
        return _render_detail(enterprise, fulfilment, role, cancel_form=form, status_code=exc.status_code)
    flash(_("Your part of the order is cancelled. We told the buyer why."), "success")
    return _back(enterprise, fulfilment)


@bp.get("/<int:enterprise_id>/orders/<int:fulfilment_id>/packing-slip")
@login_required
def packing_slip(enterprise_id: int, fulfilment_id: int):
    enterprise, fulfilment, _role = _fulfilment(enterprise_id, fulfilment_id)
    return render_template(
        "sellers/orders/packing_slip.html", enterprise=enterprise, fulfilment=fulfilment, order=fulfilment.order,
        lines=services.packing_lines(fulfilment), total_units=sum(line.quantity for line in fulfilment.lines),
    )
