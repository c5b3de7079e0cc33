"""PromptPay QR / bank transfer behind the provider interface.

Nothing is started with a third party: the order page shows the QR (``slips.pay_panel``)
and the buyer uploads a slip that staff or the enterprise confirm. Refunds are paid
back by transfer and recorded by staff (``Refund.provider == "manual"``), so
``refund`` answers ``pending`` without a provider reference; payouts go by bank
transfer in a payout batch, so ``transfer`` is not supported. It is always enabled and
receives no webhooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from shop.orders import status as st
from shop.orders.models import Order
from shop.payments.models import Refund
from shop.payments.providers.base import (
    OUTCOME_PENDING,
    PaymentStart,
    ProviderCapabilities,
    ProviderNotSupported,
    RefundOutcome,
    Transfer,
)
from shop.payments.providers.events import WebhookEvent, WebhookNotConfigured

if TYPE_CHECKING:
    from collections.abc import Mapping


class PromptPayQRProvider:
    name = st.PAYMENT_PROMPTPAY_QR
    capabilities = ProviderCapabilities(slip_review=True)

    def is_enabled(self) -> bool:
        return True

    def checkout_origin(self) -> str | None:
        return None

    def verify_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise WebhookNotConfigured()

    def start_payment(self, order: Order) -> PaymentStart:
        return PaymentStart(redirect_url=None, payment=None)

    def refund(self, refund: Refund) -> RefundOutcome:
        return RefundOutcome(status=OUTCOME_PENDING, provider_ref=None)

    def transfer(self, payout: Transfer, *, destination: str) -> str:
        raise ProviderNotSupported(_l("PromptPay QR cannot send money to an enterprise; use a payout batch."))
