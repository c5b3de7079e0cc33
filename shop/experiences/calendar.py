"""A booking's calendar file (iCalendar, RFC 5545), written by hand: one VEVENT per
booking, times in UTC (Thailand has no daylight saving, so nothing is lost), TEXT
values escaped (backslash, semicolon, comma, line breaks) and lines folded at 75
octets with CRLF endings, as the RFC asks."""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import current_app

from shop.dbtypes import utcnow
from shop.experiences.models import Booking
from shop.experiences.services import starts_at
from shop.geo import province_by_code
from shop.orders.models import Order

PRODID = "-//Chumchon Market//Experiences//TH"


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold one content line into pieces of at most 75 octets (never inside a UTF-8
    character), continued lines starting with a space."""
    pieces, current, size = [], "", 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_for_order(order: Order, bookings: list[Booking], locale: str = "th") -> str:
    host = current_app.config["PUBLIC_BASE_URL"].rstrip("/").split("//")[-1] or "localhost"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    now = utcnow()
    for booking in bookings:
        session = booking.session
        experience = session.experience
        start = starts_at(session)
        end = start + timedelta(minutes=experience.duration_minutes)
        province = province_by_code(experience.province_code)
        place = ", ".join(part for part in (experience.village, experience.subdistrict, experience.district,
                                            province.name(locale) if province else "") if part)
        description = "\n".join(part for part in (experience.enterprise.t("name", locale), f"Ticket: {booking.ticket_code}",
                                                  f"Order: {order.public_id}") if part)
        event = [
            "BEGIN:VEVENT",
            f"UID:booking-{booking.id}-{booking.ticket_code}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(end)}",
            f"SUMMARY:{escape_text(experience.t('title', locale))}",
            f"LOCATION:{escape_text(place)}",
            f"DESCRIPTION:{escape_text(description)}",
        ]
        if experience.latitude is not None and experience.longitude is not None:
            event.append(f"GEO:{experience.latitude:.6f};{experience.longitude:.6f}")
        if session.cancelled_at is not None or booking.seats_released:
            event.append("STATUS:CANCELLED")
        else:
            event.append("STATUS:CONFIRMED")
        event.append("END:VEVENT")
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
