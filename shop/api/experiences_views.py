"""Community experiences in the API (docs/product.md: Experiences).

* Public, readable without a token: the published experiences of approved enterprises
  (filtered by province, enterprise and the days of their sessions: `when`
  `this_weekend` / `next_7_days`, one `day`, or `from_day` / `to_day`) and one
  experience with its open sessions and the seats left on each.
* A buyer's (token required): booking seats on a session (``experiences.services.book``,
  as the booking form does: an unpaid order holding the seats, answered with how to pay
  it like ``POST /orders``, with the same ``Idempotency-Key``), reading one's booking
  with what cancelling it now would give, and cancelling it under the experience's
  cancellation policy (``experiences.cancellation``).
* The host's, under ``/seller/enterprises/{enterprise_id}``: the enterprise's sessions
  with their seats, a session's guest list, and check-in by ticket code. The
  enterprise comes from the URL and is checked against the token user's memberships;
  a session or ticket of another enterprise is 404. A mentor of the enterprise reads
  (GET) and is refused (403) on check-in, which ``routing.operation`` checks before
  anything else.
"""

from __future__ import annotations

from flask import current_app, g, request, url_for
from sqlalchemy.exc import IntegrityError

from shop.api import idempotency as idem
from shop.api.buying_views import IDEMPOTENCY_HEADER, _start_payment, order_out
from shop.api.catalog_schemas import Photo
from shop.api.catalog_views import _enterprise_ref, _province
from shop.api.experiences_schemas import (
    BookingIn,
    BookingOrderOut,
    BookingOut,
    CancellationOut,
    CheckInIn,
    CheckInOut,
    ExperienceDetail,
    ExperienceList,
    ExperienceListQuery,
    ExperienceSummary,
    GuestList,
    GuestOut,
    HostSessionList,
    HostSessionOut,
    Policy,
    SessionListQuery,
    SessionOut,
)
from shop.api.routing import AUTH_OPTIONAL, operation
from shop.api.schemas import money, paginate
from shop.api.selling_views import ENTERPRISE
from shop.api.selling_views import _enterprise as member_enterprise
from shop.cart import checkout
from shop.catalog import services as catalog
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.experiences import bookings, cancellation, listing
from shop.experiences import services as svc
from shop.experiences.models import Booking, Experience, ExperienceSession
from shop.experiences.policies import policy_of
from shop.geo import province_by_slug
from shop.i18n import current_language
from shop.orders import status as st
from shop.orders.access import load_order_for_buyer
from shop.orders.models import Order
from shop.payments.providers import capabilities_of
from shop.payments.providers.flow import latest_pending_payment
from shop.storage import image_url

TAG = "experiences"
SELLER_TAG = TAG  # the host's endpoints sit with the guests' in the document


# ------------------------------------------------------------------------ answers


def _photo(photo, experience: Experience) -> Photo:
    return Photo(thumb_url=image_url(svc.PHOTO_FOLDER, photo.image_key, "thumb"),
                 card_url=image_url(svc.PHOTO_FOLDER, photo.image_key, "card"),
                 full_url=image_url(svc.PHOTO_FOLDER, photo.image_key, "full"),
                 width=photo.width, height=photo.height, alt_th=experience.title_th, alt_en=experience.title_en)


def _session_out(session: ExperienceSession) -> SessionOut:
    return SessionOut(**_session_fields(session))


def _session_fields(session: ExperienceSession) -> dict:
    return {
        "id": session.id, "day": session.day, "start_time": session.start_time.strftime("%H:%M"),
        "starts_at": svc.starts_at(session), "seats_total": session.seats_total, "seats_left": session.seats_left,
        "bookable": svc.is_bookable(session), "cancelled": session.cancelled_at is not None,
    }


def _host_session(session: ExperienceSession) -> HostSessionOut:
    experience = session.experience
    return HostSessionOut(**_session_fields(session), experience_id=experience.id, experience_slug=experience.slug,
                          experience_title=experience.t("title", current_language()))


def _policy(code: str) -> Policy:
    policy = policy_of(code)
    return Policy(code=policy.code, label=str(policy.label), description=str(policy.description),
                  full_refund_hours=policy.full_refund_hours)


