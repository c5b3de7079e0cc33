"""Experiences' use cases: the host's experiences and sessions, a guest's booking (an
order holding seats), seats given back once, check-in by ticket code, the guest list
and the day-before reminders (docs/product.md: Experiences).

Booking: the order, its one fulfilment for the hosting enterprise, its lines (adults,
children) and the booking row are written first, then the seats are taken with one
conditional UPDATE, ``seats_left = seats_left - n WHERE id = :id AND seats_left >= n``,
checked by its row count, just before the commit, as ``orders.inventory`` takes stock.
On PostgreSQL the row lock decides who gets the last seats; on SQLite the write
transaction began with ``BEGIN IMMEDIATE``. Seats come back through
``orders.inventory.stock_released`` (a lapse or a cancellation), guarded by
``Booking.seats_released``, so they return exactly once.
"""

from __future__ import annotations

import logging
import secrets
import time as time_module
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from shop.accounts.models import User
from shop.accounts.validation import check_email
from shop.cart import checkout
from shop.catalog.images import delete_image, process_upload
from shop.catalog.models import Enterprise
from shop.database import BUSY_ATTEMPTS, is_busy, transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.experiences.models import Booking, Experience, ExperiencePhoto, ExperienceSession
from shop.experiences.policies import POLICIES
from shop.extensions import db
from shop.geo import province_by_code
from shop.i18n import BANGKOK
from shop.notifications.services import queue_email
from shop.orders import status as st
from shop.orders.access import new_public_id, order_url
from shop.orders.addresses import clean_address, normalize_postcode, postcode_belongs_to_province
from shop.orders.models import Fulfilment, Order, OrderLine, StatusChange
from shop.orders.services import apply_cancel_order, apply_order_placed_emails
from shop.search import outbox as search_outbox
from shop.spreadsheets import csv_producer, write_csv
from shop.storage import image_url
from shop.text import TextRefused, clean_text, slugify
from shop.thai import ascii_digits, normalize_thai_phone, thai_phone_problem

log = logging.getLogger(__name__)

LANGUAGES = {"th": _l("Thai"), "en": _l("English"), "zh": _l("Chinese"), "ja": _l("Japanese"),
             "nod": _l("Northern Thai (Kham Mueang)"), "isan": _l("Isan")}
MAX_SEATS = 200
MAX_PHOTOS = 8
PHOTO_FOLDER = "experiences"
MAX_BOOKING_SEATS = 30
MAX_WEEKS = 26
MAX_PRICE_SATANG = 10_000_000  # ฿100,000 a person
SESSION_CANCELLED_REASON = "session cancelled"
TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TICKET_LENGTH = 8
_TEXT_LIMITS = {"title_th": 200, "title_en": 200, "description_th": 5000, "description_en": 5000,
                "village": 120, "subdistrict": 120, "district": 120, "included_th": 2000, "included_en": 2000,
                "accessibility_th": 2000, "accessibility_en": 2000}
_REQUIRED = {"title_th": _l("Enter the title in Thai."), "description_th": _l("Describe the experience in Thai."),
             "village": _l("Enter the village where guests meet."), "subdistrict": _l("Enter the subdistrict."),
             "district": _l("Enter the district.")}
_MULTI_LINE = {"description_th", "description_en", "included_th", "included_en", "accessibility_th",
               "accessibility_en"}


class SeatsGone(Conflict):
    code = "seats_gone"
    default_message = _l("Sorry, there are not enough seats left on this session.")


class SessionClosed(Conflict):
    code = "session_closed"
    default_message = _l("This session can no longer be booked.")


class TicketProblem(Conflict):
    code = "ticket_refused"



def local_now() -> datetime:
    return utcnow().astimezone(BANGKOK)


def starts_at(session: ExperienceSession) -> datetime:
    """The session's start as an aware datetime in Thailand's time."""
    return datetime.combine(session.day, session.start_time, tzinfo=BANGKOK)


# ---------------------------------------------------------------- parsing


