"""The whole card-payment journey of issue 6, through the app's own pages and webhook:
a shopper pays by card for an order from two enterprises; the signed webhook marks it
paid; each enterprise's ledger shows its share less the platform fee; the enterprise
with a Stripe Connect account is paid by transfer (deterministic idempotency key), the
other through a payout batch that staff record; a partial refund flows back through
Stripe, the ledger and the Connect account; every balance equals the sum of its
entries.

Stripe is the fake HTTP client of ``tests/stripe_fake.py``; the webhook is signed with
Stripe's algorithm.
"""

from __future__ import annotations

from sqlalchemy import select

from shop.extensions import db
from shop.ledger import services as ledger
from shop.ledger.models import ENTRY_FEE, ENTRY_PAYOUT, ENTRY_SALE, LedgerEntry, Payout
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order
from shop.payments.models import Payment, Refund
from tests.factories import MemberFactory, UserFactory, VariantFactory
from tests.stripe_fake import checkout_session_event, webhook_request

ADDRESS = {
    "recipient_name": "สมหญิง ใจดี", "phone": "0812345678", "address_line": "99/1 ถนนพระราม 1",
    "subdistrict": "ปทุมวัน", "district": "ปทุมวัน", "province_code": "10", "postcode": "10330",
}


def entries(enterprise_id: int) -> dict[str, int]:
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.enterprise_id == enterprise_id))
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.kind] = totals.get(row.kind, 0) + row.amount_satang
    return totals


