"""Request-for-quote use cases (docs/product.md: Wholesale, Requests for quote).

Each use case takes the acting user, checks what it is given, moves the request
through ``machines.QUOTES`` and queues its e-mails, all in one ``transaction()``.
Accepting a quote places the order (``checkout.write_order_at_prices``) in the same
transaction as the move ``quoted → accepted``: the conditional UPDATE of the move lets
exactly one of two accepts at once go on, and a refusal (stock short, the quote
lapsed, the account no longer verified, the item off sale, a bad address) writes
nothing.

Dates are Bangkok calendar dates: a quote is valid through its ``valid_until`` day; a
request not answered is open through its delivery date. The sweeper
(``flask orders sweep``) moves both to ``expired`` the day after; an accept after
that day is refused even before the sweeper ran.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_, select

from shop.accounts.models import User
from shop.cart import checkout
from shop.cart import services as cart_services
from shop.catalog.models import EnterpriseMember, Variant
from shop.catalog.pricing import buys_wholesale
from shop.catalog.services import is_product_visible
from shop.database import transaction
from shop.dbtypes import MAX_INT, utcnow
from shop.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.notifications.services import queue_email
from shop.orders.addresses import AddressInput, get_saved_address
from shop.orders.models import Order
from shop.quotes.machines import QUOTES
from shop.quotes.models import (
    ACCEPTED,
    DECLINED,
    EXPIRED,
    OPEN_STATUSES,
    QUOTED,
    REQUESTED,
    WITHDRAWN,
    QuoteMessage,
    QuoteRequest,
)
from shop.roles import BUYER, ENTERPRISE_MEMBER, SYSTEM
from shop.statemachine import StatusChangeLog, TransitionRefused, transition
from shop.text import checked_text
from shop.thai import ascii_digits

log = logging.getLogger(__name__)

BANGKOK = ZoneInfo("Asia/Bangkok")
#: A unit price, asked or quoted, is at most ฿1,000,000.
MAX_UNIT_SATANG = 100_000_000
#: A quoted shipping fee is at most ฿100,000.
MAX_SHIPPING_SATANG = 10_000_000
#: A delivery date at most this many days ahead.
MAX_DELIVERY_DAYS = 365
#: A quote valid at most this many days ahead.
MAX_VALID_DAYS = 90
MAX_LEAD_TIME_DAYS = 365
MAX_MESSAGE_LENGTH = 2000
MAX_REASON_LENGTH = 1000


class NotAWholesaleBuyer(PermissionDenied):
    code = "not_verified_retail_buyer"
    default_message = _l("Requests for quote are for verified retail buyers. Open a business account and "
                         "wait for it to be verified to ask enterprises for a quote.")


class QuoteNotFound(NotFound):
    default_message = _l("We could not find that request for quote.")


class ItemNotOnSale(Conflict):
    code = "not_on_sale"
    default_message = _l("This item is no longer on sale, so the quote cannot be accepted.")


class QuoteExpired(Conflict):
    code = "quote_expired"
    default_message = _l("This quote is no longer valid. Write to the enterprise to ask for a new one.")


class RequestClosed(Conflict):
    code = "quote_closed"
    default_message = _l("This request for quote is closed; no more messages can be written on it.")


# ---------------------------------------------------------------- input


def bangkok_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(BANGKOK).date()


def _refuse(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message})


def parse_whole(value, field: str, *, required: bool = True) -> int | None:
    """A whole number typed in a form (Thai digits allowed), or ``None`` when empty
    and not ``required``; ``ValidationFailed`` on ``field`` otherwise. The range is
    the use case's to check."""
    text = ascii_digits(str(value) if value is not None else "").strip()
    if not text:
        if required:
            raise _refuse(field, _l("This field is required."))
        return None
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        raise _refuse(field, _l("Enter a whole number, e.g. 12."))
    if len(digits.lstrip("0")) > 10:
        raise _refuse(field, _l("This number is too large."))
    number = int(digits)
    return -number if text.startswith("-") else number


