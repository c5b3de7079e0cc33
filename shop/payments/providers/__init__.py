"""Payment providers: how an order's money is collected, refunded and paid out.

``get_provider(method)`` returns the provider for an order's ``payment_method``
(``"promptpay_qr"`` or ``"stripe"``) and ``capabilities_of(method)`` what it can do:
callers ask a capability (``ProviderCapabilities``: hosted checkout, slip review,
refunds through the provider, Connect payouts), never compare the method's name.
``available_methods()`` lists the enabled methods checkout offers, the default first;
``stripe_enabled()`` says whether Stripe's keys are configured. See ``base.py`` for the
interface and ``events.py`` for webhook events. Only the ``stripe`` subpackage imports
the ``stripe`` SDK, and it is imported only when a Stripe provider is asked for.
"""

from __future__ import annotations

from shop.orders import status as st
from shop.payments.providers.base import (
    PaymentProvider,
    PaymentStart,
    ProviderCapabilities,
    ProviderError,
    ProviderNotSupported,
    ProviderUnavailable,
    RefundOutcome,
)
from shop.payments.providers.promptpay_qr import PromptPayQRProvider
from shop.security import CONTENT_SECURITY_POLICY

__all__ = [
    "PaymentProvider",
    "PaymentStart",
    "ProviderCapabilities",
    "ProviderError",
    "ProviderNotSupported",
    "ProviderUnavailable",
    "RefundOutcome",
    "allow_checkout_redirect",
    "available_methods",
    "capabilities_of",
    "get_provider",
    "stripe_enabled",
]

# Checkout offers the enabled ones in this order: the first is the default.
METHODS = (st.PAYMENT_STRIPE, st.PAYMENT_PROMPTPAY_QR)


def get_provider(method: str) -> PaymentProvider:
    """The provider for ``method``; ``LookupError`` for a method the shop does not know."""
    if method == st.PAYMENT_PROMPTPAY_QR:
        return PromptPayQRProvider()
    if method == st.PAYMENT_STRIPE:
        from shop.payments.providers.stripe import StripeProvider

        return StripeProvider()
    raise LookupError(f"unknown payment method {method!r}")


def capabilities_of(method: str) -> ProviderCapabilities:
    """What the provider of ``method`` can do; nothing for a method the shop does not know."""
    try:
        return get_provider(method).capabilities
    except LookupError:
        return ProviderCapabilities()


def stripe_enabled() -> bool:
    """True when both the secret key and the webhook secret are configured."""
    return get_provider(st.PAYMENT_STRIPE).is_enabled()


def available_methods() -> list[str]:
    """The payment methods checkout offers now, the default first."""
    return [method for method in METHODS if get_provider(method).is_enabled()]


def allow_checkout_redirect(response):
    """Let the forms on this response's page be redirected to a provider's payment
    page: the site's CSP says ``form-action 'self'``, and browsers apply it to the
    redirect after a form POST, so the 303 to a hosted checkout would be blocked. Adds
    the ``checkout_origin()`` of each enabled provider with a hosted checkout (Stripe:
    ``STRIPE_CHECKOUT_ORIGIN``, default ``https://checkout.stripe.com``); returns the
    response."""
    origins = []
    for method in METHODS:
        provider = get_provider(method)
        if provider.capabilities.hosted_checkout and provider.is_enabled():
            origin = provider.checkout_origin()
            if origin:
                origins.append(origin)
    if not origins:
        return response

    policy = response.headers.get("Content-Security-Policy") or CONTENT_SECURITY_POLICY
    for origin in origins:
        if origin not in policy:
            policy = policy.replace("form-action 'self'", f"form-action 'self' {origin}")
    response.headers["Content-Security-Policy"] = policy
    return response
