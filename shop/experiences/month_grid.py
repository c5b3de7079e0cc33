"""The sessions of an experience as month calendars for its page: weeks from Monday
to Sunday, each day with its sessions (bookable or full), drawn as plain HTML tables so
they read on a phone without any script."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date

from shop.experiences.models import ExperienceSession
from shop.i18n import BUDDHIST_ERA_OFFSET


@dataclass
class Day:
    day: date | None  # None: a day of the month before or after
    sessions: list[ExperienceSession] = field(default_factory=list)


@dataclass
class Month:
    label: str
    weeks: list[list[Day]]


def month_label(first: date, locale: str) -> str:
    if locale == "th":
        return f"{format_date(first, 'LLLL', locale='th')} {first.year + BUDDHIST_ERA_OFFSET}"
    return format_date(first, "LLLL y", locale="en")


def months_of(sessions: list[ExperienceSession], locale: str, *, limit: int = 3) -> list[Month]:
    """The months holding ``sessions`` (at most ``limit``, the earliest first)."""
    by_day: dict[date, list[ExperienceSession]] = defaultdict(list)
    for session in sessions:
        by_day[session.day].append(session)
    months = sorted({(day.year, day.month) for day in by_day})[:limit]
    grid = calendar.Calendar(firstweekday=calendar.MONDAY)
    found = []
    for year, month in months:
        weeks = [[Day(day if day.month == month else None, sorted(by_day.get(day, []), key=lambda s: s.start_time)
                      if day.month == month else []) for day in week]
                 for week in grid.monthdatescalendar(year, month)]
        found.append(Month(label=month_label(date(year, month, 1), locale), weeks=weeks))
    return found
