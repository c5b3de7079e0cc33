"""The buyer's side of an invoice: its page (what is due, how to pay, the slip form),
the PDF and the slip images.

* ``GET /orders/<public_id>/invoice``, ``GET /orders/<public_id>/invoice.pdf``,
  ``POST /orders/<public_id>/invoice/slip`` and the slip images: whoever may open the
  order (its buyer, staff; ``orders.access.load_order_for_buyer``). Anyone else, and
  an order without an invoice, gets 404.

Staff pages (terms, receivables, recording transfers, reviewing slips) are in the back
office, ``shop/admin/invoices.py``.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop import storage
from shop.errors import DomainError, NotFound
from shop.i18n import current_language
from shop.invoicing import pdf, services
from shop.invoicing.machines import INVOICE_PAYMENTS
from shop.invoicing.models import Invoice, InvoicePayment
from shop.orders.access import load_order_for_buyer, order_token, viewer_token
from shop.orders.models import Order
from shop.payments.promptpay import build_payload, format_promptpay_id, platform_payee
from shop.payments.slips import SLIP_FOLDER

bp = Blueprint("invoicing", __name__)


def _actor():
    return current_user if current_user.is_authenticated else None


def _invoice_for(public_id: str, token: str | None) -> Invoice:
    order = load_order_for_buyer(public_id, _actor(), token)
    invoice = services.invoice_of_order(order)
    if invoice is None:
        raise NotFound()
    return invoice


def pdf_response(invoice: Invoice) -> Response:
    rendered = pdf.invoice_pdf(invoice, locale=current_language())
    response = Response(rendered.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{rendered.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/orders/<public_id>/invoice.pdf")
def invoice_pdf(public_id: str):
    return pdf_response(_invoice_for(public_id, request.args.get("t")))


def _render_invoice(invoice: Invoice, *, error=None, field_errors=None, status: int = 200):
    payee = platform_payee()
    due = invoice.due_satang
    return render_template(
        "invoicing/invoice.html", invoice=invoice, order=invoice.order, error=error,
        field_errors=field_errors or {}, token=viewer_token(invoice.order, _actor()),
        payload=build_payload(payee.promptpay_id, due) if due > 0 else None, payee=payee,
        promptpay_id=format_promptpay_id(payee.promptpay_id), waiting=services.waiting_slip(invoice),
        payment_label=INVOICE_PAYMENTS.label, config=current_app.config,
    ), status


@bp.get("/orders/<public_id>/invoice")
def invoice_page(public_id: str):
    return _render_invoice(_invoice_for(public_id, request.args.get("t")))


@bp.post("/orders/<public_id>/invoice/slip")
def upload_slip(public_id: str):
    invoice = _invoice_for(public_id, request.form.get("t"))
    limit = int(current_app.config["SLIP_MAX_BYTES"])
    upload = request.files.get("slip")
    data = upload.stream.read(limit + 1) if upload is not None else b""
    try:
        services.submit_slip(invoice, data, amount=request.form.get("amount"), actor=_actor())
    except DomainError as exc:
        return _render_invoice(invoice, error=exc.message, field_errors=exc.fields, status=exc.status_code)
    flash(_("Thank you! We received your slip and will check the payment soon."), "success")
    return redirect(url_for("invoicing.invoice_page", public_id=public_id, t=request.form.get("t") or None), 303)


def slip_file(payment: InvoicePayment, size: str):
    if size not in storage.IMAGE_SIZES or not payment.image_key:
        raise NotFound()
    response = storage.file_response(storage.image_file_key(SLIP_FOLDER, payment.image_key, size), private=True)
    if response is None:
        raise NotFound()
    return response


@bp.get("/orders/<public_id>/invoice/slips/<int:payment_id>/<size>.webp")
def slip_image(public_id: str, payment_id: int, size: str):
    invoice = _invoice_for(public_id, request.args.get("t"))
    return slip_file(services.payment_of_invoice(invoice, payment_id), size)


@bp.app_template_global()
def order_invoice(order: Order) -> Invoice | None:
    """The invoice of an order paid on invoice (for the order page), else None."""
    return services.invoice_of_order(order)


@bp.app_template_global()
def invoice_links(order: Order) -> dict:
    """The buyer's links to the invoice page and PDF (with the order's token)."""
    token = order_token(order)
    return {"page": url_for("invoicing.invoice_page", public_id=order.public_id, t=token),
            "pdf": url_for("invoicing.invoice_pdf", public_id=order.public_id, t=token)}
