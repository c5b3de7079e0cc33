"""Back-office pages for pay on invoice (docs/payments.md: Invoice): a buyer's terms
(on the retail-buyer list), the receivables with their ageing and CSV, and one
invoice's page where staff record a bank transfer and review the buyer's slips.
Staff-only through the blueprint's guard (``shop.admin``)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.admin import bp
from shop.errors import DomainError, ValidationFailed
from shop.invoicing import services as invoicing
from shop.invoicing import views as invoicing_views
from shop.invoicing.machines import INVOICE_PAYMENTS
from shop.spreadsheets import csv_response


@bp.post("/retail-buyers/<int:buyer_id>/terms")
def buyer_terms(buyer_id: int):
    back = request.form.get("back_status") or "verified"
    try:
        terms = invoicing.set_terms(current_user, buyer_id, net_days=request.form.get("net_days"),
                                    credit_limit=request.form.get("credit_limit"))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("admin.retail_buyers", status=back, _anchor=f"buyer-{buyer_id}"), 303)
    if terms.active:
        flash(_("Payment terms saved: net %(days)d days.", days=terms.net_days), "success")
    else:
        flash(_("Payment terms removed: this buyer can no longer pay on invoice."), "success")
    return redirect(url_for("admin.retail_buyers", status=back, _anchor=f"buyer-{buyer_id}"), 303)


def _filters():
    bucket = request.args.get("bucket") or None
    if bucket is not None and bucket not in invoicing.BUCKETS:
        message = _("Choose one of the ageing columns.")
        raise ValidationFailed(message, fields={"bucket": message})
    raw_buyer = request.args.get("buyer") or None
    try:
        user_id = int(raw_buyer) if raw_buyer is not None else None
    except ValueError:
        message = _("Choose a buyer from the list.")
        raise ValidationFailed(message, fields={"buyer": message}) from None
    raw_date = request.args.get("as_of") or None
    try:
        as_of = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        message = _("Enter the date as YYYY-MM-DD.")
        raise ValidationFailed(message, fields={"as_of": message}) from None
    return as_of, bucket, user_id


@bp.get("/receivables")
def receivables():
    as_of, bucket, user_id = _filters()
    report = invoicing.receivables(as_of, bucket=bucket, user_id=user_id)
    return render_template("admin/receivables.html", report=report, bucket=bucket, user_id=user_id,
                           buyers=invoicing.receivables_buyers(), buckets=invoicing.BUCKETS,
                           bucket_labels=invoicing.BUCKET_LABELS, as_of_arg=request.args.get("as_of") or "",
                           waiting=invoicing.slips_waiting())


@bp.get("/receivables.csv")
def receivables_csv():
    as_of, bucket, user_id = _filters()
    report = invoicing.receivables(as_of, bucket=bucket, user_id=user_id)
    labels = {"invoice": _("Invoice"), "buyer": _("Buyer"), "order": _("Order"), "issued": _("Issued"),
              "due": _("Due"), "total": _("Total (THB)"), "paid": _("Paid (THB)"),
              "outstanding": _("Outstanding (THB)"), "days_overdue": _("Days overdue"), "bucket": _("Ageing")}
    return csv_response(invoicing.receivables_csv(report, labels), filename=f"receivables-{report.as_of.isoformat()}.csv")


def _render_invoice(invoice_id: int, *, error=None, field_errors=None, status: int = 200):
    invoice = invoicing.get_invoice(invoice_id)
    return render_template("admin/invoice.html", invoice=invoice, order=invoice.order, error=error,
                           field_errors=field_errors or {}, payment_label=INVOICE_PAYMENTS.label,
                           today=invoicing.bangkok_date().isoformat()), status


@bp.get("/invoices/<int:invoice_id>")
def invoice(invoice_id: int):
    return _render_invoice(invoice_id)


@bp.get("/invoices/<int:invoice_id>/invoice.pdf")
def invoice_pdf(invoice_id: int):
    return invoicing_views.pdf_response(invoicing.get_invoice(invoice_id))


@bp.get("/invoices/<int:invoice_id>/slips/<int:payment_id>/<size>.webp")
def invoice_slip(invoice_id: int, payment_id: int, size: str):
    invoice = invoicing.get_invoice(invoice_id)
    return invoicing_views.slip_file(invoicing.payment_of_invoice(invoice, payment_id), size)


@bp.post("/invoices/<int:invoice_id>/transfers")
def record_transfer(invoice_id: int):
    try:
        invoicing.record_transfer(current_user, invoice_id, amount=request.form.get("amount"),
                                  paid_on=request.form.get("paid_on"), reference=request.form.get("reference"))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _render_invoice(invoice_id, error=exc.message, field_errors=exc.fields, status=exc.status_code)
    flash(_("Transfer recorded."), "success")
    return redirect(url_for("admin.invoice", invoice_id=invoice_id), 303)


@bp.post("/invoices/<int:invoice_id>/payments/<int:payment_id>/confirm")
def confirm_invoice_slip(invoice_id: int, payment_id: int):
    invoice = invoicing.get_invoice(invoice_id)
    invoicing.payment_of_invoice(invoice, payment_id)
    try:
        invoicing.confirm_slip(current_user, payment_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _render_invoice(invoice_id, error=exc.message, status=exc.status_code)
    flash(_("Slip confirmed."), "success")
    return redirect(url_for("admin.invoice", invoice_id=invoice_id), 303)


@bp.post("/invoices/<int:invoice_id>/payments/<int:payment_id>/reject")
def reject_invoice_slip(invoice_id: int, payment_id: int):
    invoice = invoicing.get_invoice(invoice_id)
    invoicing.payment_of_invoice(invoice, payment_id)
    try:
        invoicing.reject_slip(current_user, payment_id, request.form.get("reason"))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _render_invoice(invoice_id, error=exc.message, status=exc.status_code)
    flash(_("Slip rejected; the buyer was told why."), "success")
    return redirect(url_for("admin.invoice", invoice_id=invoice_id), 303)