def _summary_fields(experience: Experience, next_session: ExperienceSession | None) -> dict:
    locale = current_language()
    cover = experience.photos[0] if experience.photos else None
    return {
        "id": experience.id, "slug": experience.slug, "title_th": experience.title_th,
        "title_en": experience.title_en, "enterprise": _enterprise_ref(experience.enterprise),
        "province": _province(experience.province_code), "village": experience.village,
        "district": experience.district, "duration_minutes": experience.duration_minutes,
        "languages": experience.language_codes, "price": money(experience.price_satang, locale),
        "child_price": money(experience.child_price_satang, locale)
        if experience.child_price_satang is not None else None,
        "cover_photo": _photo(cover, experience) if cover is not None else None,
        "next_session": _session_out(next_session) if next_session is not None else None,
        "url": url_for("experiences.detail", slug=experience.slug),
    }


def _cancellation_out(given: cancellation.CancellationTerms) -> CancellationOut:
    return CancellationOut(
        possible=given.can_cancel, reason=str(given.refusal) if given.refusal is not None else None,
        refund=money(given.refund_satang, current_language()), full_refund_until=given.full_refund_until,
        policy=_policy(given.policy.code),
    )


def _booking_out(booking: Booking) -> BookingOut:
    order = booking.order
    paid = order.status in (st.ORDER_PAID, st.ORDER_PARTIALLY_REFUNDED) and not booking.seats_released
    experience = booking.session.experience
    return BookingOut(
        id=booking.id, experience_slug=experience.slug, experience_title=experience.t("title", current_language()),
        session=_session_out(booking.session), adults=booking.adults, children=booking.children,
        guest_name=booking.guest_name, ticket_code=booking.ticket_code if paid else None,
        checked_in_at=booking.checked_in_at,
        cancelled=order.status == st.ORDER_CANCELLED or booking.seats_released,
        ticket_url=url_for("experiences.ticket", public_id=order.public_id, _external=True),
        cancellation=_cancellation_out(cancellation.terms(booking)),
    )


def _booking_order(order: Order, *, checkout_url: str | None = None) -> BookingOrderOut:
    base = order_out(order, current_language(), checkout_url=checkout_url)
    return BookingOrderOut(**base.model_dump(), booking=_booking_out(cancellation.booking_of_order(order)))


def _guest(booking: Booking) -> GuestOut:
    return GuestOut(booking_id=booking.id, ticket_code=booking.ticket_code, guest_name=booking.guest_name,
                    phone=booking.phone, adults=booking.adults, children=booking.children,
                    order_id=booking.order.public_id, checked_in_at=booking.checked_in_at)


# ------------------------------------------------------------------------ public


@operation("GET", "/experiences", summary="List community experiences", tag=TAG, response=ExperienceList,
           query=ExperienceListQuery, auth_mode=AUTH_OPTIONAL,
           description="Workshops and village visits of approved community enterprises, by Thai title then id, "
                       "each with its soonest open session. `when`, `day` or `from_day`/`to_day` keep the "
                       "experiences with an open session on those days (Thailand's time); give one of them. A "
                       "malformed date, a range ending before it starts or longer than 366 days is 422.")
def list_experiences(query: ExperienceListQuery):
    days = listing.parse_range(when=query.when, day=query.day, first=query.from_day, last=query.to_day)
    enterprise_id = None
    if query.enterprise is not None:
        try:
            enterprise_id = catalog.enterprise_by_slug(query.enterprise).id
        except NotFound as exc:
            raise ValidationFailed(exc.message, fields={"enterprise": exc.message}) from None
    stmt = listing.published_experiences(
        province_code=province_by_slug(query.province).code if query.province is not None else None,
        enterprise_id=enterprise_id, days=days)
    rows, meta = paginate(stmt, query)
    soonest = listing.open_sessions(rows, days=days, limit=1)
    return ExperienceList(
        data=[ExperienceSummary(**_summary_fields(e, (soonest[e.id] or [None])[0])) for e in rows], meta=meta)


