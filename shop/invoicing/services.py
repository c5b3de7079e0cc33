"""Pay on invoice: terms, the checkout rule, issuing the invoice, payments, reminders
and receivables (docs/payments.md: Invoice).

* **Terms** (``set_terms``): staff give a *verified* retail buyer net 7, 15, 30 or 60
  days and a credit limit in baht; "none" (0 days) withdraws them. Who and when are kept.
* **The checkout rule** (``check_invoice_allowed``): the method is offered to verified
  buyers with terms; an order is refused while any of their invoices is overdue, or
  when the unpaid balance of their open invoices plus this order would pass the limit.
  Checkout asks once before and once inside the order's transaction, with the buyer's
  terms row locked (PostgreSQL; SQLite's write transaction holds the database), so
  two orders placed at once cannot both use the last of the credit.
* **Issuing** (``apply_issue_invoice``), in the order's transaction: a number from the
  yearly sequence (``BL2026-000042``), issued today (Bangkok), due after the net days.
* **Payments**: a slip the buyer sends for part or all of what is due (staff confirm or
  reject it), or a transfer staff record. Every confirmed payment adds to
  ``invoices.paid_satang`` with one conditional UPDATE that also checks the sum stays
  within the order's total, so two staff recording at once cannot both count, and
  nothing is ever paid twice over. When the payments reach the total the order is
  paid (``orders.services.apply_paid``): receipts are numbered and the ledger posts
  each enterprise's sale, so the enterprise's share becomes payable only then.
* **Reminders** (``send_reminders``, a chore of ``flask orders sweep``): 3 days before
  the due date, on it, 7 and 30 days after; each once per invoice, in the buyer's
  language.
* **Receivables** (``receivables``): open invoices with their ageing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from shop import statemachine as sm
from shop.accounts.models import RetailBuyer, User
from shop.catalog.images import delete_image, process_upload
from shop.database import transaction
from shop.dbtypes import MAX_INT, utcnow
from shop.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.invoicing.machines import INVOICE_PAYMENTS
from shop.invoicing.models import (
    NET_TERMS,
    PAYMENT_CONFIRMED,
    PAYMENT_REJECTED,
    PAYMENT_SLIP,
    PAYMENT_SUBMITTED,
    PAYMENT_TRANSFER,
    BuyerCreditTerms,
    Invoice,
    InvoiceCounter,
    InvoicePayment,
    InvoiceReminder,
)
from shop.money import MoneyParseError, baht_to_satang, format_baht
from shop.notifications.services import queue_email
from shop.orders import status as st
from shop.orders.access import order_token, order_url
from shop.orders.documents import next_in_sequence
from shop.orders.models import Fulfilment, Order
from shop.orders.services import apply_confirmed_emails, apply_paid
from shop.pagination import Page, paginate
from shop.payments.models import PaymentSlip
from shop.payments.slips import SLIP_FOLDER
from shop.roles import PROGRAMME_STAFF
from shop.spreadsheets import CsvText, baht_cell, csv_producer, write_csv
from shop.text import checked_text

BANGKOK = ZoneInfo("Asia/Bangkok")
INVOICE_PREFIX = "BL"
MAX_REFERENCE_LENGTH = 64
MAX_REASON_LENGTH = 500
# Largest credit limit staff may set (baht): far above any village order, far below
# the integer column's range.
MAX_CREDIT_LIMIT_BAHT = 10_000_000

# Reminders: (kind, days relative to the due date); each is sent once, on the first
# sweep on or after its day and before the next one's.
REMINDERS = (("before_3", -3), ("due", 0), ("after_7", 7), ("after_30", 30))

# Ageing buckets of the receivables, by days past the due date.
BUCKET_CURRENT = "current"
BUCKET_1_30 = "1-30"
BUCKET_31_60 = "31-60"
BUCKET_60_PLUS = "60+"
BUCKETS = (BUCKET_CURRENT, BUCKET_1_30, BUCKET_31_60, BUCKET_60_PLUS)
BUCKET_LABELS = {
    BUCKET_CURRENT: _l("Current"),
    BUCKET_1_30: _l("1–30 days"),
    BUCKET_31_60: _l("31–60 days"),
    BUCKET_60_PLUS: _l("Over 60 days"),
}


class InvoiceRefused(ValidationFailed):
    """The buyer may not pay this order on invoice (no terms, over the limit, overdue)."""

    code = "invoice_refused"


def bangkok_date(moment: datetime | None = None) -> date:
    return (moment or utcnow()).astimezone(BANGKOK).date()


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False):
        raise PermissionDenied()


# ---------------------------------------------------------------- terms


def terms_row(user_id: int) -> BuyerCreditTerms | None:
    return db.session.scalar(select(BuyerCreditTerms).where(BuyerCreditTerms.user_id == user_id))


def terms_of(buyer: User | None) -> BuyerCreditTerms | None:
    """The buyer's terms when they may pay on invoice now: a verified, active retail
    buyer with net days set. None otherwise."""
    if buyer is None or not getattr(buyer, "is_authenticated", False):
        return None
    if not buyer.is_verified_retail_buyer or not buyer.is_active_account:
        return None
    terms = terms_row(buyer.id)
    return terms if terms is not None and terms.active else None


def terms_for_buyers(user_ids: Iterable[int]) -> dict[int, BuyerCreditTerms]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(BuyerCreditTerms).where(BuyerCreditTerms.user_id.in_(ids)))
    return {row.user_id: row for row in rows}


def parse_net_days(value) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = -1
    if days not in (0, *NET_TERMS):
        message = _l("Choose none, or net 7, 15, 30 or 60 days.")
        raise ValidationFailed(message, fields={"net_days": message})
    return days


def parse_credit_limit(value) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        message = _l("Enter the credit limit in baht.")
        raise ValidationFailed(message, fields={"credit_limit": message})
    try:
        satang = baht_to_satang(text)
    except MoneyParseError:
        message = _l("Enter an amount in baht, e.g. 50000 or 50000.50.")
        raise ValidationFailed(message, fields={"credit_limit": message}) from None
    if satang > MAX_CREDIT_LIMIT_BAHT * 100:
        message = _l("The credit limit can be at most %(amount)s.", amount=format_baht(MAX_CREDIT_LIMIT_BAHT * 100))
        raise ValidationFailed(message, fields={"credit_limit": message})
    return satang


def set_terms(actor: User, retail_buyer_id: int, *, net_days, credit_limit) -> BuyerCreditTerms:
    """Staff set a verified buyer's terms and credit limit (0 days: no terms)."""
    _require_staff(actor)
    days = parse_net_days(net_days)
    limit = parse_credit_limit(credit_limit) if days else (
        parse_credit_limit(credit_limit) if str(credit_limit or "").strip() else 0)
    if days and limit <= 0:
        message = _l("Give a credit limit above zero, or choose no terms.")
        raise ValidationFailed(message, fields={"credit_limit": message})
    with transaction():
        buyer = db.session.get(RetailBuyer, retail_buyer_id)
        if buyer is None:
            raise NotFound()
        if days and buyer.status != RetailBuyer.VERIFIED:
            raise Conflict(_l("Only verified buyers can be given payment terms. Verify the business first."))
        terms = terms_row(buyer.user_id)
        if terms is None:
            terms = BuyerCreditTerms(user_id=buyer.user_id)
            db.session.add(terms)
        terms.net_days = days
        terms.credit_limit_satang = limit
        terms.set_by_id = actor.id
        terms.set_at = utcnow()
        db.session.flush()
    return terms