def _whole(value, field: str, *, required: bool = True, low: int = 0, high: int = 10**9,
           message=None) -> int | None:
    text = ascii_digits(str(value) if value is not None else "").strip()
    if not text:
        if required:
            raise ValidationFailed(message or _l("This field is required."),
                                   fields={field: message or _l("This field is required.")})
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        reason = _l("Enter a whole number, e.g. 12.")
        raise ValidationFailed(reason, fields={field: reason})
    number = int(text)
    if not low <= number <= high:
        reason = _l("Enter a number from %(low)d to %(high)d.", low=low, high=high)
        raise ValidationFailed(reason, fields={field: reason})
    return number


def _baht(value, field: str, *, required: bool = True) -> int | None:
    text = ascii_digits(str(value) if value is not None else "").replace(",", "").replace("฿", "").strip()
    if not text:
        if required:
            reason = _l("Enter the price in baht, e.g. 450.")
            raise ValidationFailed(reason, fields={field: reason})
        return None
    whole, _, fraction = text.partition(".")
    if not (whole.isascii() and whole.isdigit() and len(whole) <= 9) or not (
            fraction == "" or (fraction.isascii() and fraction.isdigit() and len(fraction) <= 2)):
        reason = _l("Enter an amount in baht, e.g. 120 or 120.50.")
        raise ValidationFailed(reason, fields={field: reason})
    satang = int(whole) * 100 + int(fraction.ljust(2, "0") or "0")
    if satang > MAX_PRICE_SATANG:
        reason = _l("This amount is too large.")
        raise ValidationFailed(reason, fields={field: reason})
    return satang


def parse_day(value, field: str = "day") -> date:
    text = ascii_digits(str(value or "")).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        reason = _l("Enter a date as YYYY-MM-DD, e.g. 2026-12-24.")
        raise ValidationFailed(reason, fields={field: reason}) from None


def parse_time(value, field: str = "start_time") -> time:
    text = ascii_digits(str(value or "")).strip().replace(".", ":")
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        reason = _l("Enter a time as HH:MM, e.g. 09:30.")
        raise ValidationFailed(reason, fields={field: reason}) from None
    return parsed.replace(second=0, microsecond=0)


def _coordinate(value, field: str, limit: float) -> float | None:
    text = ascii_digits(str(value or "")).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not -limit <= number <= limit or number != number:
        reason = _l("Enter a number from %(low)d to %(high)d, e.g. 18.4921.", low=-int(limit), high=int(limit))
        raise ValidationFailed(reason, fields={field: reason})
    return round(number, 6)


def clean_experience(data: dict) -> dict:
    """The experience's fields in stored form, or ``ValidationFailed`` naming every bad
    field (nothing is written)."""
    problems: dict[str, object] = {}
    values: dict = {}
    for name, limit in _TEXT_LIMITS.items():
        try:
            text = clean_text(str(data.get(name) or ""), multi_line=name in _MULTI_LINE).strip()
        except TextRefused as exc:
            problems[name] = exc.message()
            continue
        if not text and name in _REQUIRED:
            problems[name] = _REQUIRED[name]
        elif len(text) > limit:
            problems[name] = _l("Use at most %(max)d characters.", max=limit)
        values[name] = text or None

    def attempt(field, parse):
        try:
            values[field] = parse()
        except ValidationFailed as exc:
            problems.update(exc.fields)

    province_code = str(data.get("province_code") or "").strip()
    if province_by_code(province_code) is None:
        problems["province_code"] = _l("Choose the province.")
    values["province_code"] = province_code
    postcode = normalize_postcode(data.get("postcode"))
    if not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        problems["postcode"] = _l("A postcode has 5 digits, e.g. 50180.")
    elif "province_code" not in problems and not postcode_belongs_to_province(postcode, province_code):
        problems["postcode"] = _l("This postcode is not in the province you chose.")
    values["postcode"] = postcode
    attempt("latitude", lambda: _coordinate(data.get("latitude"), "latitude", 90))
    attempt("longitude", lambda: _coordinate(data.get("longitude"), "longitude", 180))
    if (values.get("latitude") is None) != (values.get("longitude") is None) and not (
            {"latitude", "longitude"} & problems.keys()):
        problems["longitude"] = _l("Give both the latitude and the longitude, or neither.")
    attempt("duration_minutes", lambda: _whole(data.get("duration_minutes"), "duration_minutes", low=15,
                                               high=24 * 60, message=_l("Enter how long it lasts, in minutes.")))
    attempt("price_satang", lambda: _baht(data.get("price"), "price"))
    attempt("child_price_satang", lambda: _baht(data.get("child_price"), "child_price", required=False))
    attempt("group_price_satang", lambda: _baht(data.get("group_price"), "group_price", required=False))
    attempt("group_min_size", lambda: _whole(data.get("group_min_size"), "group_min_size", required=False,
                                             low=2, high=MAX_SEATS))
    if values.get("group_price_satang") is not None and values.get("group_min_size") is None \
            and "group_min_size" not in problems:
        problems["group_min_size"] = _l("Give the smallest group that gets the group price.")
    if values.get("group_min_size") is not None and values.get("group_price_satang") is None \
            and "group_price" not in problems:
        problems["group_price"] = _l("Give the group price per person, or leave the group size empty.")
    languages = data.get("languages") or []
    if isinstance(languages, str):
        languages = [code.strip() for code in languages.split(",")]
    languages = [code for code in dict.fromkeys(languages) if code]
    if not languages:
        problems["languages"] = _l("Choose at least one language the hosts speak.")
    elif any(code not in LANGUAGES for code in languages):
        problems["languages"] = _l("Choose languages from the list.")
    values["languages"] = ",".join(languages)
    policy = str(data.get("cancellation_policy") or "")
    if policy not in POLICIES:
        problems["cancellation_policy"] = _l("Choose a cancellation policy from the list.")
    values["cancellation_policy"] = policy
    values["is_published"] = bool(data.get("is_published"))
    if problems:
        raise ValidationFailed(_l("Please check the highlighted fields."), fields=problems)
    return values


