"""Bearer-token authentication and per-token rate limits for the API."""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, g, make_response, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from shop.accounts import api_tokens
from shop.accounts.models import User
from shop.api.blueprint import bp
from shop.errors import DomainError, error_response
from shop.extensions import limiter


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"
    default_message = _l("Send a valid API token: Authorization: Bearer <token>. "
                         "Create one in your account settings.")


class TokenRefused(Unauthorized):
    code = "invalid_token"
    default_message = _l("This API token is not valid: it is unknown, revoked, or its account is closed.")


def bearer_secret() -> str | None:
    """The token in ``Authorization: Bearer …``; None when there is no such header."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def authenticate_request() -> User | None:
    """Set ``g.api_user`` and ``g.api_token`` from the request's token; None for none.

    A token that is present but not valid is refused (401) even where the endpoint
    would answer anonymously: a client should learn its token stopped working.
    """
    secret = bearer_secret()
    has_header = bool(request.headers.get("Authorization"))
    g.api_user, g.api_token = None, None
    if secret is None:
        if has_header:
            raise TokenRefused()
        return None
    token = api_tokens.authenticate(secret)
    if token is None:
        raise TokenRefused()
    g.api_user, g.api_token = token.user, token
    if api_tokens.use_is_stale(token):
        g.api_token_touch = token.id
    return token.user


@bp.after_request
def _record_token_use(response):
    token_id = g.pop("api_token_touch", None)
    if token_id is not None:
        api_tokens.record_use(token_id)
    return response


@bp.errorhandler(Unauthorized)
def _unauthorized(exc: Unauthorized):
    response = error_response(exc.status_code, exc.code, exc.message)
    response = make_response(response)
    response.headers["WWW-Authenticate"] = 'Bearer realm="chumchon-api"'
    return response


def require_user() -> User:
    user = authenticate_request()
    if user is None:
        raise Unauthorized()
    return user


def rate_limit_key() -> str:
    """One bucket per token presented (valid or not), else per client address."""
    secret = bearer_secret()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-ip:" + (get_remote_address() or "unknown")


_limited_blueprints: set[str] = set()


def install_rate_limits(bp: Blueprint) -> None:
    """Limit every API request per token (or per address without one), and under a
    wider per-address ceiling so inventing tokens does not buy more requests.

    The limiter is shared by every app built in one process, so the limits are
    attached to the blueprint once.
    """
    if bp.name in _limited_blueprints:
        return
    _limited_blueprints.add(bp.name)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)
    limiter.limit(lambda: current_app.config["API_ADDRESS_RATE_LIMIT"], key_func=get_remote_address)(bp)