def parse_baht(value, field: str, *, required: bool = True) -> int | None:
    """An amount of baht typed in a form (``120``, ``120.50``) as satang."""
    text = ascii_digits(str(value) if value is not None else "").replace(",", "").replace("฿", "").strip()
    if not text:
        if required:
            raise _refuse(field, _l("This field is required."))
        return None
    whole, _, fraction = text.partition(".")
    negative = whole.startswith("-")
    whole = whole.lstrip("+-")
    if not (whole.isascii() and whole.isdigit()) or not (fraction == "" or (fraction.isascii() and fraction.isdigit()
                                                                             and len(fraction) <= 2)):
        raise _refuse(field, _l("Enter an amount in baht, e.g. 120 or 120.50."))
    if len(whole.lstrip("0")) > 10:
        raise _refuse(field, _l("This amount is too large."))
    satang = int(whole) * 100 + int(fraction.ljust(2, "0") or "0")
    return -satang if negative else satang


def parse_date(value, field: str, *, required: bool = True) -> date | None:
    """A date as ``YYYY-MM-DD`` (what a date field sends)."""
    text = ascii_digits(str(value) if value is not None else "").strip()
    if not text:
        if required:
            raise _refuse(field, _l("This field is required."))
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise _refuse(field, _l("Enter a date, e.g. 2026-12-31.")) from None


def _check_quantity(quantity, field: str) -> int:
    limit = cart_services.max_line_quantity()
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise _refuse(field, _l("Enter a whole number, e.g. 12."))
    if quantity < 1:
        raise _refuse(field, _l("The quantity must be at least 1."))
    if quantity > limit:
        raise _refuse(field, _l("At most %(max)d of one item can be ordered at once.", max=limit))
    return quantity


def _check_unit(satang, field: str, *, required: bool = True) -> int | None:
    if satang is None and not required:
        return None
    if isinstance(satang, bool) or not isinstance(satang, int):
        raise _refuse(field, _l("Enter an amount in baht, e.g. 120 or 120.50."))
    if satang < 1:
        raise _refuse(field, _l("The price must be more than zero."))
    if satang > MAX_UNIT_SATANG:
        raise _refuse(field, _l("The price can be at most ฿1,000,000 a unit."))
    return satang


def _check_text(value: str | None, field: str, *, required: bool, limit: int = MAX_MESSAGE_LENGTH,
                empty_message=None) -> str | None:
    text = checked_text(value, field=field, multi_line=True).strip()
    if not text:
        if required:
            raise _refuse(field, empty_message or _l("Write a message."))
        return None
    if len(text) > limit:
        raise _refuse(field, _l("Use at most %(max)d characters.", max=limit))
    return text


def _check_date_within(value, field: str, *, earliest: date, latest: date, too_early, too_late) -> date:
    if not isinstance(value, date):
        raise _refuse(field, _l("Enter a date, e.g. 2026-12-31."))
    if value < earliest:
        raise _refuse(field, too_early)
    if value > latest:
        raise _refuse(field, too_late)
    return value


# ---------------------------------------------------------------- reading


def buyer_requests_query(buyer: User) -> Select:
    """A buyer's requests, newest first."""
    return (select(QuoteRequest).where(QuoteRequest.buyer_id == buyer.id)
            .order_by(QuoteRequest.created_at.desc(), QuoteRequest.id.desc()))


def enterprise_requests_query(enterprise_id: int, *, to_answer: bool = False) -> Select:
    """An enterprise's requests, newest first; ``to_answer``: those waiting for its quote."""
    stmt = select(QuoteRequest).where(QuoteRequest.enterprise_id == enterprise_id)
    if to_answer:
        stmt = stmt.where(QuoteRequest.status == REQUESTED)
    return stmt.order_by(QuoteRequest.created_at.desc(), QuoteRequest.id.desc())


def get_for_buyer(buyer: User, request_id: int) -> QuoteRequest:
    """The buyer's own request; anyone else's is "not found"."""
    req = db.session.get(QuoteRequest, request_id) if _is_id(request_id) else None
    if req is None or buyer is None or req.buyer_id != buyer.id:
        raise QuoteNotFound()
    return req


def get_for_enterprise(enterprise_id: int, request_id: int) -> QuoteRequest:
    """A request made to this enterprise (membership is checked by the caller)."""
    req = db.session.get(QuoteRequest, request_id) if _is_id(request_id) else None
    if req is None or req.enterprise_id != enterprise_id:
        raise QuoteNotFound()
    return req


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_INT