def _unique_slug(enterprise: Enterprise, values: dict, exclude_id: int | None = None) -> str:
    base = slugify(values.get("title_en")) or slugify(values.get("title_th")) or f"{enterprise.slug}-experience"
    slug, n = base, 1
    while True:
        query = select(Experience.id).where(Experience.slug == slug)
        if exclude_id is not None:
            query = query.where(Experience.id != exclude_id)
        if db.session.scalar(query) is None:
            return slug
        n += 1
        slug = f"{base[:70]}-{n}"


def create_experience(enterprise: Enterprise, data: dict) -> Experience:
    values = clean_experience(data)
    with transaction():
        experience = Experience(enterprise_id=enterprise.id, slug=_unique_slug(enterprise, values), **values)
        db.session.add(experience)
    return experience


def update_experience(experience: Experience, data: dict) -> Experience:
    values = clean_experience(data)
    with transaction():
        for name, value in values.items():
            setattr(experience, name, value)
    return experience


def experiences_of(enterprise: Enterprise) -> list[Experience]:
    return list(db.session.scalars(select(Experience).where(Experience.enterprise_id == enterprise.id)
                                   .order_by(Experience.created_at.desc(), Experience.id.desc())))


def get_for_enterprise(enterprise: Enterprise, experience_id: int) -> Experience:
    experience = db.session.get(Experience, experience_id)
    if experience is None or experience.enterprise_id != enterprise.id:
        raise NotFound()
    return experience


def session_for_enterprise(enterprise: Enterprise, session_id: int) -> ExperienceSession:
    session = db.session.get(ExperienceSession, session_id)
    if session is None or session.experience.enterprise_id != enterprise.id:
        raise NotFound()
    return session


# ---------------------------------------------------------------- photos


def add_photo(experience: Experience, data: bytes) -> ExperiencePhoto:
    """Check, clean and store an uploaded photo (``catalog.images``); at most
    ``MAX_PHOTOS``. The files are deleted again if the row cannot be written."""
    if len(experience.photos) >= MAX_PHOTOS:
        reason = _l("An experience has at most %(max)d photos. Delete one first.", max=MAX_PHOTOS)
        raise ValidationFailed(reason, fields={"photo": reason})
    stored = process_upload(data, folder=PHOTO_FOLDER)
    try:
        with transaction():
            photo = ExperiencePhoto(experience_id=experience.id, image_key=stored.image_key, width=stored.width,
                                    height=stored.height, position=len(experience.photos))
            db.session.add(photo)
    except BaseException:
        delete_image(PHOTO_FOLDER, stored.image_key)
        raise
    db.session.refresh(experience)
    return photo


