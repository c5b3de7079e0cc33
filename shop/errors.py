"""Domain errors raised by services, and their rendering as HTML or JSON.

Services raise ``DomainError`` subclasses carrying a message fit for the user (already
translated with lazy_gettext or gettext). Views either catch them to re-show a form,
or let them reach the handlers here, which answer with the right 4xx status.
"""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A request the domain refuses; ``message`` is shown to the user."""

    status_code = 400
    code = "bad_request"
    default_message = _l("The request could not be completed.")

    def __init__(self, message=None, *, fields: dict[str, str] | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_failed"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"

    default_message = _l("We could not find that page.")


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"

    default_message = _l("You do not have permission to do that.")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, code: str, message, fields: dict | None = None):
    if wants_json():
        body = {"error": {"code": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


_HTTP_MESSAGES = {
    400: _l("The request was not understood."),
    401: _l("Please sign in to continue."),
    403: _l("You do not have permission to do that."),
    404: _l("We could not find that page."),
    405: _l("That action is not allowed here."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
}

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "payload_too_large", 429: "rate_limited",
               500: "server_error"}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        return error_response(exc.status_code, exc.code, exc.message, exc.fields)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        # A missing, expired or forged form token: say what to do, not why it failed.
        return error_response(400, "csrf_failed", _l("Your form expired or was sent from another site. Please try again."))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        # A message we wrote (abort(400, description=_("…"))) wins over the generic one.
        description = exc.description if getattr(exc, "_chumchon_message", False) else None
        message = description or _HTTP_MESSAGES.get(status, exc.name)
        response = make_response(error_response(status, _HTTP_CODES.get(status, "http_error"), message))
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(500)
    def _server_error(exc):
        return error_response(500, "server_error", _HTTP_MESSAGES[500])


def abort_with(status: int, message) -> None:
    """Abort with a user-facing message that the error page shows as is."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[status](description=message)
    exc._chumchon_message = True
    raise exc
