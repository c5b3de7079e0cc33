"""Bookings in the cart (docs/product.md: Experiences): seats on a session put in the
cart beside products and booked with them at checkout, in one order paid once.

The cart stores what the guest chose (session, adults, children, the total they saw);
this module answers the cart's two hooks: ``booking_lines`` prices and checks each
stored booking against today's session (``cart.services.booking_lines``), and
``place_bookings`` writes each one into the order as its own fulfilment for the host
and takes its seats, inside the order's transaction (``cart.services.place_bookings``).
Seats are not held while a booking waits in the cart: they are taken when the order is
placed, exactly as stock is.
"""

from __future__ import annotations

from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.accounts.models import User
from shop.cart import services as cart_services
from shop.cart.services import BookingLine, CartStore, StoredBooking
from shop.database import transaction
from shop.errors import Conflict, NotFound
from shop.experiences.models import Experience, ExperienceSession
from shop.experiences.services import (
    SeatsGone,
    SessionClosed,
    is_bookable,
    local_now,
    meeting_address,
    photo_url,
    price_for,
    seat_counts,
    starts_at,
    take_seats,
    write_booking,
)
from shop.extensions import db
from shop.i18n import format_day
from shop.orders.models import Order

_PRICE_LABELS = {"Adult": _l("Adults"), "Child": _l("Children")}


def when_label(session: ExperienceSession, locale: str) -> str:
    return f"{format_day(session.day, 'medium', locale=locale)} {session.start_time.strftime('%H:%M')}"


def _load_sessions(session_ids: list[int]) -> dict[int, ExperienceSession]:
    if not session_ids:
        return {}
    query = (select(ExperienceSession).where(ExperienceSession.id.in_(session_ids))
             .options(selectinload(ExperienceSession.experience).selectinload(Experience.enterprise),
                      selectinload(ExperienceSession.experience).selectinload(Experience.photos))
             .execution_options(populate_existing=True))
    return {session.id: session for session in db.session.scalars(query)}


def booking_lines(stored: list[StoredBooking], buyer: User | None, locale: str) -> list[BookingLine]:
    """Today's view of the cart's bookings (the cart's ``booking_lines`` hook)."""
    sessions = _load_sessions([booking.session_id for booking in stored])
    now = local_now()
    lines = []
    for booking in stored:
        session = sessions.get(booking.session_id)
        if session is None:
            continue
        experience = session.experience
        quote = price_for(experience, booking.adults, booking.children)
        problem = None
        if not experience.is_published or session.cancelled_at is not None or starts_at(session) <= now:
            problem = cart_services.PROBLEM_UNAVAILABLE
        elif session.seats_left < booking.seats:
            problem = cart_services.PROBLEM_SEATS_SHORT
        url = (url_for("experiences.detail", slug=experience.slug, session=session.id)
               if has_request_context() else f"/experiences/{experience.slug}")
        lines.append(BookingLine(
            session_id=session.id, enterprise=experience.enterprise, title=experience.t("title", locale),
            when=when_label(session, locale), url=url, adults=booking.adults, children=booking.children,
            price_lines=[(str(_PRICE_LABELS.get(label_en, label_en)), unit, count)
                         for _th, label_en, unit, count in quote.lines],
            total_satang=quote.total_satang, price_seen_satang=booking.price_seen_satang,
            seats_left=max(0, session.seats_left), problem=problem, meeting_address=meeting_address(experience),
            photo_url=photo_url(experience.photos[0], "thumb") if experience.photos else None,
        ))
    return lines


def place_bookings(order: Order, lines: list[BookingLine], guest_name: str, phone: str, buyer: User | None) -> None:
    """Write the cart's bookings into ``order`` and take their seats (the cart's
    ``place_bookings`` hook, in the order's transaction). The order's totals already
    include them (the cart's view priced them in this transaction)."""
    sessions = _load_sessions([line.session_id for line in lines])
    for line in lines:
        session = sessions.get(line.session_id)
        if session is None or not session.experience.is_published:
            raise SessionClosed(_l("%(name)s can no longer be booked. Remove it from your cart.", name=line.title))
        if session.cancelled_at is not None or starts_at(session) <= local_now():
            raise SessionClosed(_l("%(name)s (%(when)s) can no longer be booked. Remove it from your cart.",
                                   name=line.title, when=line.when))
        write_booking(order, session, line.adults, line.children,
                      price_for(session.experience, line.adults, line.children), name=guest_name, phone=phone)
    db.session.flush()
    # Last, as stock: each session's row stays locked as briefly as possible.
    for line in lines:
        try:
            take_seats(line.session_id, line.seats)
        except SeatsGone:
            left = db.session.scalar(select(ExperienceSession.seats_left)
                                     .where(ExperienceSession.id == line.session_id)) or 0
            raise SeatsGone(_l("Seats left on %(name)s (%(when)s): %(count)d. Change your booking in the cart.",
                               count=max(0, left), name=line.title, when=line.when)) from None


def add_to_cart(cart: CartStore, experience: Experience, session_id, adults, children, *,
                buyer: User | None = None, locale: str = "th") -> BookingLine:
    """Put seats on one of ``experience``'s sessions in the cart (replacing the seats
    already there for that session); refused, with the cart unchanged, when the session
    cannot be booked or has fewer seats left. Seats are taken at checkout."""
    adults_n, children_n = seat_counts(adults, children)
    try:
        wanted = int(str(session_id or "").strip())
    except ValueError:
        wanted = 0
    with transaction():
        session = _load_sessions([wanted]).get(wanted) if wanted > 0 else None
        if session is None or session.experience_id != experience.id:
            raise NotFound(_l("Choose one of the sessions shown."))
        if not is_bookable(session):
            raise SessionClosed()
        if session.seats_left < adults_n + children_n:
            raise SeatsGone(_l("Sorry, only %(count)d seats are left on this session.", count=session.seats_left))
        stored = cart.bookings()
        if session.id not in {b.session_id for b in stored} and len(stored) >= cart_services.MAX_CART_BOOKINGS:
            raise cart_services.CartFull(_l("Your cart holds bookings on at most %(max)d sessions. "
                                            "Check out or remove some first.", max=cart_services.MAX_CART_BOOKINGS))
        quote = price_for(experience, adults_n, children_n)
        cart.put_booking(StoredBooking(session.id, adults_n, children_n, quote.total_satang))
        try:
            cart.save()
        except IntegrityError:
            raise Conflict(_l("Your cart changed in another window. Please try again.")) from None
    return booking_lines([StoredBooking(session.id, adults_n, children_n, quote.total_satang)], buyer, locale)[0]