def delete_photo(experience: Experience, photo_id: int) -> None:
    photo = db.session.get(ExperiencePhoto, photo_id)
    if photo is None or photo.experience_id != experience.id:
        raise NotFound()
    key = photo.image_key
    with transaction():
        db.session.delete(photo)
    delete_image(PHOTO_FOLDER, key)
    db.session.refresh(experience)


def photo_url(photo: ExperiencePhoto, size: str = "card") -> str:
    return image_url(PHOTO_FOLDER, photo.image_key, size)


# ---------------------------------------------------------------- sessions


def _new_session(experience: Experience, day: date, start: time, seats: int) -> ExperienceSession | None:
    exists = db.session.scalar(select(ExperienceSession.id).where(
        ExperienceSession.experience_id == experience.id, ExperienceSession.day == day,
        ExperienceSession.start_time == start))
    if exists is not None:
        return None
    session = ExperienceSession(experience_id=experience.id, day=day, start_time=start, seats_total=seats,
                                seats_left=seats)
    db.session.add(session)
    return session


def add_session(experience: Experience, *, day, start_time, seats) -> ExperienceSession:
    """One session; refuses a day in the past and a session that already exists."""
    problems: dict = {}
    parsed: dict = {}
    for field, parse in (("day", lambda: parse_day(day)), ("start_time", lambda: parse_time(start_time)),
                         ("seats", lambda: _whole(seats, "seats", low=1, high=MAX_SEATS))):
        try:
            parsed[field] = parse()
        except ValidationFailed as exc:
            problems.update(exc.fields)
    if "day" in parsed and parsed["day"] < local_now().date():
        problems["day"] = _l("Choose today or a later day.")
    if problems:
        raise ValidationFailed(_l("Please check the highlighted fields."), fields=problems)
    with transaction():
        session = _new_session(experience, parsed["day"], parsed["start_time"], parsed["seats"])
        if session is None:
            reason = _l("There is already a session at this day and time.")
            raise ValidationFailed(reason, fields={"start_time": reason})
    return session


def weekly_days(first_day: date, weekdays: set[int], weeks: int, exceptions: set[date]) -> list[date]:
    """The days of ``weekdays`` (0 = Monday) from ``first_day`` for ``weeks`` weeks,
    without ``exceptions``."""
    return [day for day in (first_day + timedelta(days=n) for n in range(weeks * 7))
            if day.weekday() in weekdays and day not in exceptions]


def add_weekly(experience: Experience, *, weekdays, start_time, seats, weeks, first_day=None,
               exceptions: str = "") -> int:
    """Sessions on ``weekdays`` at ``start_time`` for the next ``weeks`` weeks, skipping
    the exception dates (one per line or comma-separated) and sessions that exist
    already. Returns how many were added."""
    problems: dict = {}
    parsed: dict = {}
    try:
        days = {int(d) for d in weekdays or []}
    except (TypeError, ValueError):
        days = set()
    if not days or not days <= set(range(7)):
        problems["weekdays"] = _l("Choose at least one day of the week.")
    for field, parse in (("start_time", lambda: parse_time(start_time)),
                         ("seats", lambda: _whole(seats, "seats", low=1, high=MAX_SEATS)),
                         ("weeks", lambda: _whole(weeks, "weeks", low=1, high=MAX_WEEKS)),
                         ("first_day", lambda: parse_day(first_day, "first_day") if first_day else local_now().date())):
        try:
            parsed[field] = parse()
        except ValidationFailed as exc:
            problems.update(exc.fields)
    if "first_day" in parsed and parsed["first_day"] < local_now().date():
        problems["first_day"] = _l("Choose today or a later day.")
    skipped: set[date] = set()
    for part in str(exceptions or "").replace(",", "\n").split():
        try:
            skipped.add(parse_day(part, "exceptions"))
        except ValidationFailed as exc:
            problems.update(exc.fields)
    if problems:
        raise ValidationFailed(_l("Please check the highlighted fields."), fields=problems)
    added = 0
    with transaction():
        for day in weekly_days(parsed["first_day"], days, parsed["weeks"], skipped):
            if _new_session(experience, day, parsed["start_time"], parsed["seats"]) is not None:
                added += 1
    return added


