"""An experience's schema.org data: one ``Event`` per session open for booking (at most
``MAX_EVENTS``), each with its place, organiser and offer, serialised by the
catalogue's ``json_ld_script``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shop.catalog.seo import CURRENCY, SCHEMA, absolute_url_for, json_ld_script, organization_ref
from shop.experiences.models import Experience, ExperienceSession
from shop.experiences.services import starts_at
from shop.geo import province_by_code
from shop.i18n import current_language

MAX_EVENTS = 10


def _price(satang: int) -> str:
    return f"{satang // 100}.{satang % 100:02d}"


def event_json_ld(experience: Experience, session: ExperienceSession) -> dict[str, Any]:
    locale = current_language()
    url = absolute_url_for("experiences.detail", slug=experience.slug)
    start = starts_at(session)
    province = province_by_code(experience.province_code)
    place: dict[str, Any] = {
        "@type": "Place", "name": experience.village,
        "address": {"@type": "PostalAddress", "addressLocality": experience.district,
                    "addressRegion": province.name(locale) if province else experience.province_code,
                    "postalCode": experience.postcode, "addressCountry": "TH"},
    }
    if experience.latitude is not None and experience.longitude is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": experience.latitude,
                        "longitude": experience.longitude}
    return {
        "@context": SCHEMA, "@type": "Event", "name": experience.t("title", locale),
        "description": " ".join(experience.t("description", locale).split())[:500],
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(minutes=experience.duration_minutes)).isoformat(),
        "eventStatus": f"{SCHEMA}/EventScheduled",
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
        "location": place, "organizer": organization_ref(experience.enterprise), "url": url,
        "offers": {"@type": "Offer", "price": _price(experience.price_satang), "priceCurrency": CURRENCY,
                   "availability": f"{SCHEMA}/{'InStock' if session.seats_left > 0 else 'SoldOut'}",
                   "url": f"{url}?session={session.id}"},
    }


def event_scripts(experience: Experience, sessions: list[ExperienceSession]) -> list:
    return [json_ld_script(event_json_ld(experience, s)) for s in sessions[:MAX_EVENTS]]