def is_lapsed(req: QuoteRequest, today: date | None = None) -> bool:
    """Whether an open request is past its day (the sweeper moves it to ``expired``)."""
    today = today or bangkok_today()
    if req.status == QUOTED:
        return req.valid_until is not None and req.valid_until < today
    if req.status == REQUESTED:
        return req.delivery_date < today
    return False


def shown_status(req: QuoteRequest) -> str:
    """The status as pages show it: a lapsed open request is expired already."""
    return EXPIRED if is_lapsed(req) else req.status


def may_accept(req: QuoteRequest) -> bool:
    return req.status == QUOTED and not is_lapsed(req)


def load_quote_variant(variant_id) -> Variant:
    """A variant a buyer may ask about: of a live product, itself on sale."""
    if not _is_id(variant_id):
        raise _refuse("variant_id", _l("Choose an item from the catalogue."))
    variant = cart_services.load_variants([variant_id], refresh=True).get(variant_id)
    if variant is None or not is_product_visible(variant.product):
        raise NotFound(_l("We could not find that item."))
    if not variant.is_active:
        raise Conflict(_l("This option is no longer on sale."))
    return variant


# ---------------------------------------------------------------- e-mails


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def buyer_link(req: QuoteRequest) -> str:
    return f"{_base()}/account/quotes/{req.id}"


def seller_link(req: QuoteRequest) -> str:
    return f"{_base()}/seller/{req.enterprise_id}/quotes/{req.id}"


def _members(enterprise_id: int) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(User.email, User.locale)
        .join(EnterpriseMember, EnterpriseMember.user_id == User.id)
        .where(EnterpriseMember.enterprise_id == enterprise_id, User.is_active_account.is_(True))
        .order_by(User.id)
    )
    return [(email, locale or "th") for email, locale in rows]


def _email_buyer(req: QuoteRequest, event: str, **context) -> None:
    queue_email(to=req.buyer.email, kind=f"quote_{event}", template="quote_event", locale=req.buyer.locale or "th",
                req=req, event=event, link=buyer_link(req), to_buyer=True, **context)


def _email_enterprise(req: QuoteRequest, event: str, **context) -> None:
    for email, locale in _members(req.enterprise_id):
        queue_email(to=email, kind=f"quote_{event}", template="quote_event", locale=locale, req=req, event=event,
                    link=seller_link(req), to_buyer=False, **context)


# ---------------------------------------------------------------- use cases


def request_quote(buyer: User, variant_id, *, quantity, target_unit_satang, delivery_date, message) -> QuoteRequest:
    """A verified retail buyer asks the variant's enterprise for a quote."""
    if not buys_wholesale(buyer):
        raise NotAWholesaleBuyer()
    quantity = _check_quantity(quantity, "quantity")
    target_unit_satang = _check_unit(target_unit_satang, "target_unit_price", required=False)
    today = bangkok_today()
    delivery_date = _check_date_within(
        delivery_date, "delivery_date", earliest=today + timedelta(days=1),
        latest=today + timedelta(days=MAX_DELIVERY_DAYS),
        too_early=_l("Choose a delivery date from tomorrow on."),
        too_late=_l("Choose a delivery date within %(days)d days.", days=MAX_DELIVERY_DAYS))
    message = _check_text(message, "message", required=True,
                          empty_message=_l("Tell the enterprise what you need, e.g. packing or labels."))
    with transaction():
        variant = load_quote_variant(variant_id)
        if db.session.scalar(select(EnterpriseMember.id).where(
                EnterpriseMember.enterprise_id == variant.product.enterprise_id,
                EnterpriseMember.user_id == buyer.id)) is not None:
            raise PermissionDenied(_l("You cannot ask your own enterprise for a quote."))
        req = QuoteRequest(buyer_id=buyer.id, enterprise_id=variant.product.enterprise_id, variant_id=variant.id,
                           status=REQUESTED, quantity=quantity, target_unit_satang=target_unit_satang,
                           delivery_date=delivery_date, message=message)
        db.session.add(req)
        db.session.flush()
        _log_created(req, buyer)
        _email_enterprise(req, "requested")
    return req


def _log_created(req: QuoteRequest, buyer: User) -> None:
    """The first line of the request's history: made by the buyer."""
    db.session.add(StatusChangeLog(machine=QUOTES.name, row_id=req.id, from_status=None, to_status=REQUESTED,
                                   actor_id=buyer.id, actor_role=BUYER))


