"""Language selection: Thai by default, ``?lang=th|en`` switches and is remembered;
and the one date style.

The choice is kept in the session (so a guest keeps it) and, for a signed-in user,
copied to their account on their next write. An unknown ``lang`` value is ignored:
the page answers in the language the visitor already uses (a mistyped link should
not cost a shopper the page).

Dates: Thai pages show the Buddhist era with Thai month abbreviations (2 ธ.ค. 2569,
2 ธ.ค. 2569 14:05), English pages the Gregorian year (2 Dec 2026, 2 Dec 2026, 14:05),
always in Bangkok time. ``format_day`` / ``format_moment`` are the only formatting
functions; the templates' ``dateformat`` and ``datetimeformat`` filters and the PDFs
use them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from shop.extensions import babel

BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543

SESSION_KEY = "lang"


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    if not has_request_context():
        # Commands and workers: Thai unless wrapped in force_locale (e-mails are).
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        return _api_locale()
    chosen = getattr(g, "chosen_lang", None)
    if chosen:
        return chosen
    lang = session.get(SESSION_KEY)
    if lang in supported_languages():
        return lang
    if current_user and current_user.is_authenticated and current_user.locale in supported_languages():
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _api_locale() -> str:
    """The JSON API answers in ``?lang=`` or the client's ``Accept-Language`` (Thai
    when neither names a language we have) and never stores the choice."""
    languages = supported_languages()
    lang = request.args.get("lang", "").strip().lower()
    if lang in languages:
        return lang
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _apply_lang_parameter():
    lang = request.args.get("lang")
    if lang is None or request.path.startswith("/api/"):
        return None  # the JSON API picks its language per request (_api_locale)
    lang = lang.strip().lower()
    if lang not in supported_languages():
        return None  # ignored: the page answers in the language already in use
    session[SESSION_KEY] = lang
    g.chosen_lang = lang
    from flask_babel import refresh

    refresh()
    return None


def _language(locale: str | None) -> str:
    language = str(locale or (current_language() if has_request_context() else "th"))
    return "en" if language.startswith("en") else "th"


def local_day(value: date | datetime) -> date:
    """The calendar day of ``value`` in Bangkok (a ``date`` is taken as it is; a naive
    ``datetime`` is UTC, as the database stores them)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
        return moment.astimezone(BANGKOK).date()
    return value


def format_day(value: date | datetime | None, style: str = "short", *, locale: str | None = None) -> str:
    """``2 ธ.ค. 2569`` / ``2 Dec 2026`` (``style="long"`` or ``"full"`` spells the
    month out: ``2 ธันวาคม 2569`` / ``2 December 2026``). Empty for None."""
    if value is None:
        return ""
    day = local_day(value)
    language = _language(locale)
    month = "MMMM" if style in ("long", "full") else "MMM"
    if language == "th":
        return f"{babel_format_date(day, f'd {month}', locale='th')} {day.year + BUDDHIST_ERA_OFFSET}"
    return babel_format_date(day, f"d {month} y", locale="en")


def format_moment(value: datetime | None, style: str = "short", *, locale: str | None = None) -> str:
    """A day and a time in Bangkok: ``2 ธ.ค. 2569 14:05`` / ``2 Dec 2026, 14:05``."""
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(BANGKOK)
    language = _language(locale)
    clock = babel_format_time(local.time(), "HH:mm", locale=language)
    separator = " " if language == "th" else ", "
    return f"{format_day(local, style, locale=language)}{separator}{clock}"


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_apply_lang_parameter)
    # One date style on every page, in place of Flask-Babel's locale defaults (which
    # give Thai pages Gregorian two-digit years).
    app.jinja_env.filters["dateformat"] = lambda value, style="short": format_day(value, style)
    app.jinja_env.filters["datetimeformat"] = lambda value, style="short": format_moment(value, style)
