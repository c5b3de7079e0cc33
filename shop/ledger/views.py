"""Ledger pages (blueprint ``ledger``, registered by ``shop.create_app``).

* ``GET /seller/<enterprise_id>/money``: members of the enterprise see its balance,
  what is promised to payouts, its entries (paginated) and its payouts. Another
  enterprise's id answers 404, like an id that does not exist.
* ``GET /admin/ledger`` (staff): every enterprise's balance, the latest entries,
  payouts and batches, Connect transfers waiting for a retry; CSV exports of entries
  and payouts.
* ``POST /admin/payouts/batches`` opens a batch; ``GET /admin/payouts/batches/<id>``
  shows it with a reference field per payout; ``POST …/<id>/paid`` records it paid.
* ``POST /admin/payouts/<id>/retry`` retries a failed Connect transfer.

Views parse input, call one service in ``services.py`` and render or redirect; a
refused action is shown with its message and a 4xx status.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.accounts.access import login_required, staff_required
from shop.catalog.access import get_member_enterprise_or_404
from shop.catalog.status import enterprise_status_label, member_role_label
from shop.errors import DomainError, ValidationFailed
from shop.invoicing import services as invoicing
from shop.ledger import services
from shop.ledger.models import (
    BATCH_OPEN,
    BATCH_PAID,
    ENTRY_CLAWBACK,
    ENTRY_FEE,
    ENTRY_FEE_REFUND,
    ENTRY_PAYOUT,
    ENTRY_REFUND,
    ENTRY_SALE,
    PAYOUT_BANK_TRANSFER,
    PAYOUT_FAILED,
    PAYOUT_PAID,
    PAYOUT_PENDING,
    PAYOUT_PROMPTPAY,
    PAYOUT_STRIPE_CONNECT,
)
from shop.pagination import parse_page
from shop.spreadsheets import csv_response

bp = Blueprint("ledger", __name__)

ENTRY_LABELS = {
    ENTRY_SALE: _l("Sale"),
    ENTRY_FEE: _l("Platform fee"),
    ENTRY_REFUND: _l("Refund to buyer"),
    ENTRY_FEE_REFUND: _l("Fee given back"),
    ENTRY_CLAWBACK: _l("Taken back from Stripe account"),
    ENTRY_PAYOUT: _l("Payout"),
}
PAYOUT_STATUS_LABELS = {
    PAYOUT_PENDING: _l("Waiting"),
    PAYOUT_PAID: _l("Paid"),
    PAYOUT_FAILED: _l("Failed"),
}
PAYOUT_METHOD_LABELS = {
    PAYOUT_STRIPE_CONNECT: _l("Stripe transfer"),
    PAYOUT_BANK_TRANSFER: _l("Bank transfer"),
    PAYOUT_PROMPTPAY: _l("PromptPay"),
}
BATCH_STATUS_LABELS = {BATCH_OPEN: _l("Open"), BATCH_PAID: _l("Paid")}


def _label(table: dict, code: str | None) -> str:
    return str(table.get(code, code or ""))


def _link_if_installed(endpoint: str, **values) -> str | None:
    """A link to a page another area may provide, or None (the seller and
    back-office layouts ask for their optional tabs this way)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.context_processor
def _ledger_helpers() -> dict:
    return {
        "entry_label": lambda code: _label(ENTRY_LABELS, code),
        "payout_status_label": lambda code: _label(PAYOUT_STATUS_LABELS, code),
        "payout_method_label": lambda code: _label(PAYOUT_METHOD_LABELS, code),
        "batch_status_label": lambda code: _label(BATCH_STATUS_LABELS, code),
        "status_label": enterprise_status_label,  # the seller layout's status badge
        "role_label": member_role_label,
        "seller_link": _link_if_installed,
        "admin_link": _link_if_installed,
    }


# ---------------------------------------------------------------- enterprise


def _percent(bps: int) -> str:
    """Basis points as a percentage with integer math: 500 -> "5", 250 -> "2.5"."""
    whole, rest = divmod(int(bps), 100)
    return f"{whole}.{rest:02d}".rstrip("0") if rest else str(whole)


@bp.get("/seller/<int:enterprise_id>/money")
@login_required
def seller_money(enterprise_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    rows = services.balances([enterprise.id])
    summary = rows[0] if rows else None
    entries = services.entries_page(enterprise.id, parse_page(request.args.get("page"), lenient=True))
    return render_template(
        "ledger/seller_money.html", enterprise=enterprise, summary=summary, active_tab="money",
        entries=entries, payouts=services.recent_payouts(enterprise.id),
        fee_percent=_percent(services.fee_bps(enterprise)),
        invoiced_pending=invoicing.invoiced_pending_for_enterprise(enterprise.id),
    )


# ---------------------------------------------------------------- staff


@bp.get("/admin/ledger")
@staff_required
def admin_ledger():
    entries = services.entries_page(None, parse_page(request.args.get("page"), lenient=True))
    return render_template(
        "ledger/admin_ledger.html", admin_tab="ledger", balances=services.balances(),
        entries=entries, payouts=services.recent_payouts(limit=30),
        batches=services.recent_batches(), failed=services.failed_transfers(),
        receivables_satang=invoicing.outstanding_total(),
    )


@bp.get("/admin/ledger/entries.csv")
@staff_required
def entries_csv():
    return csv_response(services.entries_csv(), filename="ledger-entries.csv")


@bp.get("/admin/ledger/payouts.csv")
@staff_required
def payouts_csv():
    return csv_response(services.payouts_csv(), filename="payouts.csv")


@bp.post("/admin/payouts/batches")
@staff_required
def open_batch():
    try:
        batch = services.open_payout_batch(current_user)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("ledger.admin_ledger"), code=303)
    flash(_("Payout batch opened. Pay each enterprise, then record the references here."), "success")
    return redirect(url_for("ledger.batch", batch_id=batch.id), code=303)


def _render_batch(batch, *, errors=None, values=None, message=None, status_code: int = 200):
    return render_template(
        "ledger/batch.html", admin_tab="ledger", batch=batch, errors=errors or {}, values=values or {},
        message=message,
    ), status_code


@bp.get("/admin/payouts/batches/<int:batch_id>")
@staff_required
def batch(batch_id: int):
    return _render_batch(services.get_batch(batch_id))


@bp.post("/admin/payouts/batches/<int:batch_id>/paid")
@staff_required
def batch_paid(batch_id: int):
    batch = services.get_batch(batch_id)
    references: dict[int, str] = {}
    for payout in batch.payouts:
        references[payout.id] = request.form.get(f"reference-{payout.id}", "")
    try:
        services.record_batch_paid(batch, current_user, references)
    except ValidationFailed as error:
        return _render_batch(batch, errors=error.fields, values=references, message=error.message,
                             status_code=error.status_code)
    except DomainError as error:
        return _render_batch(batch, message=error.message, status_code=error.status_code)
    flash(_("Batch recorded as paid."), "success")
    return redirect(url_for("ledger.batch", batch_id=batch.id), code=303)


@bp.post("/admin/payouts/<int:payout_id>/retry")
@staff_required
def retry_payout(payout_id: int):
    try:
        payout = services.retry_payout(payout_id, actor=current_user)
    except DomainError as error:
        if error.status_code == 404:
            raise
        flash(str(error.message), "error")
        return redirect(url_for("ledger.admin_ledger"), code=303)
    if payout.status == PAYOUT_PAID:
        flash(_("Transfer sent."), "success")
    else:
        flash(_("The transfer failed again. Check the enterprise's Stripe account, then retry."), "error")
    return redirect(url_for("ledger.admin_ledger"), code=303)
