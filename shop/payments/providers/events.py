"""What a provider's webhook says happened, in the shop's terms.

A provider's ``verify_webhook`` authenticates a request and returns a ``WebhookEvent``:
the provider's event id and type (recorded once in ``provider_events``) and, when the
event is one the shop acts on, a ``change``: a payment attempt that completed,
succeeded, failed or expired (``AttemptChange``), the refunds of one charge
(``ChargeRefunds``), or one refund (``RefundChange``). ``payments.webhooks`` applies
changes without knowing whose objects they came from; a request that is not genuine,
fresh and well formed raises ``WebhookRejected``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop.errors import DomainError

# ``change.kind``: what the provider says happened.
PAYMENT_COMPLETED = "payment.completed"  # the buyer finished the provider's page (paid now, or later)
PAYMENT_SUCCEEDED = "payment.succeeded"  # a delayed payment arrived
PAYMENT_FAILED = "payment.failed"  # a delayed payment did not arrive
PAYMENT_EXPIRED = "payment.expired"  # the buyer did not pay in time
CHARGE_REFUNDED = "charge.refunded"  # the refunds of one charge, as the provider has them now
REFUND_UPDATED = "refund.updated"  # one refund succeeded or failed

# ``RefundState.status``: None when the provider did not say.
REFUND_STATE_PENDING = "pending"
REFUND_STATE_SUCCEEDED = "succeeded"
REFUND_STATE_FAILED = "failed"


class WebhookRejected(DomainError):
    """The request is not a genuine, fresh, well-formed event of the provider (400)."""

    status_code = 400
    code = "webhook_rejected"

    def __init__(self, reason: str):
        self.reason = reason  # a code for logs and the response, not shown to people
        super().__init__(reason)


class WebhookNotConfigured(WebhookRejected):
    """The provider has no webhook secret: the endpoint is not there (404)."""

    status_code = 404

    def __init__(self) -> None:
        super().__init__("not_configured")


@dataclass(frozen=True)
class AttemptChange:
    """A payment attempt (``Payment.provider_ref``) moved on. ``order_ref`` is the
    order's public id as the shop gave it to the provider (to adopt an attempt whose
    row was lost); ``paid`` says the money has arrived; the amount (satang) and
    currency are what the provider collected or will collect."""

    kind: str
    attempt_ref: str | None
    order_ref: str | None
    paid: bool = False
    amount_satang: int | None = None
    currency: str | None = None
    payment_intent_ref: str | None = None
    method: str | None = None  # how the buyer paid ("card", "promptpay"), when the provider says


@dataclass(frozen=True)
class RefundState:
    """One refund as the provider has it. ``idempotency_key`` and ``refund_id`` are the
    ``Refund`` row's, when the shop sent them along with the request."""

    ref: str | None
    status: str | None
    amount_satang: int | None = None
    failure_reason: str | None = None
    idempotency_key: str | None = None
    refund_id: int | None = None


@dataclass(frozen=True)
class ChargeRefunds:
    """The refunds of one charge. ``refunds`` is None when the provider left the list
    out; ``amount_refunded`` is then the charge's cumulative refunded amount. A refund
    the shop never asked for is recorded with ``unrequested_reason``."""

    kind: str
    charge_ref: str | None
    payment_intent_ref: str | None
    refunds: tuple[RefundState, ...] | None
    amount_refunded: int | None
    unrequested_reason: str


@dataclass(frozen=True)
class RefundChange:
    kind: str
    refund: RefundState


@dataclass(frozen=True)
class WebhookEvent:
    provider: str
    id: str
    type: str
    object_ref: str | None  # the id of the object the event is about (session, charge, refund)
    change: AttemptChange | ChargeRefunds | RefundChange | None  # None: nothing for the shop to do
    created: int | None = None