def answer_quote(user: User, req: QuoteRequest, *, unit_satang, quantity, shipping_satang, valid_until,
                 lead_time_days=None, note=None) -> QuoteRequest:
    """The enterprise quotes (or revises its quote while the buyer has not answered).

    The quoted quantity is the enterprise's to choose but must be whole case packs of
    the item (the enterprise's own packing); the minimum order does not bind a quote.
    """
    unit_satang = _check_unit(unit_satang, "unit_price")
    quantity = _check_quantity(quantity, "quantity")
    pack = max(1, int(req.variant.case_pack or 1))
    if quantity % pack:
        lower = quantity - quantity % pack
        upper = lower + pack
        nearest = upper if lower == 0 or quantity - lower >= upper - quantity else lower
        message = _l("This item is packed in cases of %(pack)d: quote a multiple of %(pack)d, e.g. %(suggestion)d.",
                     pack=pack, suggestion=nearest)
        raise _refuse("quantity", message)
    if isinstance(shipping_satang, bool) or not isinstance(shipping_satang, int):
        raise _refuse("shipping", _l("Enter an amount in baht, e.g. 120 or 120.50."))
    if shipping_satang < 0:
        raise _refuse("shipping", _l("The shipping fee cannot be negative."))
    if shipping_satang > MAX_SHIPPING_SATANG:
        raise _refuse("shipping", _l("The shipping fee can be at most ฿100,000."))
    if unit_satang * quantity + shipping_satang > MAX_INT:
        raise _refuse("quantity", _l("The total of this quote is too large for one order."))
    today = bangkok_today()
    valid_until = _check_date_within(
        valid_until, "valid_until", earliest=today, latest=today + timedelta(days=MAX_VALID_DAYS),
        too_early=_l("The quote must be valid at least until today."),
        too_late=_l("A quote can be valid for at most %(days)d days.", days=MAX_VALID_DAYS))
    if lead_time_days is not None:
        if isinstance(lead_time_days, bool) or not isinstance(lead_time_days, int):
            raise _refuse("lead_time_days", _l("Enter a whole number, e.g. 12."))
        if not 0 <= lead_time_days <= MAX_LEAD_TIME_DAYS:
            raise _refuse("lead_time_days", _l("Enter from 0 to %(max)d days.", max=MAX_LEAD_TIME_DAYS))
    note = _check_text(note, "note", required=False)
    with transaction():
        revised = req.status == QUOTED
        transition(QUOTES, req, QUOTED, actor=user, role=ENTERPRISE_MEMBER, values=dict(
            quoted_unit_satang=unit_satang, quoted_quantity=quantity, quoted_shipping_satang=shipping_satang,
            valid_until=valid_until, lead_time_days=lead_time_days, quote_note=note, quoted_at=utcnow(),
            quoted_by_id=user.id))
        _email_buyer(req, "revised" if revised else "quoted")
    return req


def decline(user: User, req: QuoteRequest, reason, *, role: str = ENTERPRISE_MEMBER) -> QuoteRequest:
    """The enterprise (or staff) declines the request or takes back its quote, saying why."""
    reason = _check_text(reason, "reason", required=True, limit=MAX_REASON_LENGTH,
                         empty_message=_l("Please give a reason."))
    with transaction():
        transition(QUOTES, req, DECLINED, actor=user, role=role, reason=reason,
                   values=dict(decline_reason=reason, closed_at=utcnow()))
        _email_buyer(req, "declined", reason=reason)
    return req


def withdraw(buyer: User, req: QuoteRequest, reason=None) -> QuoteRequest:
    """The buyer withdraws the request, or turns the quote down."""
    if req.buyer_id != buyer.id:
        raise QuoteNotFound()
    reason = _check_text(reason, "reason", required=False, limit=MAX_REASON_LENGTH)
    with transaction():
        transition(QUOTES, req, WITHDRAWN, actor=buyer, role=BUYER, reason=reason, values=dict(closed_at=utcnow()))
        _email_enterprise(req, "withdrawn", reason=reason)
    return req


