"""Request and response models of the experiences endpoints (``shop.api.experiences_views``):
the public list and detail, a buyer's booking and its cancellation, and the host's
sessions, guest lists and check-in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field, field_validator

from shop.api.buying_schemas import OrderOut
from shop.api.catalog_schemas import (
    EnterpriseFilter,
    EnterpriseRef,
    Photo,
    Province,
    ProvinceFilter,
    _check_province,
    _no_filter,
    _optional_string,
)
from shop.api.routing import ApiValueError
from shop.api.schemas import Money, PageMeta, PageQuery, RequestModel, ResponseModel, Text
from shop.dbtypes import MAX_INT
from shop.experiences.listing import WINDOWS
from shop.experiences.services import MAX_BOOKING_SEATS

PolicyCode = Literal["flexible", "moderate", "strict"]

WhenFilter = _optional_string(
    "Sessions in a named window: `this_weekend` (the coming Saturday and Sunday) or `next_7_days` "
    "(today and the six days after it), Thailand's time.", max_length=20, enum=list(WINDOWS))
DayFilter = _optional_string("Sessions on this day, `YYYY-MM-DD`.", max_length=10,
                             pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FromFilter = _optional_string("Sessions from this day on, `YYYY-MM-DD` (default today).", max_length=10,
                              pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
ToFilter = _optional_string("Sessions up to this day, `YYYY-MM-DD` (at most 366 days after `from_day`).",
                            max_length=10, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


# ------------------------------------------------------------------------ queries


class ExperienceListQuery(PageQuery):
    """Give at most one of `when`, `day`, or `from_day`/`to_day`."""

    province: ProvinceFilter = _no_filter()
    enterprise: EnterpriseFilter = _no_filter()
    when: WhenFilter = _no_filter()
    day: DayFilter = _no_filter()
    from_day: FromFilter = _no_filter()
    to_day: ToFilter = _no_filter()

    _province = field_validator("province")(_check_province)

    @field_validator("when")
    @classmethod
    def _known_window(cls, value: str | None) -> str | None:
        # Documented as an enum: an empty or unknown window is refused, not ignored.
        if value is not None and value not in WINDOWS:
            raise ApiValueError(_l("Choose this_weekend or next_7_days."))
        return value


class SessionListQuery(PageQuery):
    from_day: FromFilter = _no_filter()
    to_day: ToFilter = _no_filter()
    include_cancelled: bool = Field(False, description="`true`: cancelled sessions too.")


# ------------------------------------------------------------------------ requests


class BookingIn(RequestModel):
    adults: int = Field(ge=0, le=MAX_BOOKING_SEATS, description="Adults (at least one guest in all).")
    children: int = Field(0, ge=0, le=MAX_BOOKING_SEATS, description="Children, at the child price when there is one.")
    guest_name: Text = Field(min_length=1, max_length=120, description="The name the host finds on the guest list.")
    phone: Text = Field(min_length=1, max_length=32, description="A Thai phone number the host can call.")
    payment_method: Literal["promptpay_qr", "stripe"] = Field(
        "promptpay_qr", description="`promptpay_qr` (pay by PromptPay QR, then upload the slip on the order page) or "
                                    "`stripe` (where offered). Experiences are not paid on invoice.")
    expected_total_satang: int | None = Field(
        None, ge=0, le=MAX_INT,
        description="The total you showed; if today's price differs, nothing is booked (409 `total_changed`).")


class CheckInIn(RequestModel):
    code: Text = Field(min_length=1, max_length=32, description="The ticket code (spaces, dashes and case do not matter).")


# ------------------------------------------------------------------------ answers


class Policy(ResponseModel):
    code: PolicyCode
    label: str = Field(description="In the response language.")
    description: str
    full_refund_hours: int | None = Field(description="A full refund up to this many hours before the session "
                                                      "starts; null: no refund once paid.")


class SessionOut(ResponseModel):
    id: int
    day: date
    start_time: str = Field(description="`HH:MM`, Thailand's time.")
    starts_at: datetime = Field(description="The start, with Thailand's offset (+07:00).")
    seats_total: int
    seats_left: int
    bookable: bool = Field(description="Open for booking now: not cancelled, not started, seats left.")
    cancelled: bool


class ExperienceSummary(ResponseModel):
    id: int
    slug: str
    title_th: str
    title_en: str | None
    enterprise: EnterpriseRef
    province: Province | None
    village: str
    district: str
    duration_minutes: int
    languages: list[str] = Field(description="Codes of the languages the hosts speak (`th`, `en`, `nod`, …).")
    price: Money = Field(description="Per adult.")
    child_price: Money | None
    cover_photo: Photo | None
    next_session: SessionOut | None = Field(description="The soonest open session (within the asked days, "
                                                        "when `when`, `day` or `from_day`/`to_day` were given).")
    url: str = Field(description="The experience's page on the storefront.")


class ExperienceList(ResponseModel):
    data: list[ExperienceSummary]
    meta: PageMeta


class ExperienceDetail(ExperienceSummary):
    description_th: str
    description_en: str | None
    included_th: str | None
    included_en: str | None
    accessibility_th: str | None
    accessibility_en: str | None
    subdistrict: str
    postcode: str
    latitude: float | None
    longitude: float | None
    group_price: Money | None = Field(description="Per person from `group_min_size` guests.")
    group_min_size: int | None
    cancellation_policy: Policy
    photos: list[Photo]
    sessions: list[SessionOut] = Field(description="Every open session, soonest first.")


class CancellationOut(ResponseModel):
    """What cancelling the booking now gives, under the experience's policy."""

    possible: bool = Field(description="Whether the booking can be cancelled now.")
    reason: str | None = Field(description="Why not, when it cannot.")
    refund: Money = Field(description="Owed back if cancelled now: everything before the policy's deadline, "
                                      "nothing after it or while unpaid.")
    full_refund_until: datetime | None = Field(description="The last moment for a full refund; null when the "
                                                           "policy gives none.")
    policy: Policy


class BookingOut(ResponseModel):
    id: int
    experience_slug: str
    experience_title: str = Field(description="In the response language.")
    session: SessionOut
    adults: int
    children: int
    guest_name: str
    ticket_code: str | None = Field(description="Once paid: the code the host checks in.")
    checked_in_at: datetime | None
    cancelled: bool
    ticket_url: str = Field(description="The ticket page (QR code and calendar file); opens for the signed-in buyer.")
    cancellation: CancellationOut


class BookingOrderOut(OrderOut):
    """The order that holds the booking, with how to pay it, and the booking."""

    booking: BookingOut


class SessionList(ResponseModel):
    data: list[SessionOut]
    meta: PageMeta


class HostSessionOut(SessionOut):
    experience_id: int
    experience_slug: str
    experience_title: str


class HostSessionList(ResponseModel):
    data: list[HostSessionOut]
    meta: PageMeta


class GuestOut(ResponseModel):
    booking_id: int
    ticket_code: str
    guest_name: str
    phone: str
    adults: int
    children: int
    order_id: str = Field(description="The order's public id.")
    checked_in_at: datetime | None


class GuestList(ResponseModel):
    session: HostSessionOut
    guests: list[GuestOut] = Field(description="The paid bookings (the guests who are coming), by name.")
    seats_booked: int = Field(description="Seats of those bookings.")


class CheckInOut(ResponseModel):
    guest: GuestOut
    session: HostSessionOut