@operation("GET", "/experiences/<slug>", summary="A community experience, with its sessions", tag=TAG,
           response=ExperienceDetail, auth_mode=AUTH_OPTIONAL,
           description="Its description, meeting point, prices, cancellation policy and every open session with "
                       "the seats left. An experience that is not published (or of an enterprise not approved) "
                       "is 404.")
def experience_detail(slug: str):
    if len(slug) > 120 or not all(ch.isalnum() or ch in "-_" for ch in slug) or not slug.isascii():
        raise NotFound()
    experience = listing.listed_experience(slug)
    sessions = listing.open_sessions([experience])[experience.id]
    locale = current_language()
    return ExperienceDetail(
        **_summary_fields(experience, sessions[0] if sessions else None),
        description_th=experience.description_th, description_en=experience.description_en,
        included_th=experience.included_th, included_en=experience.included_en,
        accessibility_th=experience.accessibility_th, accessibility_en=experience.accessibility_en,
        subdistrict=experience.subdistrict, postcode=experience.postcode, latitude=experience.latitude,
        longitude=experience.longitude,
        group_price=money(experience.group_price_satang, locale)
        if experience.group_price_satang is not None else None,
        group_min_size=experience.group_min_size, cancellation_policy=_policy(experience.cancellation_policy),
        photos=[_photo(p, experience) for p in experience.photos],
        sessions=[_session_out(s) for s in sessions],
    )


# ------------------------------------------------------------------------ the buyer's


@operation(
    "POST", "/experiences/sessions/<id:session_id>/bookings", summary="Book seats on a session", tag=TAG,
    body=BookingIn, response=BookingOrderOut, status=201, errors=(409, 503), headers=(IDEMPOTENCY_HEADER,),
    rate_limits=(lambda: current_app.config["API_ORDER_RATE_LIMIT"],),
    response_description="The order holding the seats, with how to pay it, and the booking. `Location` names "
                         "the booking; `Idempotent-Replayed: true` marks one made earlier under the same "
                         "`Idempotency-Key`.",
    description=(
        "Books `adults` + `children` seats as an unpaid order with one booking for the host; the seats are held "
        "until it is paid or its hold lapses, like stock. The ticket code comes once it is paid.\n\n"
        "* 404: no such session, or its experience is not published;\n"
        "* 422: a bad field (fewer than one guest, more than 30, a phone number that is not Thai), a reused "
        "`Idempotency-Key` (`idempotency_key_reused`);\n"
        "* 409: too few seats left (`seats_gone`), a cancelled or started session (`session_closed`), a total "
        "other than `expected_total_satang` (`total_changed`);\n"
        "* 503: the shop is too busy right now (`busy`); nothing was booked."
    ),
)
def book_session(session_id: int, body: BookingIn):
    buyer = g.api_user
    key = idem.parse_key(request.headers.get(idem.HEADER))
    digest = idem.request_hash({"session": session_id, **body.model_dump(mode="json")}) if key is not None else ""
    if key is not None:
        existing = idem.find_order(buyer, key, digest)
        if existing is not None:
            return _booked(existing, replayed=True)
    try:
        order = bookings.book_with(
            session_id, before_commit=idem.recorder(buyer, key, digest) if key is not None else None,
            adults=str(body.adults), children=str(body.children), buyer=buyer, email=None,
            guest_name=body.guest_name, phone=body.phone, payment_method=body.payment_method,
            locale=current_language(), expected_total_satang=body.expected_total_satang)
    except (IntegrityError, Conflict) as exc:
        # Another request with the same key committed first (and may have taken the last seats).
        if key is not None:
            existing = idem.find_order(buyer, key, digest)
            if existing is not None:
                return _booked(existing, replayed=True)
        if isinstance(exc, IntegrityError):
            raise checkout.ShopBusy() from None
        raise
    return _booked(order, replayed=False, checkout_url=_start_payment(order))