# ---------------------------------------------------------------- credit and the checkout rule


def _open_invoices(user_id: int):
    return (select(Invoice).join(Order, Order.id == Invoice.order_id)
            .where(Invoice.user_id == user_id, Order.status == st.ORDER_INVOICED))


def outstanding_satang(user_id: int) -> int:
    """The unpaid balance of the buyer's open invoice orders."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(Order.total_satang - Invoice.paid_satang), 0))
        .select_from(Invoice).join(Order, Order.id == Invoice.order_id)
        .where(Invoice.user_id == user_id, Order.status == st.ORDER_INVOICED)
    ))


def overdue_invoice(user_id: int, today: date | None = None) -> Invoice | None:
    """The buyer's oldest open invoice past its due date, if any."""
    today = today or bangkok_date()
    return db.session.scalar(
        _open_invoices(user_id).where(Invoice.due_on < today).order_by(Invoice.due_on, Invoice.id).limit(1)
    )


@dataclass(frozen=True)
class Credit:
    terms: BuyerCreditTerms
    outstanding_satang: int
    overdue: Invoice | None

    @property
    def limit_satang(self) -> int:
        return self.terms.credit_limit_satang

    @property
    def available_satang(self) -> int:
        return max(self.limit_satang - self.outstanding_satang, 0)


