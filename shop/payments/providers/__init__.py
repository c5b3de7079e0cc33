"""Payment providers: how an order's money is collected, refunded and paid out.

``get_provider(method)`` returns the provider for an order's ``payment_method``
(``"promptpay_qr"`` or ``"stripe"``); ``stripe_enabled()`` says whether both Stripe
keys are configured, and ``available_methods()`` lists the methods checkout offers,
the default first. See ``base.py`` for the interface. Only the ``stripe`` subpackage
imports the ``stripe`` SDK, and it is imported only when a Stripe provider is asked for.
"""

from __future__ import annotations

from flask import current_app

from shop.orders import status as st
from shop.payments.providers.base import (
    PaymentProvider,
    PaymentStart,
    ProviderError,
    ProviderNotSupported,
    ProviderUnavailable,
    RefundOutcome,
)

__all__ = [
    "PaymentProvider",
    "PaymentStart",
    "ProviderError",
    "ProviderNotSupported",
    "ProviderUnavailable",
    "RefundOutcome",
    "allow_checkout_redirect",
    "available_methods",
    "get_provider",
    "stripe_enabled",
]

PAYMENT_STRIPE = getattr(st, "PAYMENT_STRIPE", "stripe")


def stripe_enabled() -> bool:
    """True when both the secret key and the webhook secret are configured."""
    cfg = current_app.config
    return bool(cfg.get("STRIPE_SECRET_KEY")) and bool(cfg.get("STRIPE_WEBHOOK_SECRET"))


def available_methods() -> list[str]:
    """The payment methods checkout offers now, the default first."""
    methods = [st.PAYMENT_PROMPTPAY_QR]
    if stripe_enabled():
        methods.insert(0, PAYMENT_STRIPE)
    return methods


def allow_checkout_redirect(response):
    """Let the forms on this response's page be redirected to the provider's payment
    page: the site's CSP says ``form-action 'self'``, and browsers apply it to the
    redirect after a form POST, so the 303 to Stripe Checkout would be blocked. Adds
    ``STRIPE_CHECKOUT_ORIGIN`` (default ``https://checkout.stripe.com``) when Stripe
    is enabled; returns the response."""
    if not stripe_enabled():
        return response
    from shop.security import CONTENT_SECURITY_POLICY

    origin = current_app.config.get("STRIPE_CHECKOUT_ORIGIN") or "https://checkout.stripe.com"
    policy = response.headers.get("Content-Security-Policy") or CONTENT_SECURITY_POLICY
    if origin not in policy:
        policy = policy.replace("form-action 'self'", f"form-action 'self' {origin}")
    response.headers["Content-Security-Policy"] = policy
    return response


def get_provider(method: str) -> PaymentProvider:
    """The provider for ``method``; ``LookupError`` for a method the shop does not know."""
    if method == st.PAYMENT_PROMPTPAY_QR:
        from shop.payments.providers.promptpay_qr import PromptPayQRProvider

        return PromptPayQRProvider()
    if method == PAYMENT_STRIPE:
        from shop.payments.providers.stripe import StripeProvider

        return StripeProvider()
    raise LookupError(f"unknown payment method {method!r}")
