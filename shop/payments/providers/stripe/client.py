"""The Stripe API client, built from the app's config, and Stripe errors translated
into the provider interface's errors.

``stripe_client()`` uses ``STRIPE_SECRET_KEY``; ``STRIPE_API_BASE`` (when set) points
it at another API host; ``STRIPE_MAX_NETWORK_RETRIES`` is how often the
library itself retries a failed request (with the same idempotency key). Tests put a
fake ``stripe.HTTPClient`` in ``app.extensions["stripe_http_client"]``
(``tests/stripe_fake.py``), so no request ever leaves the machine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, TypeVar

import stripe
from flask import current_app
from flask_babel import lazy_gettext as _l

from shop.payments.providers.base import ProviderError, ProviderUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


def stripe_client() -> stripe.StripeClient:
    cfg = current_app.config
    key = cfg["STRIPE_SECRET_KEY"]
    if not key:
        raise ProviderError(_l("Card payments are not available at the moment."))
    kwargs: dict[str, Any] = {"max_network_retries": int(cfg["STRIPE_MAX_NETWORK_RETRIES"])}
    if cfg["STRIPE_API_BASE"]:
        kwargs["base_addresses"] = {"api": cfg["STRIPE_API_BASE"]}
    http_client = current_app.extensions.get("stripe_http_client")
    if http_client is not None:
        kwargs["http_client"] = http_client
    return stripe.StripeClient(key, **kwargs)


@contextmanager
def translated_errors(action: str):
    """Turn the SDK's errors into ``ProviderUnavailable`` (outcome unknown: retry with
    the same idempotency key) or ``ProviderError`` (refused)."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        log.warning("stripe %s: unavailable: %s", action, exc)
        raise ProviderUnavailable(provider_code=getattr(exc, "code", None)) from exc
    except stripe.APIError as exc:  # 5xx: Stripe may or may not have done it
        log.warning("stripe %s: server error: %s", action, exc)
        raise ProviderUnavailable(provider_code=getattr(exc, "code", None)) from exc
    except stripe.StripeError as exc:
        log.error("stripe %s refused: %s", action, exc)
        raise ProviderError(provider_code=getattr(exc, "code", None)) from exc


def call(action: str, fn: Callable[[], T]) -> T:
    with translated_errors(action):
        return fn()