def credit_of(buyer: User | None) -> Credit | None:
    """The buyer's terms, what they owe and whether an invoice is overdue (None
    without terms): what the checkout shows next to the option."""
    terms = terms_of(buyer)
    if terms is None:
        return None
    return Credit(terms=terms, outstanding_satang=outstanding_satang(buyer.id), overdue=overdue_invoice(buyer.id))


def _refuse(message) -> InvoiceRefused:
    return InvoiceRefused(message, fields={"payment_method": message})


def check_invoice_allowed(buyer: User | None, total_satang: int | None, *, lock: bool = False) -> Credit:
    """Refuse (``InvoiceRefused`` on ``payment_method``) unless ``buyer`` may pay an
    order of ``total_satang`` on invoice now. ``lock`` takes the buyer's terms row for
    the caller's transaction (checkout's second check, with the order's real total)."""
    terms = terms_of(buyer)
    if terms is None:
        raise _refuse(_l("Paying on invoice is for verified business buyers with payment terms. "
                         "Choose another payment method."))
    if lock:
        db.session.execute(select(BuyerCreditTerms.id).where(BuyerCreditTerms.id == terms.id).with_for_update())
    overdue = overdue_invoice(buyer.id)
    if overdue is not None:
        raise _refuse(_l("Invoice %(number)s was due on %(date)s and is not paid yet, so no new order can be "
                         "paid on invoice. Please pay it first, or choose another payment method.",
                         number=overdue.number, date=overdue.due_on.isoformat()))
    owed = outstanding_satang(buyer.id)
    available = max(terms.credit_limit_satang - owed, 0)
    if total_satang is not None and total_satang > available:
        raise _refuse(_l("This order (%(total)s) is more than the credit you have left (%(available)s of "
                         "%(limit)s). Pay an open invoice first, or choose another payment method.",
                         total=format_baht(total_satang), available=format_baht(available),
                         limit=format_baht(terms.credit_limit_satang)))
    return Credit(terms=terms, outstanding_satang=owed, overdue=None)


# ---------------------------------------------------------------- issuing


def _new_number(today: date) -> str:
    number = next_in_sequence(InvoiceCounter, year=today.year)
    return f"{INVOICE_PREFIX}{today.year}-{number:06d}"


def apply_issue_invoice(order: Order, buyer: User, *, now: datetime | None = None) -> Invoice:
    """Issue the invoice of an order placed on invoice (status ``invoiced``), in the
    caller's transaction: the buyer's business details on the order, the number, the
    due date, and the e-mails (the invoice to the buyer; "new order" to the
    enterprises, which may fulfil it now)."""
    terms = terms_of(buyer)
    if terms is None:  # checked by the caller; a second line
        raise _refuse(_l("Paying on invoice is for verified business buyers with payment terms. "
                         "Choose another payment method."))
    now = now or utcnow()
    today = bangkok_date(now)
    business = buyer.retail_buyer
    order.buyer_company = business.company_name
    order.buyer_tax_id = business.tax_id
    order.buyer_branch = business.branch
    invoice = Invoice(order_id=order.id, user_id=buyer.id, number=_new_number(today), net_days=terms.net_days,
                      issued_at=now, issued_on=today, due_on=today + timedelta(days=terms.net_days),
                      paid_satang=0)
    db.session.add(invoice)
    db.session.flush()
    invoice.order = order
    queue_email(to=order.email, kind="invoice_issued", template="invoice_issued", locale=order.locale or "th",
                order=order, invoice=invoice, link=order_url(order, _external=True))
    apply_confirmed_emails(order)
    return invoice


def invoice_of_order(order: Order) -> Invoice | None:
    if order.payment_method != st.PAYMENT_INVOICE:
        return None
    return db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))


def get_invoice(invoice_id: int) -> Invoice:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound()
    return invoice


def received_for(order: Order) -> int:
    """``orders.services.received_on_account``: confirmed payments on the order's invoice."""
    invoice = invoice_of_order(order)
    return invoice.paid_satang if invoice is not None else 0


# ---------------------------------------------------------------- payments


