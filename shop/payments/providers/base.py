"""The payment-provider interface (docs/product.md: Payment).

Every way of collecting money implements ``PaymentProvider``; the rest of the shop
asks ``shop.payments.providers.get_provider(method)`` for one and never imports a
provider's SDK itself (only ``providers/stripe/`` imports ``stripe``).

* ``start_payment(order)`` begins collecting the order's total: for Stripe it creates
  a Checkout Session and a pending ``Payment`` row (added to the session, not
  committed) and returns the page to send the buyer to; for PromptPay QR there is
  nothing to start (the order page shows the QR) and both fields are None.
* ``refund(refund)`` sends a pending ``Refund`` row to the provider with the row's
  ``idempotency_key``; it returns what the provider said and changes no row: the
  caller (``payments.refunds``) applies the outcome. A network failure raises
  ``ProviderUnavailable`` (the refund stays pending and may be retried with the same
  key); a refusal raises ``ProviderError``.
* ``transfer(payout, destination=...)`` sends a payout to a connected account with
  the payout's ``idempotency_key`` and returns the provider's transfer id.
* A method that calls the provider over the network reads what it sends from the
  database in a ``transaction()`` of its own, which ends before the call; callers
  call it with no transaction open (see ``flow.begin_payment``).
* ``capabilities`` says what the provider can do (``ProviderCapabilities``): callers
  ask it rather than compare a method's name. ``is_enabled()`` says whether it is
  configured now (checkout offers only enabled methods); ``checkout_origin()`` is
  where a hosted checkout sends the buyer (the pages' CSP must let forms go there).
* ``verify_webhook(payload, headers)`` authenticates a webhook request and returns a
  ``WebhookEvent`` (``events.py``) or raises ``WebhookRejected``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from flask_babel import lazy_gettext as _l

from shop.errors import DomainError
from shop.orders.models import Order
from shop.payments.models import Payment, Refund
from shop.payments.providers.events import WebhookEvent

if TYPE_CHECKING:
    from collections.abc import Mapping

# RefundOutcome.status values (the Refund row's statuses).
OUTCOME_PENDING = "pending"
OUTCOME_SUCCEEDED = "succeeded"
OUTCOME_FAILED = "failed"


@dataclass(frozen=True)
class ProviderCapabilities:
    """What a provider can do, whatever its configuration.

    ``hosted_checkout``: the buyer pays on the provider's page: checkout (web and API)
    sends them there after placing the order, ``POST /orders/<id>/pay`` resumes it, and
    the order's ``Payment`` rows are its attempts. ``slip_review``: the buyer pays by
    transfer to the shop's PromptPay QR and uploads a slip that staff or the
    enterprise confirm. ``refunds_through_provider``: ``refund`` sends the money back; otherwise staff pay
    it back by transfer and record it. ``connect_payouts``: enterprises with a
    connected account are paid by ``transfer`` once an order is paid."""

    hosted_checkout: bool = False
    slip_review: bool = False
    refunds_through_provider: bool = False
    connect_payouts: bool = False


class Transfer(Protocol):
    """What ``transfer`` sends: the ledger's ``Payout`` is one (the ledger sits above
    payments, so the providers know its payouts by this shape only)."""

    id: int
    enterprise_id: int
    order_id: int | None
    amount_satang: int
    idempotency_key: str


@dataclass(frozen=True)
class PaymentStart:
    """Where to send the buyer (None: stay on the order page) and the attempt row."""

    redirect_url: str | None
    payment: Payment | None


@dataclass(frozen=True)
class CheckoutRequest:
    """A hosted checkout page to ask the provider for, read from the order beforehand
    so that the call itself needs no database (and no transaction is open during it)."""

    params: dict
    idempotency_key: str


@dataclass(frozen=True)
class RefundOutcome:
    """The provider's answer: ``pending`` (it completes later, e.g. PromptPay through
    Stripe), ``succeeded`` or ``failed``; ``provider_ref`` is its refund id (re_…)."""

    status: str
    provider_ref: str | None
    failure_reason: str | None = None


class ProviderError(DomainError):
    """The provider refused the request (bad parameters, account problem, …)."""

    status_code = 502
    code = "provider_error"
    default_message = _l("The payment provider refused the request.")

    def __init__(self, message=None, *, provider_code: str | None = None) -> None:
        super().__init__(message)
        self.provider_code = provider_code  # the provider's own error code, for logs


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or timed out: the outcome is unknown, so the
    same request may be retried with the same idempotency key."""

    status_code = 503
    code = "provider_unavailable"
    default_message = _l("The payment service is not answering. Please try again in a moment.")


class ProviderNotSupported(ProviderError):
    """The provider cannot do this (e.g. a transfer through PromptPay QR)."""

    status_code = 409
    code = "provider_not_supported"
    default_message = _l("This payment method cannot do that.")


@runtime_checkable
class PaymentProvider(Protocol):
    name: str
    capabilities: ProviderCapabilities

    def is_enabled(self) -> bool: ...

    def checkout_origin(self) -> str | None: ...

    def verify_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent: ...

    def start_payment(self, order: Order) -> PaymentStart: ...

    def refund(self, refund: Refund) -> RefundOutcome: ...

    def transfer(self, payout: Transfer, *, destination: str) -> str: ...
