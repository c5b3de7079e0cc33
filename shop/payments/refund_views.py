"""Refund pages (on the ``payments`` blueprint; imported at the end of ``views.py``).

* ``GET|POST /seller/<enterprise_id>/orders/<fulfilment_id>/refunds``: a member of
  the enterprise refunds the buyer for its part (amount in baht and a reason). The
  fulfilment is looked up within that enterprise: another enterprise's id is 404.
* ``GET|POST /admin/orders/<public_id>/fulfilments/<fid>/refunds``: the same for staff.
* ``GET /admin/refunds``: what staff act on: manual refunds to pay back by transfer
  (``POST /admin/refunds/<id>/paid`` with the transfer reference), Stripe refunds
  refused or unanswered (``POST /admin/refunds/<id>/retry``), and PromptPay refunds
  Stripe is still processing.
* The template global ``refund_panel(fulfilment, enterprise=None)`` feeds
  ``payments/_refund_panel.html`` (form and list), which the seller order page
  includes.

Views parse input, call one service in ``refunds.py`` and render or redirect; a
refused refund re-shows the page with its message and a 4xx status.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.accounts.access import login_required, staff_required
from shop.catalog.access import get_member_enterprise_or_404
from shop.errors import DomainError, NotFound
from shop.extensions import db
from shop.money import format_baht, satang_to_input
from shop.orders import services as order_services
from shop.orders import status as st
from shop.orders.access import fulfilment_for_enterprise
from shop.orders.models import Fulfilment, Order
from shop.payments import refunds
from shop.payments.blueprint import bp
from shop.payments.models import REFUND_FAILED, REFUND_PENDING, REFUND_SUCCEEDED

REFUND_STATUS_LABELS = {
    REFUND_PENDING: _l("Pending"),
    REFUND_SUCCEEDED: _l("Refunded"),
    REFUND_FAILED: _l("Failed"),
}


def refund_status_label(code: str) -> str:
    return str(REFUND_STATUS_LABELS.get(code, code))


@bp.app_template_global("refund_panel")
def refund_panel(fulfilment: Fulfilment, enterprise=None) -> refunds.RefundPanel:
    """The refund panel of a fulfilment, posting to the seller's route when shown on
    an enterprise's page (``enterprise`` set) and to the back office's otherwise."""
    if enterprise is not None:
        action = url_for("payments.seller_refund", enterprise_id=enterprise.id, fulfilment_id=fulfilment.id)
    else:
        action = url_for("payments.admin_refund", public_id=fulfilment.order.public_id, fid=fulfilment.id)
    return refunds.refund_panel(fulfilment, action)


@bp.app_context_processor
def _refund_helpers() -> dict:
    return {
        "refund_status_label": refund_status_label,
        "refund_order_status": lambda code: st.status_label(st.ORDER, code),
        "refund_amount_input": satang_to_input,
    }


# ---------------------------------------------------------------- asking


def _render_refund_page(template: str, fulfilment: Fulfilment, *, enterprise=None, error=None,
                        errors: dict | None = None, form: dict | None = None, status_code: int = 200):
    return render_template(
        template, fulfilment=fulfilment, order=fulfilment.order, enterprise=enterprise, error=error,
        refund_errors=errors or {}, refund_form=form or {}, active_tab="orders", admin_tab="refunds",
    ), status_code


def _ask(fulfilment: Fulfilment, *, role: str, template: str, enterprise=None, done_url: str):
    form = {"amount": request.form.get("amount", ""), "reason": request.form.get("reason", "")}
    try:
        amount = refunds.parse_amount(form["amount"])
        refund = refunds.request_refund(fulfilment, amount, actor=current_user, role=role, reason=form["reason"])
    except NotFound:
        raise
    except DomainError as exc:
        return _render_refund_page(template, fulfilment, enterprise=enterprise, error=exc.message,
                                   errors=exc.fields, form=form, status_code=exc.status_code)
    amount_text = format_baht(refund.amount_satang)
    if refund.status == REFUND_SUCCEEDED:
        flash(_("%(amount)s was refunded to the buyer.", amount=amount_text), "success")
    elif refund.status == REFUND_FAILED:
        flash(_("Stripe did not accept the refund of %(amount)s. Our staff will look into it.", amount=amount_text),
              "error")
    elif refund.provider == refunds.PROVIDER_MANUAL:
        flash(_("Refund of %(amount)s recorded. The marketplace pays it back to the buyer by transfer; "
                "it shows as pending until then.", amount=amount_text), "success")
    elif refund.provider_ref:
        flash(_("Refund of %(amount)s sent. PromptPay refunds take a few days; it shows as pending until "
                "Stripe confirms it.", amount=amount_text), "success")
    else:
        flash(_("Stripe did not answer in time. The refund of %(amount)s is pending; it will be sent again "
                "and cannot be paid twice.", amount=amount_text), "warning")
    return redirect(done_url, code=303)


def _seller_fulfilment(enterprise_id: int, fulfilment_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    fulfilment = fulfilment_for_enterprise(enterprise, fulfilment_id)
    return enterprise, fulfilment


@bp.get("/seller/<int:enterprise_id>/orders/<int:fulfilment_id>/refunds")
@login_required
def seller_refund_page(enterprise_id: int, fulfilment_id: int):
    enterprise, fulfilment = _seller_fulfilment(enterprise_id, fulfilment_id)
    return _render_refund_page("payments/seller_refunds.html", fulfilment, enterprise=enterprise)


@bp.post("/seller/<int:enterprise_id>/orders/<int:fulfilment_id>/refunds")
@login_required
def seller_refund(enterprise_id: int, fulfilment_id: int):
    enterprise, fulfilment = _seller_fulfilment(enterprise_id, fulfilment_id)
    role = order_services.seller_role(current_user, fulfilment)
    if role != st.ROLE_SELLER:  # pragma: no cover - membership was checked just above
        raise NotFound()
    done = url_for("sellers.order_detail", enterprise_id=enterprise.id, fulfilment_id=fulfilment.id)
    return _ask(fulfilment, role=role, template="payments/seller_refunds.html", enterprise=enterprise,
                done_url=done)


def _admin_fulfilment(public_id: str, fid: int) -> Fulfilment:
    order = db.session.scalar(db.select(Order).where(Order.public_id == public_id))
    if order is None:
        raise NotFound()
    return order_services.fulfilment_of_order(order, fid)


@bp.get("/admin/orders/<public_id>/fulfilments/<int:fid>/refunds")
@staff_required
def admin_refund_page(public_id: str, fid: int):
    return _render_refund_page("payments/admin_refund.html", _admin_fulfilment(public_id, fid))


@bp.post("/admin/orders/<public_id>/fulfilments/<int:fid>/refunds")
@staff_required
def admin_refund(public_id: str, fid: int):
    fulfilment = _admin_fulfilment(public_id, fid)
    done = url_for("payments.admin_refund_page", public_id=public_id, fid=fid)
    return _ask(fulfilment, role=st.ROLE_STAFF, template="payments/admin_refund.html", done_url=done)


# ---------------------------------------------------------------- staff queue


def _render_queue(*, error=None, reference_errors: dict | None = None, status_code: int = 200):
    return render_template(
        "payments/admin_refunds.html", waiting=refunds.waiting_refunds(), error=error,
        reference_errors=reference_errors or {}, admin_tab="refunds",
    ), status_code


@bp.get("/admin/refunds")
@staff_required
def admin_refunds():
    return _render_queue()


@bp.post("/admin/refunds/<int:refund_id>/paid")
@staff_required
def admin_refund_paid(refund_id: int):
    refund = refunds.refund_for_staff(refund_id)
    try:
        refunds.record_manual_refund_paid(refund, actor=current_user, reference=request.form.get("reference"))
    except NotFound:
        raise
    except DomainError as exc:
        if exc.fields.get("reference"):
            return _render_queue(reference_errors={refund_id: exc.fields["reference"]}, status_code=exc.status_code)
        return _render_queue(error=exc.message, status_code=exc.status_code)
    flash(_("Refund of %(amount)s for order %(id)s recorded as paid back. The buyer has been told.",
            amount=format_baht(refund.amount_satang), id=refund.order.public_id), "success")
    return redirect(url_for("payments.admin_refunds"), code=303)


@bp.post("/admin/refunds/<int:refund_id>/retry")
@staff_required
def admin_refund_retry(refund_id: int):
    refund = refunds.refund_for_staff(refund_id)
    try:
        refund = refunds.retry_refund(refund, actor=current_user, role=st.ROLE_STAFF)
    except NotFound:
        raise
    except DomainError as exc:
        return _render_queue(error=exc.message, status_code=exc.status_code)
    amount = format_baht(refund.amount_satang)
    if refund.status == REFUND_SUCCEEDED:
        flash(_("%(amount)s was refunded to the buyer.", amount=amount), "success")
    elif refund.status == REFUND_FAILED:
        flash(_("Stripe refused the refund again: %(reason)s", reason=refund.failure_reason or ""), "error")
    elif refund.provider_ref:
        flash(_("Stripe accepted the refund of %(amount)s; it completes when Stripe confirms it.", amount=amount),
              "success")
    else:
        flash(_("Stripe still did not answer. Try again in a moment; the refund cannot be paid twice."), "warning")
    return redirect(url_for("payments.admin_refunds"), code=303)