def parse_amount(value, *, field_name: str = "amount") -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        message = _l("Enter the amount paid, in baht.")
        raise ValidationFailed(message, fields={field_name: message})
    try:
        satang = baht_to_satang(text)
    except MoneyParseError:
        message = _l("Enter an amount in baht, e.g. 1500 or 1500.50.")
        raise ValidationFailed(message, fields={field_name: message}) from None
    if satang <= 0:
        message = _l("The amount must be more than zero.")
        raise ValidationFailed(message, fields={field_name: message})
    if satang > MAX_INT:
        message = _l("This amount is more than is due on the invoice.")
        raise ValidationFailed(message, fields={field_name: message})
    return satang


def _check_within_due(invoice: Invoice, amount: int, *, field_name: str = "amount") -> None:
    due = invoice.due_satang
    if amount > due:
        message = _l("This is more than is due on the invoice (%(due)s). Enter at most that amount.",
                     due=format_baht(due))
        raise ValidationFailed(message, fields={field_name: message})


def _require_open(invoice: Invoice) -> None:
    if invoice.order.status != st.ORDER_INVOICED:
        raise Conflict(_l("This invoice is not open (it is paid or the order was cancelled); "
                          "nothing was recorded."))


def _add_payment(invoice: Invoice, amount: int) -> None:
    """Add ``amount`` to the invoice's paid sum with one conditional UPDATE that also
    checks the order is still open and the sum stays within its total (the row lock
    orders two staff recording at once: the second sees the first's sum)."""
    total = select(Order.total_satang).where(Order.id == Invoice.order_id).scalar_subquery()
    status = select(Order.status).where(Order.id == Invoice.order_id).scalar_subquery()
    result = db.session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.paid_satang + amount <= total, status == st.ORDER_INVOICED)
        .values(paid_satang=Invoice.paid_satang + amount, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(invoice)
        db.session.refresh(invoice.order)
        _require_open(invoice)
        message = _l("This is more than is due on the invoice (%(due)s). Enter at most that amount.",
                     due=format_baht(invoice.due_satang))
        raise ValidationFailed(message, fields={"amount": message})
    db.session.refresh(invoice, ["paid_satang"])


def _settle_if_paid(invoice: Invoice, actor, role: str) -> bool:
    """Mark the order paid once the payments reach its total."""
    order = invoice.order
    if invoice.paid_satang < order.total_satang:
        return False
    invoice.paid_at = utcnow()
    apply_paid(order, actor=actor, role=role)
    return True


def _clean_reference(reference: str | None) -> str | None:
    text = checked_text(reference, field="reference").strip()
    if len(text) > MAX_REFERENCE_LENGTH:
        message = _l("Use at most %(max)d characters.", max=MAX_REFERENCE_LENGTH)
        raise ValidationFailed(message, fields={"reference": message})
    return text or None


def _parse_paid_on(value, invoice: Invoice) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError:
            message = _l("Enter the date of the transfer.")
            raise ValidationFailed(message, fields={"paid_on": message}) from None
    if day > bangkok_date():
        message = _l("The transfer date cannot be in the future.")
        raise ValidationFailed(message, fields={"paid_on": message})
    if day < bangkok_date(invoice.order.created_at) - timedelta(days=1):
        message = _l("The transfer date is before the order was placed.")
        raise ValidationFailed(message, fields={"paid_on": message})
    return day


def record_transfer(actor: User, invoice_id: int, *, amount, paid_on, reference: str | None) -> InvoicePayment:
    """Staff record a bank transfer received for the invoice (part or all of what is
    due); the order is paid when the payments reach its total."""
    _require_staff(actor)
    satang = parse_amount(amount)
    reference = _clean_reference(reference)
    if not reference:
        message = _l("Enter the bank's reference of the transfer.")
        raise ValidationFailed(message, fields={"reference": message})
    with transaction():
        invoice = get_invoice(invoice_id)
        _require_open(invoice)
        day = _parse_paid_on(paid_on, invoice)
        _check_within_due(invoice, satang)
        _add_payment(invoice, satang)
        payment = InvoicePayment(invoice_id=invoice.id, kind=PAYMENT_TRANSFER, status=PAYMENT_CONFIRMED,
                                 amount_satang=satang, paid_on=day, reference=reference, recorded_by_id=actor.id,
                                 reviewed_by_id=actor.id, reviewed_at=utcnow())
        db.session.add(payment)
        db.session.flush()
        _settle_if_paid(invoice, actor, PROGRAMME_STAFF)
    return payment


def waiting_slip(invoice: Invoice) -> InvoicePayment | None:
    return db.session.scalar(select(InvoicePayment).where(
        InvoicePayment.invoice_id == invoice.id, InvoicePayment.status == PAYMENT_SUBMITTED).limit(1))


def submit_slip(invoice: Invoice, data: bytes, *, amount, actor: User | None) -> InvoicePayment:
    """The buyer's slip of a transfer to the platform for ``amount`` (part or all of
    what is due; never more). One slip waits at a time; the same file never twice."""
    satang = parse_amount(amount)
    limit = int(current_app.config["SLIP_MAX_BYTES"])
    if not data:
        message = _l("Choose the photo or screenshot of your transfer slip.")
        raise ValidationFailed(message, fields={"slip": message})
    if len(data) > limit:
        message = _l("The slip image is too large (at most %(mb)s MB). Send a screenshot or a smaller photo.",
                     mb=f"{limit / (1024 * 1024):.0f}")
        raise ValidationFailed(message, fields={"slip": message})
    content_sha256 = hashlib.sha256(data).hexdigest()
    invoice_id = invoice.id
    with transaction():
        _check_slip(invoice, satang, content_sha256)
    stored = process_upload(data, folder=SLIP_FOLDER)
    try:
        try:
            with transaction():
                invoice = get_invoice(invoice_id)
                db.session.execute(select(Invoice.id).where(Invoice.id == invoice_id).with_for_update())
                _check_slip(invoice, satang, content_sha256)
                payment = InvoicePayment(invoice_id=invoice_id, kind=PAYMENT_SLIP, status=PAYMENT_SUBMITTED,
                                         amount_satang=satang, paid_on=bangkok_date(), image_key=stored.image_key,
                                         content_sha256=content_sha256, recorded_by_id=getattr(actor, "id", None))
                db.session.add(payment)
                db.session.flush()
        except IntegrityError:
            raise Conflict(_l("This slip has already been sent. Each transfer slip can be used only once.")) from None
    except BaseException:
        delete_image(SLIP_FOLDER, stored.image_key)
        raise
    return payment


def _check_slip(invoice: Invoice, satang: int, content_sha256: str) -> None:
    _require_open(invoice)
    if waiting_slip(invoice) is not None:
        raise Conflict(_l("Your last slip is being checked. You can send another one once it is reviewed."))
    _check_within_due(invoice, satang)
    used = db.session.scalar(select(InvoicePayment.id).where(InvoicePayment.content_sha256 == content_sha256)) or \
        db.session.scalar(select(PaymentSlip.id).where(PaymentSlip.content_sha256 == content_sha256))
    if used is not None:
        raise Conflict(_l("This slip has already been sent. Each transfer slip can be used only once."))


def _slip(payment_id: int) -> InvoicePayment:
    payment = db.session.get(InvoicePayment, payment_id)
    if payment is None or payment.kind != PAYMENT_SLIP:
        raise NotFound()
    return payment


def confirm_slip(actor: User, payment_id: int) -> InvoicePayment:
    """Staff confirm a slip: its amount counts towards the invoice."""
    _require_staff(actor)
    with transaction():
        payment = _slip(payment_id)
        invoice = payment.invoice
        _require_open(invoice)
        sm.transition(INVOICE_PAYMENTS, payment, PAYMENT_CONFIRMED, actor=actor, role=PROGRAMME_STAFF,
                      values={"reviewed_by_id": actor.id, "reviewed_at": utcnow()})
        _add_payment(invoice, payment.amount_satang)
        _settle_if_paid(invoice, actor, PROGRAMME_STAFF)
    return payment


def reject_slip(actor: User, payment_id: int, reason: str | None) -> InvoicePayment:
    """Staff reject a slip, saying why (the buyer is e-mailed)."""
    _require_staff(actor)
    reason = checked_text(reason, field="reason").strip()
    if len(reason) > MAX_REASON_LENGTH:
        message = _l("Keep the reason under %(count)d characters.", count=MAX_REASON_LENGTH)
        raise ValidationFailed(message, fields={"reason": message})
    with transaction():
        payment = _slip(payment_id)
        sm.transition(INVOICE_PAYMENTS, payment, PAYMENT_REJECTED, actor=actor, role=PROGRAMME_STAFF, reason=reason,
                      values={"reviewed_by_id": actor.id, "reviewed_at": utcnow(), "reject_reason": reason or None})
        order = payment.invoice.order
        queue_email(to=order.email, kind="invoice_slip_rejected", template="invoice_slip_rejected",
                    locale=order.locale or "th", order=order, invoice=payment.invoice, payment=payment,
                    reason=reason, link=order_url(order, _external=True))
    return payment


def slips_waiting() -> list[InvoicePayment]:
    return list(db.session.scalars(
        select(InvoicePayment).where(InvoicePayment.status == PAYMENT_SUBMITTED)
        .options(joinedload(InvoicePayment.invoice).joinedload(Invoice.order))
        .order_by(InvoicePayment.created_at, InvoicePayment.id)
    ))


def payment_of_invoice(invoice: Invoice, payment_id: int) -> InvoicePayment:
    for payment in invoice.payments:
        if payment.id == payment_id:
            return payment
    raise NotFound()


# ---------------------------------------------------------------- reminders


def reminder_due(invoice: Invoice, today: date) -> str | None:
    """The reminder whose day has come and whose next one's has not, for ``today``."""
    days = (today - invoice.due_on).days
    current = None
    for kind, offset in REMINDERS:
        if days >= offset:
            current = kind
    return current


def send_reminders(now: datetime | None = None) -> int:
    """Queue the reminder each open invoice is due today, once per invoice and kind
    (the unique row decides between two sweepers). Returns how many were queued."""
    today = bangkok_date(now)
    earliest = today - timedelta(days=REMINDERS[-1][1] + 366)
    latest = today - timedelta(days=REMINDERS[0][1])
    sent = 0
    with transaction():
        candidates = [(invoice.id, kind) for invoice in db.session.scalars(
            select(Invoice).join(Order, Order.id == Invoice.order_id)
            .where(Order.status == st.ORDER_INVOICED, Invoice.due_on <= latest, Invoice.due_on >= earliest)
            .order_by(Invoice.due_on, Invoice.id)
        ) if (kind := reminder_due(invoice, today)) is not None]
    for invoice_id, kind in candidates:
        try:
            with transaction():
                if db.session.scalar(select(InvoiceReminder.id).where(
                        InvoiceReminder.invoice_id == invoice_id, InvoiceReminder.kind == kind)) is not None:
                    continue
                db.session.add(InvoiceReminder(invoice_id=invoice_id, kind=kind, sent_at=now or utcnow()))
                db.session.flush()
                invoice = get_invoice(invoice_id)
                order = invoice.order
                # The buyer's language now (their account's), else the order's.
                locale = (invoice.user.locale if invoice.user is not None else None) or order.locale or "th"
                queue_email(to=order.email, kind=f"invoice_reminder_{kind}", template="invoice_reminder",
                            locale=locale, order=order, invoice=invoice, reminder=kind,
                            days=abs((today - invoice.due_on).days), link=order_url(order, _external=True))
            sent += 1
        except IntegrityError:
            continue  # another sweeper sent it
    return sent


def reminders_chore() -> str:
    """``orders.cli.sweep_chores``: one line for the sweeper's report."""
    return f"queued {send_reminders()} invoice reminders"


# ---------------------------------------------------------------- receivables


def bucket_of(days_overdue: int) -> str:
    if days_overdue <= 0:
        return BUCKET_CURRENT
    if days_overdue <= 30:
        return BUCKET_1_30
    if days_overdue <= 60:
        return BUCKET_31_60
    return BUCKET_60_PLUS


@dataclass(frozen=True)
class Receivable:
    invoice: Invoice
    order: Order
    buyer_name: str
    total_satang: int
    paid_satang: int
    outstanding_satang: int
    days_overdue: int
    bucket: str


@dataclass
class BuyerTotals:
    user_id: int | None
    name: str
    by_bucket: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))

    @property
    def total_satang(self) -> int:
        return sum(self.by_bucket.values())


