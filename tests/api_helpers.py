"""Helpers for API tests: a token for a user, and its request headers."""

from __future__ import annotations

from shop.accounts import api_tokens


def token_for(user, name: str = "test script") -> str:
    """A new personal API token for ``user`` (the secret, as shown once)."""
    return api_tokens.create_token(user, name).secret


def bearer(user_or_secret, *, lang: str | None = None) -> dict[str, str]:
    """``Authorization`` headers for a user (a new token) or a token secret."""
    secret = user_or_secret if isinstance(user_or_secret, str) else token_for(user_or_secret)
    headers = {"Authorization": f"Bearer {secret}"}
    if lang:
        headers["Accept-Language"] = lang
    return headers