def post_message(user: User, req: QuoteRequest, body, *, role: str) -> QuoteMessage:
    """A message by the buyer (``BUYER``) or the enterprise (``ENTERPRISE_MEMBER``) while
    the request is open; the other side gets it by e-mail."""
    body = _check_text(body, "body", required=True)
    if req.status not in OPEN_STATUSES:
        raise RequestClosed()
    with transaction():
        message = QuoteMessage(request_id=req.id, author_id=user.id, author_role=role, body=body)
        db.session.add(message)
        db.session.flush()
        if role == BUYER:
            _email_enterprise(req, "message", message=message)
        else:
            _email_buyer(req, "message", message=message)
    return message


def _address_for(buyer: User, address: Mapping[str, str] | None, saved_address_id) -> Mapping[str, str]:
    if saved_address_id not in (None, ""):
        return AddressInput.from_row(get_saved_address(buyer, saved_address_id)).as_dict()
    return dict(address or {})


def accept(buyer: User, req: QuoteRequest, *, address: Mapping[str, str] | None = None, saved_address_id=None,
           payment_method: str | None = None, po_number: str | None = None, buyer_note: str | None = None,
           locale: str = "th", before_commit: Callable[[Order], None] | None = None) -> Order:
    """The buyer accepts the quote: one transaction moves the request to ``accepted``
    and places the order at the quoted unit price and shipping, holding the stock.
    ``before_commit`` (the API's idempotency key) runs last, inside it."""
    if req.buyer_id != buyer.id:
        raise QuoteNotFound()
    chosen_address = _address_for(buyer, address, saved_address_id)
    with transaction():
        db.session.refresh(req)
        if not buys_wholesale(buyer):
            raise NotAWholesaleBuyer(_l("Your business account is not verified now, so the quote cannot be "
                                        "accepted."))
        if req.status == QUOTED and is_lapsed(req):
            raise QuoteExpired()
        if req.status != QUOTED:
            raise QUOTES.refuse_state(QUOTES, req.status, ACCEPTED)
        variant = cart_services.load_variants([req.variant_id], refresh=True).get(req.variant_id)
        if variant is None or not is_product_visible(variant.product) or not variant.is_active:
            raise ItemNotOnSale()
        transition(QUOTES, req, ACCEPTED, actor=buyer, role=BUYER, values=dict(closed_at=utcnow()))
        order = checkout.write_order_at_prices(
            req.enterprise, [(variant, int(req.quoted_quantity), int(req.quoted_unit_satang))],
            shipping_name=str(_l("Shipping as quoted (%(ref)s)", ref=req.reference))[:120],
            shipping_satang=int(req.quoted_shipping_satang or 0), buyer=buyer, address=chosen_address,
            locale=locale, payment_method=payment_method, buyer_note=buyer_note, po_number=po_number)
        req.order_id = order.id
        db.session.flush()
        _email_enterprise(req, "accepted", order=order)
        if before_commit is not None:
            before_commit(order)
    return order


def order_of(req: QuoteRequest) -> Order | None:
    return db.session.get(Order, req.order_id) if req.order_id else None


# ---------------------------------------------------------------- the sweeper


def expire_lapsed(now: datetime | None = None) -> int:
    """Move every open request past its day to ``expired`` (``SYSTEM``), each in its own
    transaction; a request someone moved at the same moment is left as they left it."""
    today = bangkok_today(now)
    ids = list(db.session.scalars(
        select(QuoteRequest.id).where(or_(
            and_(QuoteRequest.status == QUOTED, QuoteRequest.valid_until < today),
            and_(QuoteRequest.status == REQUESTED, QuoteRequest.delivery_date < today),
        )).order_by(QuoteRequest.id)
    ))
    expired = 0
    for request_id in ids:
        try:
            with transaction():
                req = db.session.get(QuoteRequest, request_id, populate_existing=True)
                if req is None or not is_lapsed(req, today):
                    continue
                was_quoted = req.status == QUOTED
                transition(QUOTES, req, EXPIRED, actor=None, role=SYSTEM, values=dict(closed_at=utcnow()))
                _email_buyer(req, "expired", was_quoted=was_quoted)
            expired += 1
        except TransitionRefused:
            log.info("quotes: request %s moved while it was being expired", request_id)
    return expired


def sweep_lapsed_quotes() -> str:
    """``orders.cli.sweep_chores``: expire lapsed requests and quotes."""
    return f"expired {expire_lapsed()} requests for quote"