@dataclass
class Receivables:
    as_of: date
    rows: list[Receivable]
    by_bucket: dict[str, int]
    by_buyer: list[BuyerTotals]

    @property
    def total_satang(self) -> int:
        return sum(self.by_bucket.values())


def receivables(as_of: date | None = None, *, bucket: str | None = None, user_id: int | None = None) -> Receivables:
    """Every open invoice (its order ``invoiced``) with what is left to pay and its
    ageing at ``as_of`` (Bangkok today by default), oldest due first; totals per bucket
    and per buyer. ``bucket`` and ``user_id`` filter the rows (the totals follow)."""
    as_of = as_of or bangkok_date()
    statement = (
        select(Invoice).join(Order, Order.id == Invoice.order_id)
        .where(Order.status == st.ORDER_INVOICED)
        .options(joinedload(Invoice.order), joinedload(Invoice.user).joinedload(User.retail_buyer))
        .order_by(Invoice.due_on, Invoice.id)
    )
    if user_id is not None:
        statement = statement.where(Invoice.user_id == user_id)
    rows = []
    for invoice in db.session.scalars(statement).unique():
        order = invoice.order
        days = (as_of - invoice.due_on).days
        row_bucket = bucket_of(days)
        if bucket is not None and row_bucket != bucket:
            continue
        business = invoice.user.retail_buyer if invoice.user is not None else None
        name = order.buyer_company or (business.company_name if business else None) or order.recipient_name
        rows.append(Receivable(invoice=invoice, order=order, buyer_name=name, total_satang=order.total_satang,
                               paid_satang=invoice.paid_satang,
                               outstanding_satang=order.total_satang - invoice.paid_satang,
                               days_overdue=max(days, 0), bucket=row_bucket))
    by_bucket = dict.fromkeys(BUCKETS, 0)
    buyers: dict[int | None, BuyerTotals] = {}
    for row in rows:
        by_bucket[row.bucket] += row.outstanding_satang
        totals = buyers.setdefault(row.invoice.user_id, BuyerTotals(user_id=row.invoice.user_id, name=row.buyer_name))
        totals.by_bucket[row.bucket] += row.outstanding_satang
    by_buyer = sorted(buyers.values(), key=lambda b: (-b.total_satang, b.name, b.user_id or 0))
    return Receivables(as_of=as_of, rows=rows, by_bucket=by_bucket, by_buyer=by_buyer)


