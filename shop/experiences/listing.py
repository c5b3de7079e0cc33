"""Reading experiences for lists: the published experiences of approved enterprises,
filtered by province, enterprise and the days their sessions fall on ("this weekend",
"the next 7 days", one day or a range), each with its next sessions; an enterprise's
sessions for the host. The API, the storefront's province page and search read them
here, so they cannot disagree about what is on offer.

A session is *open* when it is not cancelled and has not started (Thailand's time); an
experience is listed for a range when it has an open session on a day in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import selectinload

from shop.catalog import status as catalog_status
from shop.catalog.models import Enterprise
from shop.errors import NotFound, ValidationFailed
from shop.experiences.models import Experience, ExperienceSession
from shop.experiences.services import local_now
from shop.extensions import db
from shop.thai import ascii_digits

THIS_WEEKEND = "this_weekend"
NEXT_7_DAYS = "next_7_days"
WINDOWS = (THIS_WEEKEND, NEXT_7_DAYS)
WINDOW_LABELS = {THIS_WEEKEND: _l("This weekend"), NEXT_7_DAYS: _l("Next 7 days")}
#: The longest range of days a list may ask for.
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


def window(code: str, today: date | None = None) -> DayRange:
    """The days of a named window: ``this_weekend`` is the coming Saturday and Sunday
    (today and tomorrow on a Saturday, today alone on a Sunday); ``next_7_days`` is
    today and the six days after it."""
    today = today or local_now().date()
    if code == THIS_WEEKEND:
        if today.weekday() == 6:
            return DayRange(today, today)
        saturday = today + timedelta(days=5 - today.weekday())
        return DayRange(saturday, saturday + timedelta(days=1))
    if code == NEXT_7_DAYS:
        return DayRange(today, today + timedelta(days=6))
    raise ValueError(code)


def _day(value: str, field: str) -> date:
    text = ascii_digits(str(value)).strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        reason = _l("Enter a date as YYYY-MM-DD, e.g. 2026-12-24.")
        raise ValidationFailed(reason, fields={field: reason}) from None


def parse_range(*, when: str | None = None, day: str | None = None, first: str | None = None,
                last: str | None = None, today: date | None = None) -> DayRange | None:
    """The days asked for by a named window (``when``), one ``day``, or ``first`` /
    ``last`` (either may be left out); None when nothing was asked. Refuses
    (``ValidationFailed`` naming the field) an unknown window, a malformed date, a
    range that ends before it starts or is longer than ``MAX_RANGE_DAYS``, and two
    ways of asking at once."""
    today = today or local_now().date()
    given = [name for name, value in (("when", when), ("day", day), ("from_day", first), ("to_day", last)) if value]
    if len(given) > 1 and ({"when", "day"} & set(given)):
        reason = _l("Give a date window, one date, or a range from and to: one of them.")
        raise ValidationFailed(reason, fields={name: reason for name in given})
    if when:
        if when not in WINDOWS:
            reason = _l("Choose one of: %(choices)s.", choices=", ".join(WINDOWS))
            raise ValidationFailed(reason, fields={"when": reason})
        return window(when, today)
    if day:
        parsed = _day(day, "day")
        return DayRange(parsed, parsed)
    if not (first or last):
        return None
    start = _day(first, "from_day") if first else today
    end = _day(last, "to_day") if last else start + timedelta(days=MAX_RANGE_DAYS - 1)
    if end < start:
        reason = _l("The end of the range is before its start.")
        raise ValidationFailed(reason, fields={"to_day": reason})
    if (end - start).days >= MAX_RANGE_DAYS:
        reason = _l("Ask for at most %(count)d days at once.", count=MAX_RANGE_DAYS)
        raise ValidationFailed(reason, fields={"to_day": reason})
    return DayRange(start, end)


def open_session_condition(days: DayRange | None = None, *, with_seats: bool = False):
    """SQL on ``ExperienceSession``: open (not cancelled, not started), and on a day
    of ``days`` when given; with ``with_seats``, not full either."""
    now = local_now()
    conditions = [ExperienceSession.cancelled_at.is_(None),
                  or_(ExperienceSession.day > now.date(),
                      and_(ExperienceSession.day == now.date(), ExperienceSession.start_time > now.time()))]
    if with_seats:
        conditions.append(ExperienceSession.seats_left > 0)
    if days is not None:
        conditions += [ExperienceSession.day >= days.first, ExperienceSession.day <= days.last]
    return and_(*conditions)


def _listed():
    return and_(Experience.is_published.is_(True),
                Enterprise.status == catalog_status.ENTERPRISE_APPROVED)


def published_experiences(*, province_code: str | None = None, enterprise_id: int | None = None,
                          days: DayRange | None = None, upcoming_only: bool = False) -> Select[tuple[Experience]]:
    """Published experiences of approved enterprises, by Thai title then id. With
    ``days`` (or ``upcoming_only``), only those with an open session on those days
    (or at all)."""
    stmt = (select(Experience).join(Enterprise, Enterprise.id == Experience.enterprise_id).where(_listed())
            .options(selectinload(Experience.enterprise), selectinload(Experience.photos))
            .order_by(Experience.title_th, Experience.id))
    if province_code is not None:
        stmt = stmt.where(Experience.province_code == province_code)
    if enterprise_id is not None:
        stmt = stmt.where(Experience.enterprise_id == enterprise_id)
    if days is not None or upcoming_only:
        stmt = stmt.where(exists(select(ExperienceSession.id).where(
            ExperienceSession.experience_id == Experience.id, open_session_condition(days))))
    return stmt


def listed_experience(slug: str) -> Experience:
    """A published experience of an approved enterprise, by slug; NotFound otherwise."""
    experience = db.session.scalar(select(Experience).join(Enterprise, Enterprise.id == Experience.enterprise_id)
                                   .where(Experience.slug == slug, _listed()))
    if experience is None:
        raise NotFound(_l("We could not find that experience. It may no longer be offered."))
    return experience


def open_sessions(experiences: Iterable[Experience], *, days: DayRange | None = None,
                  limit: int | None = None, with_seats: bool = False) -> dict[int, list[ExperienceSession]]:
    """Each experience's open sessions (on ``days`` when given), soonest first, at most
    ``limit`` each; one query for them all."""
    ids = [e.id for e in experiences]
    found: dict[int, list[ExperienceSession]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.session.scalars(select(ExperienceSession).where(
        ExperienceSession.experience_id.in_(ids), open_session_condition(days, with_seats=with_seats))
        .order_by(ExperienceSession.day, ExperienceSession.start_time, ExperienceSession.id))
    for session in rows:
        bucket = found[session.experience_id]
        if limit is None or len(bucket) < limit:
            bucket.append(session)
    return found


def with_next_session(*, province_code: str | None = None, enterprise_id: int | None = None,
                      days: DayRange | None = None, limit: int = 6) -> list[tuple[Experience, ExperienceSession]]:
    """Up to ``limit`` listed experiences with an open session that has seats (on
    ``days`` when given), each with its soonest such session."""
    found = list(db.session.scalars(published_experiences(
        province_code=province_code, enterprise_id=enterprise_id, days=days, upcoming_only=True).limit(limit)))
    soonest = open_sessions(found, days=days, limit=1, with_seats=True)
    return [(experience, soonest[experience.id][0]) for experience in found if soonest[experience.id]]


def enterprise_sessions(enterprise: Enterprise, *, days: DayRange | None = None,
                        include_cancelled: bool = False) -> Select[tuple[ExperienceSession]]:
    """The host's sessions of every experience, from today (or on ``days``), soonest
    first, then by id."""
    stmt = (select(ExperienceSession).join(Experience, Experience.id == ExperienceSession.experience_id)
            .where(Experience.enterprise_id == enterprise.id)
            .options(selectinload(ExperienceSession.experience))
            .order_by(ExperienceSession.day, ExperienceSession.start_time, ExperienceSession.id))
    if days is not None:
        stmt = stmt.where(ExperienceSession.day >= days.first, ExperienceSession.day <= days.last)
    else:
        stmt = stmt.where(ExperienceSession.day >= local_now().date())
    if not include_cancelled:
        stmt = stmt.where(ExperienceSession.cancelled_at.is_(None))
    return stmt