def _booked(order: Order, *, replayed: bool, checkout_url: str | None = None):
    if replayed and capabilities_of(order.payment_method).hosted_checkout \
            and order.status == st.ORDER_PENDING_PAYMENT and latest_pending_payment(order) is None:
        checkout_url = _start_payment(order)
    headers = {"Location": url_for("api.get_booking", public_id=order.public_id)}
    if replayed:
        headers[idem.REPLAYED_HEADER] = "true"
    return _booking_order(order, checkout_url=checkout_url), 201, headers


def _own_booking(public_id: str) -> Booking:
    """The token's own booking, by its order's public id; anyone else's is 404."""
    order = load_order_for_buyer(public_id, g.api_user, None)
    if order.user_id != g.api_user.id:
        raise NotFound()
    return cancellation.booking_of_order(order)


@operation("GET", "/experiences/bookings/<public_id>", summary="One of my bookings", tag=TAG,
           response=BookingOrderOut,
           description="The order holding the booking (with how to pay it while unpaid), the booking with its "
                       "ticket code once paid, and what cancelling it now would give under the experience's "
                       "policy. Another account's booking, or an order without one, is 404.")
def get_booking(public_id: str):
    return _booking_order(_own_booking(public_id).order)


@operation("POST", "/experiences/bookings/<public_id>/cancel", summary="Cancel my booking", tag=TAG,
           response=BookingOrderOut, errors=(409,),
           description="Cancels the booking and gives its seats back. Unpaid: simply cancelled. Paid, at least "
                       "the policy's `full_refund_hours` before the session starts: cancelled with the whole "
                       "amount owed back (`refunded`), refunded to the way it was paid. Later, or under the "
                       "`strict` policy: cancelled with no refund. 409 `booking_not_cancellable` for a booking "
                       "already cancelled, checked in, or whose session has started; 409 while a transfer slip "
                       "is being checked.")
def cancel_booking(public_id: str):
    booking = _own_booking(public_id)
    cancellation.cancel_booking(booking, g.api_user)
    return _booking_order(booking.order)


# ------------------------------------------------------------------------ the host's


@operation("GET", f"{ENTERPRISE}/experience-sessions", summary="The enterprise's experience sessions", tag=SELLER_TAG,
           response=HostSessionList, query=SessionListQuery,
           description="Every experience's sessions from today (or from `from_day` to `to_day`), soonest first, "
                       "with the seats booked and left. Cancelled ones with `include_cancelled=true`.")
def seller_sessions(enterprise_id: int, query: SessionListQuery):
    enterprise = member_enterprise(enterprise_id)
    days = listing.parse_range(first=query.from_day, last=query.to_day)
    rows, meta = paginate(listing.enterprise_sessions(enterprise, days=days,
                                                      include_cancelled=query.include_cancelled), query)
    return HostSessionList(data=[_host_session(s) for s in rows], meta=meta)


@operation("GET", f"{ENTERPRISE}/experience-sessions/<id:session_id>/guests", summary="A session's guest list",
           tag=SELLER_TAG, response=GuestList,
           description="The paid bookings of the session (who is coming), by name, with their ticket codes and "
                       "check-in times. Another enterprise's session is 404.")
def seller_guests(enterprise_id: int, session_id: int):
    enterprise = member_enterprise(enterprise_id)
    session = svc.session_for_enterprise(enterprise, session_id)
    guests = svc.guest_list(session)
    return GuestList(session=_host_session(session), guests=[_guest(b) for b in guests],
                     seats_booked=sum(b.seats for b in guests))


@operation("POST", f"{ENTERPRISE}/experience-check-ins", summary="Check a guest in by ticket code", tag=SELLER_TAG,
           body=CheckInIn, response=CheckInOut, errors=(403, 409),
           description="Marks the paid booking with this ticket code as arrived. 422 for a code that is none of "
                       "this enterprise's tickets; 409 `ticket_refused` for one unpaid or cancelled, of a "
                       "cancelled session, or checked in already. A mentor of the enterprise gets 403.")
def seller_check_in(enterprise_id: int, body: CheckInIn):
    enterprise = member_enterprise(enterprise_id)
    booking = svc.check_in(enterprise, body.code)
    return CheckInOut(guest=_guest(booking), session=_host_session(booking.session))
