"""Language selection: Thai by default, ``?lang=th|en`` switches and is remembered.

The choice is kept in the session (so a guest keeps it) and, for a signed-in user,
copied to their account on their next write. An unknown ``lang`` value is refused
with a 400 that names the languages we have.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from shop.errors import abort_with
from shop.extensions import babel

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
        # Answer in the language the visitor already uses.
        abort_with(400, _("Unknown language. Choose th (ไทย) or en (English)."))
    session[SESSION_KEY] = lang
    g.chosen_lang = lang
    from flask_babel import refresh

    refresh()
    return None


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_apply_lang_parameter)
