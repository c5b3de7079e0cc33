"""The invoice as PDF, drawn with the receipts' machinery (``orders/receipts.py``:
fpdf2, the packaged Sarabun TTFs, HarfBuzz shaping, the Thai line breaker, Buddhist-era
dates in Thai) so an invoice follows the same document rules as a receipt.

The platform issues the invoice (the buyer pays the platform, which pays each
enterprise its share), so it names the platform as the issuer and prints how to pay:
a PromptPay QR for the amount due, the platform's PromptPay ID and bank account. It
lists every enterprise's lines, the totals, what has been paid and what is due, the
issue and due dates, and the buyer's purchase-order number and business details.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from shop.invoicing.models import Invoice
from shop.orders import status as st
from shop.orders.receipts import (
    BODY_SIZE,
    GREY,
    PAGE_MARGIN,
    SMALL_SIZE,
    DocumentLine,
    Party,
    RenderedDocument,
    _address_lines,
    _ReceiptPDF,
    _Table,
    baht_text,
    format_amount,
    format_document_date,
)
from shop.payments.promptpay import build_payload, format_promptpay_id, platform_payee, qr_svg

_LABELS = {
    "invoice": _l("Invoice"),
    "document_no": _l("No."),
    "issued": _l("Issue date"),
    "due": _l("Due date"),
    "terms": _l("Terms"),
    "net_days": _l("Net %(days)s days"),
    "order": _l("Order no."),
    "po_number": _l("Purchase order"),
    "issuer": _l("Issued by"),
    "buyer": _l("Bill to"),
    "tax_id": _l("Tax ID"),
    "branch": _l("Branch"),
    "phone": _l("Tel."),
    "col_no": _l("#"),
    "col_description": _l("Description"),
    "col_quantity": _l("Qty"),
    "col_unit_price": _l("Unit price"),
    "col_amount": _l("Amount"),
    "sku": _l("Item code"),
    "shipping": _l("Shipping fee"),
    "total": _l("Total amount"),
    "paid": _l("Paid"),
    "amount_due": _l("Amount due"),
    "amounts_in_baht": _l("Amounts in baht"),
    "how_to_pay": _l("How to pay"),
    "promptpay": _l("PromptPay ID"),
    "bank": _l("Bank"),
    "account_name": _l("Account name"),
    "account_number": _l("Account number"),
    "pay_note": _l("Scan the QR code with any Thai banking app, or transfer to the account above, then send "
                   "the slip on your order page. Receipts from each enterprise follow once the invoice is paid."),
    "not_tax_invoice": _l("This invoice is a request for payment, not a tax invoice."),
    "page": _l("Page %(page)s of %(pages)s"),
}


@dataclass(frozen=True)
class InvoiceDocument:
    languages: tuple[str, ...]
    document_no: str
    order_public_id: str
    issued_on: date
    due_on: date
    net_days: int
    po_number: str | None
    issuer: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    shipping_satang: int
    total_satang: int
    paid_satang: int
    promptpay_id: str
    bank_name: str
    bank_account_name: str
    bank_account_number: str

    @property
    def due_satang(self) -> int:
        return max(self.total_satang - self.paid_satang, 0)

    @property
    def filename(self) -> str:
        return f"{self.document_no}.pdf"


def _labels(locale: str) -> dict[str, str]:
    with force_locale(locale):
        return {key: str(value) for key, value in _LABELS.items()}


def build_invoice(invoice: Invoice, *, locale: str = "th") -> InvoiceDocument:
    """What the invoice says, in ``locale`` (Thai or English)."""
    locale = locale if locale in ("th", "en") else "th"
    order = invoice.order
    config = current_app.config
    payee = platform_payee()
    lines = []
    shipping = 0
    for fulfilment in order.fulfilments:
        if fulfilment.status == st.FULFILMENT_CANCELLED:
            continue
        name = fulfilment.enterprise.t("name", locale)
        for line in fulfilment.lines:
            lines.append(DocumentLine(description=f"{line.name(locale)}\n{name}", sku=line.sku,
                                      quantity=line.quantity, unit_price_satang=line.unit_price_satang,
                                      amount_satang=line.line_total_satang))
        shipping += fulfilment.shipping_satang
    buyer_name = order.buyer_company or order.recipient_name
    if order.buyer_company and order.recipient_name:
        buyer_name = f"{order.buyer_company}\n({order.recipient_name})"
    return InvoiceDocument(
        languages=(locale,),
        document_no=invoice.number,
        order_public_id=order.public_id,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        net_days=invoice.net_days,
        po_number=order.po_number,
        issuer=Party(name=config["PLATFORM_PAYEE_NAME"], address=()),
        buyer=Party(name=buyer_name,
                    address=_address_lines(order.address_line, order.subdistrict, order.district,
                                           order.province_code, order.postcode, locale),
                    tax_id=order.buyer_tax_id or None, branch=order.buyer_branch or None, phone=order.phone),
        lines=tuple(lines),
        shipping_satang=shipping,
        total_satang=order.total_satang,
        paid_satang=invoice.paid_satang,
        promptpay_id=payee.promptpay_id,
        bank_name=config["PLATFORM_BANK_NAME"],
        bank_account_name=config["PLATFORM_BANK_ACCOUNT_NAME"],
        bank_account_number=config["PLATFORM_BANK_ACCOUNT_NUMBER"],
    )


def _party(pdf: _ReceiptPDF, x: float, width: float, heading: str, party: Party, labels: dict[str, str]) -> None:
    pdf.block(x, width, heading, size=SMALL_SIZE, style="B")
    pdf.block(x, width, party.name, size=12, style="B", height=6)
    lines = list(party.address)
    if party.phone:
        lines.append(f"{labels['phone']} {party.phone}")
    if party.tax_id:
        tax = f"{labels['tax_id']} {party.tax_id}"
        if party.branch:
            tax += f"  {labels['branch']}: {party.branch}"
        lines.append(tax)
    if lines:
        pdf.block(x, width, "\n".join(lines), size=BODY_SIZE)


def render_invoice(doc: InvoiceDocument) -> bytes:
    labels = _labels(doc.languages[0])
    pdf = _ReceiptPDF(doc, {"order": labels["order"], "page": labels["page"]})
    pdf.set_title(f"{labels['invoice']} {doc.document_no}")
    pdf.set_author(doc.issuer.name)
    pdf.set_creator("Chumchon Market")
    pdf.set_lang(doc.languages[0])
    pdf.add_page()
    left = PAGE_MARGIN
    right_width = 80.0
    right_x = pdf.w - PAGE_MARGIN - right_width
    left_width = pdf.epw - right_width - 6
    top = pdf.get_y()

    pdf.block(right_x, right_width, labels["invoice"], size=18, style="B", align="R", height=8)
    pdf.block(right_x, right_width, labels["not_tax_invoice"], size=SMALL_SIZE, align="R")
    pdf.ln(2)
    info = [
        (labels["document_no"], doc.document_no),
        (labels["issued"], format_document_date(doc.issued_on, doc.languages)),
        (labels["due"], format_document_date(doc.due_on, doc.languages)),
        (labels["terms"], labels["net_days"].replace("%(days)s", str(doc.net_days))),
        (labels["order"], doc.order_public_id),
    ]
    if doc.po_number:
        info.append((labels["po_number"], doc.po_number))
    for label, value in info:
        y = pdf.get_y()
        pdf.block(right_x, 32, label, size=SMALL_SIZE + 0.5, style="B")
        bottom = pdf.get_y()
        pdf.set_y(y)
        pdf.block(right_x + 32, right_width - 32, value, size=BODY_SIZE, align="R")
        pdf.set_y(max(bottom, pdf.get_y()))
    right_bottom = pdf.get_y()

    pdf.set_y(top)
    _party(pdf, left, left_width, labels["issuer"], doc.issuer, labels)
    pdf.ln(3)
    _party(pdf, left, left_width, labels["buyer"], doc.buyer, labels)
    pdf.set_y(max(pdf.get_y(), right_bottom) + 5)

    widths = (12.0, pdf.epw - 12.0 - 16.0 - 27.0 - 29.0, 16.0, 27.0, 29.0)
    table = _Table(pdf, widths, ("C", "L", "R", "R", "R"),
                   [labels["col_no"], labels["col_description"], labels["col_quantity"], labels["col_unit_price"],
                    labels["col_amount"]])
    table.heading()
    for number, line in enumerate(doc.lines, start=1):
        table.row([str(number), f"{line.description}\n{labels['sku']} {line.sku}", f"{line.quantity:,}",
                   format_amount(line.unit_price_satang), format_amount(line.amount_satang)])
    table.row(["", labels["shipping"], "", "", format_amount(doc.shipping_satang)])

    money = [(labels["total"], doc.total_satang, False), (labels["paid"], doc.paid_satang, False),
             (labels["amount_due"], doc.due_satang, True)]
    if pdf.will_page_break(110):
        pdf.add_page()
    pdf.ln(3)
    totals_width = 95.0
    totals_x = pdf.w - PAGE_MARGIN - totals_width
    pdf.block(totals_x, totals_width, labels["amounts_in_baht"], size=SMALL_SIZE, align="R")
    for label, amount, strong in money:
        y = pdf.get_y()
        size = 12 if strong else BODY_SIZE
        pdf.block(totals_x, totals_width - 32, label, size=size, style="B" if strong else "", align="R")
        bottom = pdf.get_y()
        pdf.set_y(y)
        pdf.block(totals_x + totals_width - 32, 32, format_amount(amount), size=size, style="B" if strong else "",
                  align="R")
        pdf.set_y(max(bottom, pdf.get_y()))
    if doc.languages[0] == "th":
        pdf.block(totals_x, totals_width, f"({baht_text(doc.due_satang)})", size=BODY_SIZE, align="R")
    pdf.ln(5)

    # How to pay: the QR for the amount due, the PromptPay ID and the bank account.
    y = pdf.get_y()
    qr_size = 38.0
    if doc.due_satang > 0:
        svg = str(qr_svg(build_payload(doc.promptpay_id, doc.due_satang)))
        pdf.image(io.BytesIO(svg.encode("utf-8")), x=left, y=y, w=qr_size, h=qr_size)
    text_x = left + qr_size + 6
    pdf.set_y(y)
    pdf.block(text_x, pdf.epw - qr_size - 6, labels["how_to_pay"], size=11, style="B", height=6)
    details = [
        f"{labels['promptpay']}: {format_promptpay_id(doc.promptpay_id)}",
        f"{labels['bank']}: {doc.bank_name}",
        f"{labels['account_name']}: {doc.bank_account_name}",
        f"{labels['account_number']}: {doc.bank_account_number}",
    ]
    pdf.block(text_x, pdf.epw - qr_size - 6, "\n".join(details), size=BODY_SIZE)
    pdf.ln(2)
    pdf.set_text_color(*GREY)
    pdf.block(text_x, pdf.epw - qr_size - 6, labels["pay_note"], size=SMALL_SIZE + 0.5)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(max(pdf.get_y(), y + qr_size + 2))
    return bytes(pdf.output())


def invoice_pdf(invoice: Invoice, *, locale: str = "th") -> RenderedDocument:
    doc = build_invoice(invoice, locale=locale)
    return RenderedDocument(filename=doc.filename, data=render_invoice(doc), is_tax_invoice=False)