def test_card_payment_for_two_enterprises_reaches_both_ledgers(app, client, auth, fake_stripe):
    # Given two enterprises (one with a Stripe Connect account) and a shopper.
    coffee_owner = MemberFactory(enterprise__stripe_account_id="acct_coffee_1", user__email="coffee@example.test")
    rice_owner = MemberFactory(user__email="rice@example.test")
    coffee = VariantFactory(product__enterprise=coffee_owner.enterprise, price_satang=18000, stock=10)
    rice = VariantFactory(product__enterprise=rice_owner.enterprise, price_satang=9500, stock=10)
    staff = UserFactory(email="staff@example.test", is_staff=True)
    UserFactory(email="shopper@example.test")
    coffee_id, rice_id = coffee_owner.enterprise_id, rice_owner.enterprise_id
    db.session.commit()

    # When the shopper checks out and chooses card (Stripe).
    auth.login("shopper@example.test")
    assert client.post("/cart/add", data={"variant_id": coffee.id, "quantity": 2}).status_code in (302, 303)
    assert client.post("/cart/add", data={"variant_id": rice.id, "quantity": 1}).status_code in (302, 303)
    response = client.post("/checkout", data={**ADDRESS, "payment_method": st.PAYMENT_STRIPE, "action": "place"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://")  # to Stripe Checkout
    order = db.session.scalar(select(Order))
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    session = fake_stripe.last("POST", "/v1/checkout/sessions")
    assert session.params["currency"] == "thb"
    assert session.params["client_reference_id"] == order.public_id
    assert session.params["metadata"] == {"order_id": order.public_id}

    # And Stripe reports the payment with a signed webhook.
    event = checkout_session_event("completed", payment.provider_ref, order, payment_intent="pi_journey_1")
    body, headers = webhook_request(event)
    assert client.post("/webhooks/stripe", data=body, headers=headers).status_code == 200

    # Then the order is paid and each ledger shows its share less the fee.
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_PAID
    parts = {f.enterprise_id: f for f in order.fulfilments}
    for enterprise_id, part in parts.items():
        fee = ledger.fee_for(part.enterprise, part.total_satang)
        assert fee == (part.total_satang * 500 + 5000) // 10000  # 5 % by default
        totals = entries(enterprise_id)
        assert totals[ENTRY_SALE] == part.total_satang
        assert totals[ENTRY_FEE] == -fee

    # And the Connect enterprise was paid by transfer, with a deterministic key.
    transfer = fake_stripe.last("POST", "/v1/transfers")
    coffee_part = parts[coffee_id]
    coffee_net = coffee_part.total_satang - ledger.fee_for(coffee_part.enterprise, coffee_part.total_satang)
    assert transfer.idempotency_key == f"transfer-{order.public_id}-{coffee_id}"
    assert transfer.params["destination"] == "acct_coffee_1"
    assert int(transfer.params["amount"]) == coffee_net
    assert ledger.balance(coffee_id) == 0
    assert entries(coffee_id)[ENTRY_PAYOUT] == -coffee_net

    # When the coffee enterprise refunds ฿100 of its part.
    auth.logout()
    auth.login("coffee@example.test")
    response = client.post(f"/seller/{coffee_id}/orders/{coffee_part.id}/refunds",
                           data={"amount": "100", "reason": "เมล็ดกาแฟแตกหนึ่งถุง"})
    assert response.status_code in (302, 303)
    refund_call = fake_stripe.last("POST", "/v1/refunds")
    assert int(refund_call.params["amount"]) == 10000
    db.session.expire_all()
    refund = db.session.scalar(select(Refund))
    assert refund_call.idempotency_key == refund.idempotency_key
    assert refund.status == "succeeded"
    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_PARTIALLY_REFUNDED and order.refunded_satang == 10000
    # The refund, less the fee given back, was taken back from the Connect account.
    reversal = fake_stripe.last("POST", f"/v1/transfers/{db.session.scalar(select(Payout.provider_ref))}/reversals")
    assert reversal is not None
    assert ledger.balance(coffee_id) == 0

    # And staff pay the rice enterprise through a payout batch.
    rice_part = db.session.get(Fulfilment, parts[rice_id].id)
    rice_net = rice_part.total_satang - ledger.fee_for(rice_part.enterprise, rice_part.total_satang)
    assert ledger.balance(rice_id) == rice_net
    staff = db.session.merge(staff)
    batch = ledger.open_payout_batch(staff)
    [payout] = batch.payouts
    assert (payout.enterprise_id, payout.amount_satang) == (rice_id, rice_net)
    ledger.record_batch_paid(batch, staff, {payout.id: "KTB 2026-12-01 0001"})
    assert ledger.balance(rice_id) == 0

    # Every balance equals the sum of its entries, and the entries match the orders.
    assert ledger.reconcile() == []


def test_staff_set_an_enterprise_fee_override_and_connect_account(app, client, auth):
    enterprise_id = MemberFactory().enterprise_id
    UserFactory(email="staff@example.test", is_staff=True)
    UserFactory(email="shopper@example.test")
    db.session.commit()
    url = f"/admin/enterprises/{enterprise_id}/payouts"

    auth.login("shopper@example.test")
    assert client.post(url, data={"fee_percent": "1"}).status_code == 403
    auth.logout()
    auth.login("staff@example.test")
    for bad in ({"fee_percent": "abc"}, {"fee_percent": "45"}, {"fee_percent": "-1"},
                {"fee_percent": "", "stripe_account_id": "not-an-account"}):
        response = client.post(url, data=bad)
        assert response.status_code == 422, bad
    db.session.expire_all()
    from shop.catalog.models import Enterprise

    enterprise = db.session.get(Enterprise, enterprise_id)
    assert (enterprise.platform_fee_bps, enterprise.stripe_account_id) == (None, None)  # nothing half-written
    assert ledger.fee_for(enterprise, 10000) == 500

    response = client.post(url, data={"fee_percent": "3.5", "stripe_account_id": "acct_1Test0001"})
    assert response.status_code in (302, 303)
    db.session.expire_all()
    enterprise = db.session.get(Enterprise, enterprise_id)
    assert (enterprise.platform_fee_bps, enterprise.stripe_account_id) == (350, "acct_1Test0001")
    assert ledger.fee_for(enterprise, 10000) == 350
    assert client.post("/admin/enterprises/999999/payouts", data={"fee_percent": "1"}).status_code == 404