def receivables_buyers() -> list[tuple[int, str]]:
    """(user id, company) of every buyer with an invoice, for the filter."""
    rows = db.session.execute(
        select(Invoice.user_id, func.max(Order.buyer_company)).join(Order, Order.id == Invoice.order_id)
        .where(Invoice.user_id.is_not(None)).group_by(Invoice.user_id).order_by(func.max(Order.buyer_company))
    ).all()
    return [(user_id, name or "") for user_id, name in rows]


@csv_producer("Staff receivables (/admin/receivables.csv)")
def receivables_csv(report: Receivables, labels: dict[str, str]) -> CsvText:
    """The receivables report as staff see it, one row per open invoice; ``labels``
    are the column names in the reader's language."""
    header = [labels[key] for key in ("invoice", "buyer", "order", "issued", "due", "total", "paid",
                                      "outstanding", "days_overdue", "bucket")]
    body = [[row.invoice.number, row.buyer_name, row.order.public_id, row.invoice.issued_on.isoformat(),
             row.invoice.due_on.isoformat(), baht_cell(row.total_satang), baht_cell(row.paid_satang),
             baht_cell(row.outstanding_satang), row.days_overdue, row.bucket] for row in report.rows]
    return write_csv(header, body)


def outstanding_total() -> int:
    """All money owed by buyers on open invoices (the staff ledger's receivables)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(Order.total_satang - Invoice.paid_satang), 0))
        .select_from(Invoice).join(Order, Order.id == Invoice.order_id).where(Order.status == st.ORDER_INVOICED)
    ))


def invoiced_pending_for_enterprise(enterprise_id: int) -> int:
    """The enterprise's parts of orders confirmed on invoice and not paid yet: money it
    will be owed once the buyer pays (pending, not in its balance)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(Fulfilment.total_satang), 0))
        .join(Order, Order.id == Fulfilment.order_id)
        .where(Fulfilment.enterprise_id == enterprise_id, Order.status == st.ORDER_INVOICED,
               Fulfilment.status != st.FULFILMENT_CANCELLED)
    ))


def invoices_page(page: int = 1, per_page: int = 50) -> Page[Invoice]:
    return paginate(select(Invoice).options(selectinload(Invoice.order)).order_by(Invoice.id.desc()), page, per_page)


def pdf_url(invoice: Invoice, *, external: bool = False) -> str:
    order = invoice.order
    return url_for("invoicing.invoice_pdf", public_id=order.public_id, t=order_token(order), _external=external)