def upcoming_sessions(experience: Experience, *, include_cancelled: bool = False) -> list[ExperienceSession]:
    query = select(ExperienceSession).where(ExperienceSession.experience_id == experience.id,
                                            ExperienceSession.day >= local_now().date())
    if not include_cancelled:
        query = query.where(ExperienceSession.cancelled_at.is_(None))
    return list(db.session.scalars(query.order_by(ExperienceSession.day, ExperienceSession.start_time)))


def is_bookable(session: ExperienceSession) -> bool:
    return (session.cancelled_at is None and session.experience.is_published and session.seats_left > 0
            and starts_at(session) > local_now())


def cancel_session(session: ExperienceSession, *, actor: User) -> int:
    """Cancel the session and every booking on it (unpaid orders are cancelled; paid
    ones are cancelled with the amount recorded as owed back, and refunded through the
    orders' refunds). Returns how many bookings were cancelled."""
    if session.cancelled_at is not None:
        raise Conflict(_l("This session is already cancelled."))
    cancelled = 0
    with transaction():
        result = db.session.execute(update(ExperienceSession).where(
            ExperienceSession.id == session.id, ExperienceSession.cancelled_at.is_(None)).values(
            cancelled_at=utcnow()).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict(_l("This session is already cancelled."))
        search_outbox.enqueue_other_pages(db.session)
        for booking in bookings_of_session(session, open_only=True):
            apply_cancel_order(booking.order, actor=actor, role=st.ROLE_SYSTEM, reason=SESSION_CANCELLED_REASON)
            cancelled += 1
    db.session.refresh(session)
    return cancelled


# ---------------------------------------------------------------- booking


@dataclass
class Quote:
    lines: list[tuple[str, str, int, int]]  # (label th, label en, unit price, quantity)
    total_satang: int


def price_for(experience: Experience, adults: int, children: int) -> Quote:
    """Adults at the price per person (the group price once the group reaches its size),
    children at the child price when there is one."""
    guests = adults + children
    adult_price = experience.price_satang
    if experience.group_price_satang is not None and experience.group_min_size and guests >= experience.group_min_size:
        adult_price = experience.group_price_satang
    child_price = experience.child_price_satang if experience.child_price_satang is not None else adult_price
    lines = []
    if adults:
        lines.append(("ผู้ใหญ่", "Adult", adult_price, adults))
    if children:
        lines.append(("เด็ก", "Child", child_price, children))
    return Quote(lines=lines, total_satang=sum(price * n for _, _, price, n in lines))


def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


def take_seats(session_id: int, seats: int) -> None:
    """Take ``seats`` on the session in the caller's transaction, or ``SeatsGone``."""
    result = db.session.execute(
        update(ExperienceSession)
        .where(ExperienceSession.id == session_id, ExperienceSession.seats_left >= seats,
               ExperienceSession.cancelled_at.is_(None))
        .values(seats_left=ExperienceSession.seats_left - seats)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        left = db.session.scalar(select(ExperienceSession.seats_left).where(ExperienceSession.id == session_id))
        if not left:
            raise SeatsGone(_l("Sorry, this session has just been fully booked."))
        raise SeatsGone(_l("Sorry, only %(count)d seats are left on this session.", count=left))
    _expire_session(session_id)
    search_outbox.enqueue_other_pages(db.session)  # the storefront shows seats and next sessions


def _expire_session(session_id: int) -> None:
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, ExperienceSession) and obj.id == session_id:
            db.session.expire(obj, ["seats_left"])


def seat_counts(adults, children) -> tuple[int, int]:
    """Adults and children from a form: whole numbers, at least one seat, at most
    ``MAX_BOOKING_SEATS``; ``ValidationFailed`` otherwise."""
    adults_n = _whole(adults, "adults", low=0, high=MAX_BOOKING_SEATS)
    children_n = _whole(children, "children", required=False, low=0, high=MAX_BOOKING_SEATS) or 0
    if adults_n + children_n < 1:
        reason = _l("Book at least one seat.")
        raise ValidationFailed(reason, fields={"adults": reason})
    if adults_n + children_n > MAX_BOOKING_SEATS:
        reason = _l("You can book at most %(max)d seats at once.", max=MAX_BOOKING_SEATS)
        raise ValidationFailed(reason, fields={"adults": reason})
    return adults_n, children_n


def book(session_id: int, *, adults, children=0, buyer: User | None, email: str | None, guest_name: str,
         phone: str, payment_method: str | None = st.PAYMENT_PROMPTPAY_QR, locale: str = "th",
         expected_total_satang: int | None = None) -> Order:
    """Book seats on a session: an unpaid order with one booking fulfilment for the
    host, holding the seats until it is paid or lapses. Commits once; raises
    ``DomainError`` subclasses with nothing written."""
    adults_n, children_n = seat_counts(adults, children)
    name = " ".join(str(guest_name or "").split())
    if not name:
        reason = _l("Enter the name the host will find on the guest list.")
        raise ValidationFailed(reason, fields={"guest_name": reason})
    if len(name) > 120:
        reason = _l("Use at most %(max)d characters.", max=120)
        raise ValidationFailed(reason, fields={"guest_name": reason})
    problem = thai_phone_problem(phone) if str(phone or "").strip() else _l("Enter a phone number the host can call.")
    if problem:
        raise ValidationFailed(problem, fields={"phone": problem})
    if buyer is not None:
        email = buyer.email
    elif not str(email or "").strip():
        reason = _l("Enter your e-mail address: we send the ticket and payment details there.")
        raise ValidationFailed(reason, fields={"email": reason})
    else:
        email = check_email(email)
    seats = adults_n + children_n
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            with transaction():
                order = _book(session_id, adults_n, children_n, seats, buyer=buyer, email=email, name=name,
                              phone=normalize_thai_phone(phone), payment_method=payment_method, locale=locale,
                              expected_total_satang=expected_total_satang)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
            if attempt == BUSY_ATTEMPTS:
                raise checkout.ShopBusy() from None
            time_module.sleep(0.05 * attempt)
            continue
        except IntegrityError:
            # Two tickets drew the same code (1 in 10^12): try again with another.
            if attempt == BUSY_ATTEMPTS:
                raise
            continue
        return order
    raise checkout.ShopBusy()


def _book(session_id: int, adults: int, children: int, seats: int, *, buyer, email, name, phone, payment_method,
          locale, expected_total_satang) -> Order:
    session = db.session.get(ExperienceSession, session_id, populate_existing=True)
    if session is None or not session.experience.is_published:
        raise NotFound()
    if session.cancelled_at is not None or starts_at(session) <= local_now():
        raise SessionClosed()
    experience = session.experience
    quote = price_for(experience, adults, children)
    if expected_total_satang is not None and expected_total_satang != quote.total_satang:
        raise checkout.TotalChanged()
    method = checkout.check_payment_method(payment_method, buyer, quote.total_satang, with_bookings=True)
    address = clean_address({"recipient_name": name, "phone": phone, **meeting_address(experience)})
    now = utcnow()
    order = Order(
        public_id=new_public_id(), user_id=buyer.id if buyer is not None else None, email=email, locale=locale,
        channel=st.CHANNEL_ONLINE, status=st.ORDER_PENDING_PAYMENT, payment_method=method,
        subtotal_satang=quote.total_satang, shipping_satang=0, total_satang=quote.total_satang,
        expires_at=now + timedelta(minutes=int(current_app.config["ORDER_HOLD_MINUTES"])), **address.as_dict(),
    )
    db.session.add(order)
    db.session.flush()
    write_booking(order, session, adults, children, quote, name=name, phone=phone)
    db.session.add(StatusChange(order_id=order.id, machine=st.ORDER, from_status=None,
                                to_status=st.ORDER_PENDING_PAYMENT, actor_id=buyer.id if buyer else None,
                                actor_role=st.ROLE_BUYER, created_at=now))
    apply_order_placed_emails(order)
    db.session.flush()
    take_seats(session.id, seats)  # last: the session's row stays locked as briefly as possible
    return order


def meeting_address(experience: Experience) -> dict[str, str]:
    """The meeting point as an order's address fields (without name and phone)."""
    return {"address_line": experience.village, "subdistrict": experience.subdistrict,
            "district": experience.district, "province_code": experience.province_code,
            "postcode": experience.postcode}


def write_booking(order: Order, session: ExperienceSession, adults: int, children: int, quote: Quote, *,
                  name: str, phone: str) -> Booking:
    """Add one booking to ``order`` (flushed, in the caller's transaction): its own
    fulfilment for the hosting enterprise (picked up at the meeting point, no shipping),
    a line per price (adults, children) and the booking row with a new ticket code.
    The seats are the caller's to take (``take_seats``), last."""
    experience = session.experience
    when = f"{session.day.isoformat()} {session.start_time.strftime('%H:%M')}"
    fulfilment = Fulfilment(
        enterprise_id=experience.enterprise_id, status=st.FULFILMENT_NEW, shipping_kind=st.SHIPPING_PICKUP,
        shipping_name=f"{experience.village} · {when}"[:120], shipping_satang=0,
        subtotal_satang=quote.total_satang, total_satang=quote.total_satang,
    )
    for label_th, label_en, unit, quantity in quote.lines:
        fulfilment.lines.append(OrderLine(
            order_id=order.id, sku=f"EXP-{experience.id}-{session.id}", product_name_th=experience.title_th[:200],
            product_name_en=(experience.title_en or "")[:200] or None,
            variant_name_th=f"{when} · {label_th}", variant_name_en=f"{when} · {label_en}",
            unit_price_satang=unit, quantity=quantity, line_total_satang=unit * quantity, weight_grams=0,
        ))
    order.fulfilments.append(fulfilment)
    db.session.flush()
    booking = Booking(order_id=order.id, fulfilment_id=fulfilment.id, session_id=session.id, adults=adults,
                      children=children, guest_name=name[:120], phone=phone, ticket_code=new_ticket_code())
    db.session.add(booking)
    return booking


def release_seats(fulfilment: Fulfilment) -> None:
    """Give a cancelled or lapsed booking's seats back, once (``orders.inventory``'s
    ``stock_released`` hook, in its transaction)."""
    bookings = db.session.scalars(select(Booking).where(Booking.fulfilment_id == fulfilment.id)).all()
    for booking in bookings:
        flipped = db.session.execute(update(Booking).where(Booking.id == booking.id,
                                                           Booking.seats_released.is_(False))
                                     .values(seats_released=True).execution_options(synchronize_session=False))
        if flipped.rowcount != 1:
            continue
        db.session.execute(update(ExperienceSession).where(ExperienceSession.id == booking.session_id)
                           .values(seats_left=ExperienceSession.seats_left + booking.seats)
                           .execution_options(synchronize_session=False))
        db.session.expire(booking, ["seats_released"])
        _expire_session(booking.session_id)
        search_outbox.enqueue_other_pages(db.session)


def has_bookings(order: Order) -> bool:
    return db.session.scalar(select(Booking.id).where(Booking.order_id == order.id).limit(1)) is not None


def bookings_of_order(order: Order) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(Booking.order_id == order.id)
                                   .options(selectinload(Booking.session)).order_by(Booking.id)))


