"""Placing an order from a cart (docs/product.md: Orders): one order, one payment, one
fulfilment per enterprise, stock held until the order is paid or lapses.

``place_order`` re-reads every price, stock level and shipping option from the
database (a form never supplies a price), refuses with nothing written when anything
the buyer saw has changed (a price, an item gone off sale, a total), and otherwise
writes the order, its fulfilments and lines, takes the stock with conditional UPDATEs
(``inventory.take_stock``), queues the "order placed" e-mail (a job: the sender renders
it, not the request) and removes the bought lines from the cart, in one transaction.

Read first, write after: the cart is read and checked in a transaction that locks
nothing (``read_intent``), and only then does a short transaction write the order
(``write_intent``). On SQLite, where one writer at a time holds the database, buyers
queue on the busy timeout for the writes alone; on PostgreSQL the stock UPDATE's row
lock decides who gets the last units. The writes never trust the read for the stock:
the conditional UPDATE refuses units sold in between, and it comes last, just before
the commit, so the rows of a popular variant stay locked as briefly as possible. Prices
are those the buyer was shown and the read confirmed. Should SQLite still report the
database busy (the busy timeout ran out under an extreme burst), the whole attempt is
rolled back and tried again a few times; a buyer who still cannot get in is told the
shop is busy, never shown a database error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import make_transient_to_detached

from shop.accounts.models import User
from shop.accounts.validation import check_email
from shop.cart import services as cart_services
from shop.cart.services import CartStore, CartView
from shop.catalog.models import Enterprise, Variant
from shop.database import (
    BUSY_ATTEMPTS,
    end_read,
    has_uncommitted_writes,
    in_transaction,
    is_busy,
    read_intent,
    read_statement_by_statement,
    transaction,
    write_intent,
)
from shop.dbtypes import MAX_INT, utcnow
from shop.errors import Conflict, DomainError, ValidationFailed
from shop.extensions import db
from shop.invoicing import services as invoicing
from shop.money import format_baht
from shop.orders import inventory
from shop.orders import status as st
from shop.orders.access import new_public_id, remember_guest_order
from shop.orders.addresses import MAX_SAVED_ADDRESSES, apply_save_address, clean_address, list_saved_addresses
from shop.orders.models import Fulfilment, Order, OrderLine, StatusChange
from shop.orders.services import apply_order_placed_emails
from shop.orders.shipping import ShippingQuote
from shop.payments.providers import available_methods

log = logging.getLogger(__name__)

MAX_NOTE_LENGTH = 500
MAX_PO_NUMBER_LENGTH = 64  # orders.po_number
# Attempts when SQLite reports the database busy after its own busy timeout.

PAYMENT_METHOD_LABELS = {
    st.PAYMENT_STRIPE: _l("Card or PromptPay (Stripe)"),
    st.PAYMENT_PROMPTPAY_QR: _l("PromptPay QR or bank transfer"),
    st.PAYMENT_INVOICE: _l("Pay on invoice"),
}


class EmptyCart(Conflict):
    code = "empty_cart"
    default_message = _l("Your cart is empty.")


class CartNeedsAttention(Conflict):
    """Something in the cart changed since the buyer saw it (price, stock, on sale)."""

    code = "cart_changed"
    default_message = _l("Something in your cart has changed. Please check it before you order.")


class PricesChanged(CartNeedsAttention):
    code = "prices_changed"
    default_message = _l("Some prices have changed since you added the items. Check the new prices and confirm them.")


class SoldOut(CartNeedsAttention):
    code = "out_of_stock"
    #: The cart as the checkout read it when it found the shortage, if it did.
    cart_view: CartView | None = None


class TotalChanged(Conflict):
    code = "total_changed"


class PoNumberNotAllowed(ValidationFailed):
    code = "po_number_not_allowed"


class ShopBusy(DomainError):
    status_code = 503
    code = "busy"
    default_message = _l("Many people are buying right now. Nothing was ordered or charged; please try again.")



def offered_methods(buyer: User | None, total_satang: int | None = None, *, with_bookings: bool = False) -> list[str]:
    """The payment methods ``buyer`` may choose for an order of ``total_satang``, the
    default first: what the enabled providers offer (Stripe only while both of its
    keys are configured), then "pay on invoice" for a verified retail buyer with
    payment terms (``invoicing.terms_of``; whether this order fits their credit is
    ``check_payment_method``'s question, so the option shows with its reason). Every
    place that takes a payment method for a new order (checkout, the API, an accepted
    quote) asks here."""
    methods = list(available_methods())
    # Experiences are paid when booked: seats are not held on credit.
    if invoicing.terms_of(buyer) is not None and not with_bookings:
        methods.append(st.PAYMENT_INVOICE)
    return methods


def check_payment_method(method: str | None, buyer: User | None = None, total_satang: int | None = None, *,
                         with_bookings: bool = False) -> str:
    """``method`` when ``buyer`` may pay an order of ``total_satang`` with it (the
    default when none is given); otherwise ``ValidationFailed`` on ``payment_method``.
    Paying on invoice is refused, with the reason, while one of the buyer's invoices is
    overdue or when the order would take them over their credit limit, and for an
    order that books an experience."""
    offered = offered_methods(buyer, total_satang, with_bookings=with_bookings)
    method = (method or offered[0]).strip()
    if with_bookings and method == st.PAYMENT_INVOICE:
        message = _l("Experiences are paid when booked, not on invoice.")
        raise ValidationFailed(message, fields={"payment_method": message})
    if method not in st.PAYMENT_METHODS or method not in offered:
        message = _l("Choose a payment method from the list.")
        raise ValidationFailed(message, fields={"payment_method": message})
    if method == st.PAYMENT_INVOICE:
        invoicing.check_invoice_allowed(buyer, total_satang)
    return method


def _check_email(buyer: User | None, email: str | None) -> str:
    if buyer is not None:
        return buyer.email

    if not (email or "").strip():
        message = _l("Enter your e-mail address: we send the order and payment details there.")
        raise ValidationFailed(message, fields={"email": message})
    return check_email(email)


def parse_expected_total(raw: str | None) -> int | None:
    """The total the checkout page showed (its hidden field), in satang; None when the
    form sent none (an old page, a script). Anything else than a whole number of
    satang is refused (400): skipping the check would place an order the buyer
    may not have seen the total of."""
    text = (raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_INT:
        raise DomainError(_l("The order total sent with the form is not a number, so we cannot check it against "
                             "today's total. Nothing was ordered: reload the checkout page and try again."))
    return int(text)


def _check_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        message = _l("Use at most %(max)d characters.", max=MAX_NOTE_LENGTH)
        raise ValidationFailed(message, fields={"buyer_note": message})
    return note or None


def _check_po_number(buyer: User | None, po_number: str | None) -> str | None:
    """A purchase-order number is for verified retail buyers only (§7): anyone else
    giving one is refused rather than having it silently dropped."""
    if po_number is None:
        return None
    if buyer is None or not buyer.is_verified_retail_buyer:
        message = _l("Only verified retail buyers can give a purchase-order number.")
        raise PoNumberNotAllowed(message, fields={"po_number": message})
    po_number = po_number.strip()
    if len(po_number) > MAX_PO_NUMBER_LENGTH:
        message = _l("Use at most %(max)d characters.", max=MAX_PO_NUMBER_LENGTH)
        raise ValidationFailed(message, fields={"po_number": message})
    return po_number or None


def _check_lines(view: CartView, locale: str) -> None:
    """Refuse what the buyer has not seen as it is now: nothing is ever adjusted here."""
    if view.removed_count:
        raise CartNeedsAttention(_l("An item in your cart no longer exists and was removed. Please check your cart."))
    if view.is_empty:
        raise EmptyCart()
    limit = cart_services.max_line_quantity()
    for line in view.lines:
        name = cart_services.display_name(line.variant, locale)
        if line.quantity > limit:
            raise ValidationFailed(_l("You can buy at most %(max)d of one item in one order.", max=limit))
        if line.problem == cart_services.PROBLEM_UNAVAILABLE:
            raise CartNeedsAttention(_l("%(name)s is no longer on sale. Remove it from your cart.", name=name))
        if line.problem == cart_services.PROBLEM_SOLD_OUT:
            raise SoldOut(_l("%(name)s is sold out. Remove it from your cart.", name=name))
        if line.problem == cart_services.PROBLEM_SHORT:
            raise SoldOut(_l("Only %(count)d of %(name)s left. Change the quantity in your cart.",
                             count=line.available, name=name))
        if line.problem == cart_services.PROBLEM_WHOLESALE_QUANTITY:
            raise cart_services.WholesaleQuantityRefused(
                cart_services.wholesale_quantity_message(line.variant, line.quantity_problem, locale),
                problem=line.quantity_problem, variant_id=line.variant_id, in_cart=True, fields={})
    for booking in view.bookings:
        if booking.problem == cart_services.PROBLEM_UNAVAILABLE:
            raise CartNeedsAttention(_l("%(name)s (%(when)s) can no longer be booked. Remove it from your cart.",
                                        name=booking.title, when=booking.when))
        if booking.problem == cart_services.PROBLEM_SEATS_SHORT:
            raise SoldOut(_l("Seats left on %(name)s (%(when)s): %(count)d. Change your booking in the cart.",
                             count=booking.seats_left, name=booking.title, when=booking.when))
    if view.changed_price_lines or view.changed_price_bookings:
        raise PricesChanged()


def _check_shipping(view: CartView, choices: Mapping[int, str]) -> None:
    """Every enterprise's chosen option must be one of its own active options."""
    problems = {}
    for group in view.groups:
        key = choices.get(group.enterprise.id)
        if key not in (None, "") and not any(q.key == str(key) for q in group.quotes):
            problems[f"shipping_{group.enterprise.id}"] = _l("Choose one of the shipping options shown.")
    if problems:
        raise ValidationFailed(_l("A shipping option is no longer offered. Choose again."), fields=problems)


@dataclass(frozen=True)
class DraftLine:
    """One order line as it will be written: plain values read from the cart's view."""

    variant_id: int
    product_id: int
    sku: str
    product_name_th: str
    product_name_en: str | None
    variant_name_th: str | None
    variant_name_en: str | None
    unit_price_satang: int
    quantity: int
    line_total_satang: int
    weight_grams: int
    display_name: str  # in the buyer's language, for a "sold out" message


@dataclass(frozen=True)
class DraftPart:
    """One enterprise's part of the order (a fulfilment) as it will be written."""

    enterprise_id: int
    shipping_option_id: int | None
    shipping_kind: str
    shipping_name: str
    shipping_satang: int
    subtotal_satang: int
    total_satang: int
    lines: tuple[DraftLine, ...]


@dataclass
class OrderDraft:
    """Everything an order's writes need, checked and read beforehand: no ORM object,
    so the writes can happen in a later, short transaction (``place_order``)."""

    subtotal_satang: int
    shipping_satang: int
    total_satang: int
    parts: tuple[DraftPart, ...]
    address: object = None  # ``AddressInput``
    bookings: list = field(default_factory=list)  # ``BookingLine``s (the order's own transaction only)
    bookings_only: bool = False

    @property
    def lines(self) -> list[DraftLine]:
        return [line for part in self.parts for line in part.lines]

    def name_of(self, variant_id: int) -> str:
        return next((line.display_name for line in self.lines if line.variant_id == variant_id), "")


def draft_of(view: CartView, *, locale: str, address=None) -> OrderDraft:
    """The order the buyer sees in ``view`` (its goods; bookings are carried as they are)."""
    parts = []
    for group in view.groups:
        chosen = group.chosen
        lines = []
        for line in group.lines:
            variant, product = line.variant, line.product
            lines.append(DraftLine(
                variant_id=variant.id, product_id=product.id, sku=variant.sku,
                product_name_th=product.name_th, product_name_en=product.name_en,
                variant_name_th=variant.name_th, variant_name_en=variant.name_en,
                unit_price_satang=line.unit_price_satang, quantity=line.quantity,
                line_total_satang=line.line_total_satang, weight_grams=int(variant.weight_grams or 0),
                display_name=cart_services.display_name(variant, locale),
            ))
        parts.append(DraftPart(
            enterprise_id=group.enterprise.id, shipping_option_id=chosen.option_id, shipping_kind=chosen.kind,
            shipping_name=chosen.name[:120], shipping_satang=group.shipping_satang,
            subtotal_satang=group.subtotal_satang, total_satang=group.total_satang, lines=tuple(lines),
        ))
    return OrderDraft(subtotal_satang=view.subtotal_satang, shipping_satang=view.shipping_satang,
                      total_satang=view.total_satang, parts=tuple(parts), address=address,
                      bookings=list(view.bookings), bookings_only=view.bookings_only)


# The order's INSERT statements, built once: each order passes only its values, so
# no statement is put together (and keyed for the compiled cache) per order.
_INSERT_ORDER = insert(Order.__table__).returning(Order.__table__.c.id)
_INSERT_PARTS = insert(Fulfilment.__table__).returning(Fulfilment.__table__.c.id, sort_by_parameter_order=True)
_INSERT_LINES = insert(OrderLine.__table__)
_INSERT_STEP = insert(StatusChange.__table__)


def _build_order(draft: OrderDraft, *, buyer_id: int | None, email: str, address, locale: str,
                 payment_method: str, buyer_note: str | None, po_number: str | None, now) -> Order:
    """Insert the order, its fulfilments, lines and first timeline step in the caller's
    transaction (not committed); the order is returned as a persistent object.

    Four INSERT statements, the parts and lines each in one batch: a busy sale's write
    transaction holds the order's few rows, not the ORM's unit of work. No row here has
    ORM events of its own; the columns' defaults apply as in a flush."""
    on_invoice = payment_method == st.PAYMENT_INVOICE
    # Paid on invoice: confirmed now (no hold, nothing lapses); otherwise unpaid,
    # holding its stock until paid or lapsed.
    first_status = st.ORDER_INVOICED if on_invoice else st.ORDER_PENDING_PAYMENT
    values = dict(
        public_id=new_public_id(),
        user_id=buyer_id,
        email=email,
        locale=locale,
        channel=st.CHANNEL_ONLINE,
        status=first_status,
        payment_method=payment_method,
        subtotal_satang=draft.subtotal_satang,
        shipping_satang=draft.shipping_satang,
        total_satang=draft.total_satang,
        refunded_satang=0,
        expires_at=None if on_invoice else now + timedelta(minutes=int(current_app.config["ORDER_HOLD_MINUTES"])),
        buyer_note=buyer_note,
        po_number=po_number,
        created_at=now,
        updated_at=now,
        **address.as_dict(),
    )
    session = db.session
    order_id = session.execute(_INSERT_ORDER, values).scalar_one()
    part_ids = session.scalars(
        _INSERT_PARTS,
        [dict(order_id=order_id, enterprise_id=part.enterprise_id, status=st.FULFILMENT_NEW,
              shipping_option_id=part.shipping_option_id, shipping_kind=part.shipping_kind,
              shipping_name=part.shipping_name, shipping_satang=part.shipping_satang,
              subtotal_satang=part.subtotal_satang, total_satang=part.total_satang, refunded_satang=0,
              stock_released=False, created_at=now, updated_at=now)
         for part in draft.parts],
    ).all() if draft.parts else []
    lines = [dict(order_id=order_id, fulfilment_id=part_id, variant_id=line.variant_id, product_id=line.product_id,
                  sku=line.sku, product_name_th=line.product_name_th, product_name_en=line.product_name_en,
                  variant_name_th=line.variant_name_th, variant_name_en=line.variant_name_en,
                  unit_price_satang=line.unit_price_satang, quantity=line.quantity,
                  line_total_satang=line.line_total_satang, weight_grams=line.weight_grams)
             for part, part_id in zip(draft.parts, part_ids, strict=True) for line in part.lines]
    if lines:
        session.execute(_INSERT_LINES, lines)
    # The first step of the order's timeline: placed by the buyer, waiting for payment
    # (or confirmed on invoice).
    session.execute(_INSERT_STEP, dict(order_id=order_id, machine=st.ORDER, from_status=None, to_status=first_status,
                                       actor_id=buyer_id, actor_role=st.ROLE_BUYER, created_at=now))
    # The order as an object, as if just read: what was inserted is loaded, anything
    # else (its parts, its timeline) loads when asked for.
    order = Order(id=order_id, **values)
    make_transient_to_detached(order)
    session.add(order)
    return order


def preview_order(cart: CartStore, *, buyer: User | None, locale: str,
                  shipping_choices: Mapping[int, str] | None = None) -> CartView:
    """What the checkout page shows: the cart with the chosen shipping and totals."""
    return cart_services.view_cart(cart, buyer=buyer, locale=locale, shipping_choices=dict(shipping_choices or {}))


def place_order(
    cart: CartStore,
    *,
    buyer: User | None,
    address: Mapping[str, str],
    email: str | None = None,
    shipping_choices: Mapping[int, str] | None = None,
    payment_method: str | None = st.PAYMENT_PROMPTPAY_QR,
    locale: str = "th",
    buyer_note: str | None = None,
    po_number: str | None = None,
    save_address: bool = False,
    expected_total_satang: int | None = None,
    before_commit: Callable[[Order], None] | None = None,
) -> Order:
    """Turn the cart into an unpaid order holding its stock; commits once; returns it.

    ``shipping_choices`` maps an enterprise id to the key of the chosen option (its id
    as text, or ``"default"``); an enterprise without a choice gets its first option.
    ``expected_total_satang`` is the total the buyer was shown: if today's total
    differs (a shipping option changed, say), nothing is written and ``TotalChanged``
    says the new total. ``po_number`` (the buyer's purchase-order number) is taken
    from verified retail buyers only; anyone else giving one is refused
    (``PoNumberNotAllowed``). ``before_commit``, when given, is called with the order at
    the end of the order's ``transaction()`` block (after the stock is taken), to add
    rows that must exist exactly when the order does (the API's idempotency key);
    whatever it raises rolls the whole order back. The hook, rather than a transaction
    opened by the caller, keeps the busy retry below in charge of the whole attempt.
    Raises ``DomainError`` subclasses with nothing written.
    """
    # The total is checked again when the order is read, once it is known.
    with_bookings = bool(cart.bookings())
    payment_method = check_payment_method(payment_method, buyer, expected_total_satang, with_bookings=with_bookings)
    email = _check_email(buyer, email)
    # A cart of bookings only has nothing to deliver: the order's address is the
    # meeting point, with the buyer's name and phone (checked in ``_read_order``).
    bookings_only = with_bookings and not cart.lines()
    clean = None if bookings_only else clean_address(dict(address))
    buyer_note = _check_note(buyer_note)
    po_number = _check_po_number(buyer, po_number)
    choices = {int(k): str(v) for k, v in (shipping_choices or {}).items()}
    read = dict(buyer=buyer, address=clean or dict(address), choices=choices, locale=locale,
                expected_total_satang=expected_total_satang)
    write = dict(buyer=buyer, buyer_id=buyer.id if buyer is not None else None, email=email,
                 payment_method=payment_method, locale=locale, buyer_note=buyer_note, po_number=po_number,
                 save_address=save_address, before_commit=before_commit)
    # Read first, write after: everything is read and checked in a transaction that
    # locks nothing, then a short transaction writes the order, its lines and the
    # stock (a conditional UPDATE: whatever sold meanwhile is refused there). On
    # SQLite other buyers wait only for those writes, not for this buyer's reads.
    # Bookings are read and written in one transaction (their prices and seats are
    # read again where they are written), as is an order placed inside another use
    # case's transaction or after writes not yet committed.
    split = not with_bookings and not in_transaction() and not has_uncommitted_writes()
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            # Each attempt is whole: a busy database rolls it all back (the block
            # does) before the next attempt starts afresh.
            if split:
                end_read()  # nothing the request read before is relied on
                with read_intent():
                    read_statement_by_statement()
                    draft = _read_order(cart, **read)
                end_read()
                with write_intent(), transaction():
                    order = _write_order(draft, cart, **write)
                    # Kept out of the commit's expiry: what was written is what the
                    # page after needs, with no read (and, on SQLite, no lock) for it.
                    db.session.flush()
                    db.session.expunge(order)
                db.session.add(order)
            else:
                with transaction():
                    draft = _read_order(cart, **read)
                    order = _write_order(draft, cart, **write)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
            log.warning("checkout: database busy (attempt %d of %d)", attempt, BUSY_ATTEMPTS)
            if attempt == BUSY_ATTEMPTS:
                raise ShopBusy() from None
            time.sleep(0.05 * attempt)
            continue
        break
    if cart.is_guest:
        # The session is not part of the database transaction: clear the bought lines
        # only now that the order exists.
        cart.delete(line.variant_id for line in draft.lines)
        cart.delete_bookings(booking.session_id for booking in draft.bookings)
        cart.save()
        if has_request_context():
            remember_guest_order(order)
    return order


def _read_order(cart: CartStore, *, buyer: User | None, address, choices: dict[int, str], locale: str,
                expected_total_satang: int | None) -> OrderDraft:
    """Read the cart at today's committed prices, stock and shipping and check it as
    the buyer saw it; the order to write, or ``DomainError`` (nothing is written)."""
    stored = cart.lines()
    variants = cart_services.load_variants((line.variant_id for line in stored), refresh=True)
    view = cart_services.build_view(stored, variants, buyer=buyer, locale=locale, shipping_choices=choices)
    stored_bookings = cart.bookings()
    view.bookings = cart_services.view_bookings(stored_bookings, buyer=buyer, locale=locale)
    if len(view.bookings) != len(stored_bookings):
        raise CartNeedsAttention(_l("An item in your cart no longer exists and was removed. Please check your cart."))
    if view.bookings_only:
        given = address if isinstance(address, Mapping) else address.as_dict()
        address = clean_address({**view.bookings[0].meeting_address,
                                 "recipient_name": given.get("recipient_name", ""), "phone": given.get("phone", "")})
    elif isinstance(address, Mapping):  # checked here: the cart held bookings only when the order began
        address = clean_address(dict(address))
    try:
        _check_lines(view, locale)
    except SoldOut as exc:
        exc.cart_view = view  # the page that says so shows the cart as just read
        raise
    _check_shipping(view, choices)
    if expected_total_satang is not None and int(expected_total_satang) != view.total_satang:
        raise TotalChanged(_l("The total is now %(total)s. Please check your order and place it again.",
                              total=format_baht(view.total_satang, locale)))
    return draft_of(view, locale=locale, address=address)


def _write_order(draft: OrderDraft, cart: CartStore, *, buyer: User | None, buyer_id: int | None, email: str,
                 payment_method: str, locale: str, buyer_note: str | None, po_number: str | None,
                 save_address: bool, before_commit: Callable[[Order], None] | None = None) -> Order:
    """Write ``draft`` in the caller's transaction: the order, its bookings' seats, the
    e-mail (or invoice) job, the cart's rows and, last, the stock."""
    address = draft.address
    if payment_method == st.PAYMENT_INVOICE:
        # Today's total against the credit left, the buyer's terms row locked until
        # the commit, so two orders at once cannot both take the last of the credit.
        invoicing.check_invoice_allowed(buyer, draft.total_satang, lock=True)
    now = utcnow()
    order = _build_order(draft, buyer_id=buyer_id, email=email, address=address, locale=locale,
                         payment_method=payment_method, buyer_note=buyer_note, po_number=po_number, now=now)
    if draft.bookings:
        # Each booking becomes its own fulfilment for its host, its seats taken (or
        # ``SeatsGone``, rolling the whole order back); the guest list shows the
        # recipient's name and phone.
        cart_services.place_bookings(order, draft.bookings, address.recipient_name, address.phone, buyer)
    if save_address and buyer is not None and not draft.bookings_only \
            and len(list_saved_addresses(buyer)) < MAX_SAVED_ADDRESSES:
        apply_save_address(buyer, address)
    if payment_method == st.PAYMENT_INVOICE:
        invoicing.apply_issue_invoice(order, buyer, now=now)
    else:
        apply_order_placed_emails(order)
    if not cart.is_guest:
        cart.delete(line.variant_id for line in draft.lines)
        cart.delete_bookings(booking.session_id for booking in draft.bookings)
    _take_stock(draft, sold_out=lambda name: _l(
        "Sorry, %(name)s has just sold out. Remove it from your cart to order the rest.", name=name),
        short=lambda count, name: _l(
            "Sorry, only %(count)d of %(name)s are left now. Change the quantity in your cart.",
            count=count, name=name))
    if before_commit is not None:
        before_commit(order)
    return order


def _take_stock(draft: OrderDraft, *, sold_out: Callable, short: Callable) -> None:
    """Take the draft's units (``inventory.take_stock``); for the first line short,
    ``SoldOut`` with ``sold_out(name)`` (none left) or ``short(count, name)``."""
    try:
        inventory.take_stock((line.variant_id, line.quantity) for line in draft.lines)
    except inventory.OutOfStock as exc:
        name = draft.name_of(exc.variant_id)
        if not exc.available:
            raise SoldOut(sold_out(name)) from None
        raise SoldOut(short(exc.available, name)) from None


def write_order_at_prices(enterprise: Enterprise, lines: Sequence[tuple[Variant, int, int]], *,
                          shipping_name: str, shipping_satang: int, buyer: User, address: Mapping[str, str],
                          locale: str, payment_method: str | None, buyer_note: str | None = None,
                          po_number: str | None = None) -> Order:
    """Write, in the caller's transaction, an unpaid order for one enterprise's
    ``lines`` (variant, quantity, unit price in satang) at prices agreed elsewhere (an
    accepted quote) with the shipping fee agreed with them: the same checks of the
    payment method (for this total), address, note and purchase-order number as
    ``place_order``, and the same order, fulfilment, lines, timeline, "order placed"
    e-mail (or, on invoice, the invoice) and stock hold. Raises ``ValidationFailed`` for a bad field and ``SoldOut``
    when the stock is short; the caller's transaction then rolls everything back."""
    group = cart_services.CartGroup(
        enterprise=enterprise,
        lines=[cart_services.CartLine(variant=variant, quantity=quantity, price_seen_satang=price,
                                      unit_price_satang=price, on_sale=True)
               for variant, quantity, price in lines],
        chosen=ShippingQuote(key="agreed", option_id=None, kind=st.SHIPPING_FLAT, name=shipping_name,
                             fee_satang=shipping_satang),
    )
    view = CartView(groups=[group])
    payment_method = check_payment_method(payment_method, buyer, view.total_satang)
    clean = clean_address(dict(address))
    buyer_note = _check_note(buyer_note)
    po_number = _check_po_number(buyer, po_number)
    if payment_method == st.PAYMENT_INVOICE:
        # As at checkout: the credit left, with the buyer's terms row locked to the commit.
        invoicing.check_invoice_allowed(buyer, view.total_satang, lock=True)
    now = utcnow()
    draft = draft_of(view, locale=locale)
    order = _build_order(draft, buyer_id=buyer.id, email=buyer.email, address=clean, locale=locale,
                         payment_method=payment_method, buyer_note=buyer_note, po_number=po_number, now=now)
    if payment_method == st.PAYMENT_INVOICE:
        invoicing.apply_issue_invoice(order, buyer, now=now)
    else:
        apply_order_placed_emails(order)
    _take_stock(draft, sold_out=lambda name: _l("Sorry, %(name)s is sold out now.", name=name),
                short=lambda count, name: _l("Sorry, only %(count)d of %(name)s are left now.",
                                             count=count, name=name))
    return order