def bookings_of_session(session: ExperienceSession, *, open_only: bool = False) -> list[Booking]:
    query = (select(Booking).join(Order, Order.id == Booking.order_id).where(Booking.session_id == session.id)
             .options(selectinload(Booking.order)).order_by(Booking.guest_name, Booking.id))
    if open_only:
        query = query.where(Order.status.in_((st.ORDER_PENDING_PAYMENT, st.ORDER_PAID)))
    return list(db.session.scalars(query))


def is_confirmed(booking: Booking) -> bool:
    return booking.order.status in (st.ORDER_PAID, st.ORDER_PARTIALLY_REFUNDED) and not booking.seats_released


def guest_list(session: ExperienceSession) -> list[Booking]:
    """The session's paid bookings (the guests who are coming)."""
    return [b for b in bookings_of_session(session) if is_confirmed(b)]


@csv_producer("The guest list of one experience session")
def guest_list_csv(session: ExperienceSession):
    rows = [(b.ticket_code, b.guest_name, b.phone, b.adults, b.children, b.order.public_id,
             b.checked_in_at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M") if b.checked_in_at else "")
            for b in guest_list(session)]
    return write_csv(("ticket", "name", "phone", "adults", "children", "order", "checked_in"), rows)


def check_in(enterprise: Enterprise, code: str) -> Booking:
    """Check a guest in by their ticket code (scanned or typed), for this enterprise's
    sessions only; a code checked in already, unpaid or cancelled is refused."""
    cleaned = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    if not cleaned:
        reason = _l("Enter the ticket code.")
        raise ValidationFailed(reason, fields={"code": reason})
    booking = db.session.scalar(
        select(Booking).join(ExperienceSession, ExperienceSession.id == Booking.session_id)
        .join(Experience, Experience.id == ExperienceSession.experience_id)
        .where(Booking.ticket_code == cleaned[:TICKET_LENGTH * 2], Experience.enterprise_id == enterprise.id))
    if booking is None:
        reason = _l("No ticket of yours has this code. Check the letters and digits.")
        raise ValidationFailed(reason, fields={"code": reason})
    if not is_confirmed(booking):
        raise TicketProblem(_l("This booking is not paid, or it was cancelled: do not check it in."))
    if booking.session.cancelled_at is not None:
        raise TicketProblem(_l("This session was cancelled."))
    with transaction():
        result = db.session.execute(update(Booking).where(Booking.id == booking.id, Booking.checked_in_at.is_(None))
                                    .values(checked_in_at=utcnow()).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise TicketProblem(_l("This ticket was checked in already."))
    db.session.refresh(booking)
    return booking


# ---------------------------------------------------------------- reminders


def send_reminders(today: date | None = None) -> int:
    """Queue the day-before reminder for every paid booking of tomorrow's sessions that
    has not had one; each booking is claimed with a conditional UPDATE, so several
    sweepers send it once. Returns how many were queued."""
    tomorrow = (today or local_now().date()) + timedelta(days=1)
    with transaction():
        ids = list(db.session.scalars(
            select(Booking.id).join(ExperienceSession, ExperienceSession.id == Booking.session_id)
            .join(Order, Order.id == Booking.order_id)
            .where(ExperienceSession.day == tomorrow, ExperienceSession.cancelled_at.is_(None),
                   Booking.reminded_at.is_(None), Booking.seats_released.is_(False),
                   Order.status.in_((st.ORDER_PAID, st.ORDER_PARTIALLY_REFUNDED)))))
    sent = 0
    for booking_id in ids:
        with transaction():
            claimed = db.session.execute(update(Booking).where(Booking.id == booking_id, Booking.reminded_at.is_(None))
                                         .values(reminded_at=utcnow()).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                continue
            booking = db.session.get(Booking, booking_id)
            experience = booking.session.experience
            queue_email(to=booking.order.email, kind="experience_reminder", template="experience_reminder",
                        locale=booking.order.locale, booking=booking, session=booking.session,
                        experience=experience, order=booking.order, link=order_url(booking.order, _external=True))
        sent += 1
    return sent


def reminders_chore() -> str:
    return f"queued {send_reminders()} experience reminders"


# ---------------------------------------------------------------- guest pages


def published_upcoming(province_code: str | None = None) -> list[tuple[Experience, list[ExperienceSession]]]:
    query = select(Experience).where(Experience.is_published.is_(True)).order_by(Experience.title_th)
    if province_code:
        query = query.where(Experience.province_code == province_code)
    found = []
    for experience in db.session.scalars(query):
        found.append((experience, [s for s in upcoming_sessions(experience) if is_bookable(s)]))
    return found


def published_of(enterprise: Enterprise) -> list[Experience]:
    return list(db.session.scalars(select(Experience).where(Experience.enterprise_id == enterprise.id,
                                                            Experience.is_published.is_(True))
                                   .order_by(Experience.title_th)))


def get_published(slug: str) -> Experience:
    experience = db.session.scalar(select(Experience).where(Experience.slug == slug))
    if experience is None or not experience.is_published:
        raise NotFound()
    return experience


def map_url(experience: Experience) -> str | None:
    if experience.latitude is None or experience.longitude is None:
        return None
    lat, lon = experience.latitude, experience.longitude
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=15/{lat:.6f}/{lon:.6f}"
