"""Ledger pages through HTTP: the enterprise's money page (members only; another
enterprise's → 404), the back office's ledger, CSV exports, the batch-paid flow with
bad input, and Connect transfers through the real Stripe provider and the fake HTTP
client (idempotency key per order × enterprise, destination, retry after a failure).
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger import services
from shop.ledger.models import PAYOUT_FAILED, PAYOUT_PAID, LedgerEntry, Payout, PayoutBatch
from shop.orders import status as st
from shop.payments.models import REFUND_SUCCEEDED
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order, refund_part


def csrf_free(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def two_enterprise_order(app):
    """A paid order: coffee (฿240 + ฿50 shipping) and rice (฿120 + ฿50), with entries."""
    coffee = VariantFactory(product__name_th="กาแฟคั่วโอ่ง", price_satang=12000, stock=20)
    rice = VariantFactory(product__name_th="ข้าวหอมมะลิ", price_satang=12000, stock=20)
    order = make_order([(coffee, 2), (rice, 1)], paid=True)
    services.apply_sale_entries(order)
    db.session.commit()
    return order


def enterprise_of(order, index):
    return order.fulfilments[index].enterprise


# ---------------------------------------------------------------- access


def test_member_sees_balance_entries_and_payouts(app, client, two_enterprise_order, sign_in):
    coffee = enterprise_of(two_enterprise_order, 0)
    member = MemberFactory(enterprise=coffee)
    sign_in(member.user)
    response = client.get(f"/seller/{coffee.id}/money")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "฿275.50" in page  # 29000 − 5% (1450)
    assert "฿290" in page
    assert two_enterprise_order.public_id in page


@pytest.mark.parametrize("who", ["guest", "other_member", "shopper"])
def test_another_enterprise_money_page_is_404(app, client, two_enterprise_order, who, sign_in):
    coffee = enterprise_of(two_enterprise_order, 0)
    if who == "guest":
        response = client.get(f"/seller/{coffee.id}/money")
        assert response.status_code in (302, 303, 401)
        return
    user = MemberFactory(enterprise=enterprise_of(two_enterprise_order, 1)).user if who == "other_member" \
        else UserFactory()
    sign_in(user)
    assert client.get(f"/seller/{coffee.id}/money").status_code == 404
    assert client.get("/seller/999999/money").status_code == 404


@pytest.mark.parametrize("path", ["/admin/ledger", "/admin/ledger/entries.csv", "/admin/ledger/payouts.csv",
                                  "/admin/payouts/batches/1"])
def test_back_office_ledger_is_staff_only(app, client, path, sign_in):
    member = MemberFactory()
    sign_in(member.user)
    assert client.get(path).status_code == 403
    csrf_free(app)
    assert client.post("/admin/payouts/batches").status_code == 403
    assert client.post("/admin/payouts/1/retry").status_code == 403


def test_admin_ledger_and_csv_exports(app, client, two_enterprise_order, sign_in):
    staff = UserFactory(is_staff=True)
    coffee = enterprise_of(two_enterprise_order, 0)
    coffee.name_th = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    sign_in(staff)
    page = client.get("/admin/ledger")
    assert page.status_code == 200
    assert "฿275.50" in page.get_data(as_text=True)
    entries = client.get("/admin/ledger/entries.csv")
    assert entries.status_code == 200
    assert entries.headers["Content-Type"].startswith("text/csv")
    text = entries.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["kind"], r["amount_satang"]) for r in rows if r["enterprise_id"] == str(coffee.id)] == [
        ("sale", "29000"), ("fee", "-1450")]
    fee_row = next(r for r in rows if r["kind"] == "fee" and r["enterprise_id"] == str(coffee.id))
    assert fee_row["amount_baht"] == "-14.50"  # a signed number, not guarded as a formula
    assert fee_row["enterprise"].startswith("'=")  # text that looks like a formula is guarded
    payouts = client.get("/admin/ledger/payouts.csv")
    assert payouts.status_code == 200
    assert payouts.get_data(as_text=True).lstrip("\ufeff").startswith("id,created_at")


# ---------------------------------------------------------------- batches


def test_batch_paid_flow(app, client, two_enterprise_order, sign_in):
    csrf_free(app)
    staff = UserFactory(is_staff=True)
    sign_in(staff)
    response = client.post("/admin/payouts/batches")
    assert response.status_code == 303
    batch = db.session.scalar(select(PayoutBatch))
    assert response.headers["Location"].endswith(f"/admin/payouts/batches/{batch.id}")
    assert {p.amount_satang for p in batch.payouts} == {27550, 16150}
    page = client.get(f"/admin/payouts/batches/{batch.id}")
    assert page.status_code == 200
    # A second batch now has nothing to pay: a message, not a second payout.
    again = client.post("/admin/payouts/batches", follow_redirects=True)
    assert again.status_code == 200
    assert db.session.scalar(select(func.count(Payout.id))) == 2
    first, second = batch.payouts
    # A missing reference: 422, the message, nothing written.
    bad = client.post(f"/admin/payouts/batches/{batch.id}/paid", data={f"reference-{first.id}": "KBANK-1"})
    assert bad.status_code == 422
    assert f'id="reference-{second.id}-error"' in bad.get_data(as_text=True)
    assert 'value="KBANK-1"' in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "payout")) == 0
    too_long = client.post(f"/admin/payouts/batches/{batch.id}/paid",
                           data={f"reference-{first.id}": "x" * 500, f"reference-{second.id}": "ok"})
    assert too_long.status_code == 422
    ok = client.post(f"/admin/payouts/batches/{batch.id}/paid",
                     data={f"reference-{first.id}": "KBANK-1", f"reference-{second.id}": "PP-2"})
    assert ok.status_code == 303
    db.session.expire_all()
    assert db.session.get(PayoutBatch, batch.id).status == "paid"
    for order_part in two_enterprise_order.fulfilments:
        assert services.balance(order_part.enterprise_id) == 0
    twice = client.post(f"/admin/payouts/batches/{batch.id}/paid",
                        data={f"reference-{first.id}": "KBANK-1", f"reference-{second.id}": "PP-2"})
    assert twice.status_code == 409
    assert services.reconcile() == []
    # The enterprise sees its payout and reference.
    member = MemberFactory(enterprise=enterprise_of(two_enterprise_order, 0))
    sign_in(member.user)
    page = client.get(f"/seller/{member.enterprise_id}/money").get_data(as_text=True)
    assert "KBANK-1" in page or "PP-2" in page


def test_unknown_batch_is_404(app, client, sign_in):
    sign_in(UserFactory(is_staff=True))
    assert client.get("/admin/payouts/batches/4242").status_code == 404
    csrf_free(app)
    assert client.post("/admin/payouts/batches/4242/paid").status_code == 404
    assert client.post("/admin/payouts/4242/retry").status_code == 404


# ---------------------------------------------------------------- Stripe Connect


@pytest.fixture
def connected_shop(app, fake_stripe):  # noqa: F811
    """Lines from a Stripe-connected enterprise and from one paid in batches."""
    coffee = EnterpriseFactory(stripe_account_id="acct_1CoffeeMaeJaem")
    rice = EnterpriseFactory()  # no connected account: paid in batches
    lines = [(VariantFactory(product__enterprise=coffee, price_satang=20000, stock=5), 1),
             (VariantFactory(product__enterprise=rice, price_satang=10000, stock=5), 1)]
    return lines, coffee, rice


@pytest.fixture
def connected_order(connected_shop):
    """Paid by card through Stripe: the webhook sends coffee its Connect transfer."""
    lines, coffee, rice = connected_shop
    return make_order(lines, paid=True, payment_method=st.PAYMENT_STRIPE), coffee, rice


def test_connect_transfer_has_deterministic_key_and_destination(app, fake_stripe, connected_order):  # noqa: F811
    order, coffee, rice = connected_order
    services.create_connect_payouts(order)
    services.create_connect_payouts(order)  # the payment confirmed twice: one transfer
    transfers = fake_stripe.calls("POST", "/v1/transfers")
    assert len(transfers) == 1
    request = transfers[0]
    assert request.idempotency_key == f"transfer-{order.public_id}-{coffee.id}"
    assert request.params["destination"] == "acct_1CoffeeMaeJaem"
    assert request.params["amount"] == "23750"  # (200 + 50 shipping) − 5 %
    assert request.params["currency"] == "thb"
    assert request.params["transfer_group"] == order.public_id
    payout = db.session.scalar(select(Payout).where(Payout.enterprise_id == coffee.id))
    assert payout.status == PAYOUT_PAID and payout.provider_ref.startswith("tr_")
    assert services.balance(coffee.id) == 0
    assert services.balance(rice.id) == 14250
    assert services.reconcile() == []


def test_failed_transfer_retried_from_the_back_office_with_the_same_key(app, client, fake_stripe,  # noqa: F811
                                                                       connected_shop, sign_in):
    lines, coffee, _rice = connected_shop
    fake_stripe.timeout_once("/v1/transfers", processed=True)  # Stripe did it; the answer was lost
    order = make_order(lines, paid=True, payment_method=st.PAYMENT_STRIPE)
    payout = services.connect_payout_for(next(f for f in order.fulfilments if f.enterprise_id == coffee.id))
    assert payout.status == PAYOUT_FAILED
    csrf_free(app)
    sign_in(UserFactory(is_staff=True))
    page = client.get("/admin/ledger").get_data(as_text=True)
    assert f"/admin/payouts/{payout.id}/retry" in page
    response = client.post(f"/admin/payouts/{payout.id}/retry")
    assert response.status_code == 303
    db.session.expire_all()
    payout = db.session.get(Payout, payout.id)
    assert payout.status == PAYOUT_PAID
    keys = [r.idempotency_key for r in fake_stripe.calls("POST", "/v1/transfers")]
    assert keys == [f"transfer-{order.public_id}-{coffee.id}"] * 2
    assert len(fake_stripe.transfers) == 1  # Stripe made one transfer
    again = client.post(f"/admin/payouts/{payout.id}/retry", follow_redirects=True)
    assert again.status_code == 200  # "already paid" shown as a message
    assert services.reconcile() == []


def test_refund_after_transfer_is_clawed_back_through_a_reversal(app, fake_stripe, connected_order):  # noqa: F811
    order, coffee, _rice = connected_order
    services.create_connect_payouts(order)  # sent when paid; again: nothing more
    part = next(f for f in order.fulfilments if f.enterprise_id == coffee.id)
    fake_stripe.fail_once("/v1/transfers/")  # the refund's own reversal does not get through
    refund = refund_part(part, 5000, reason="broken jar")
    assert refund.status == REFUND_SUCCEEDED
    assert refund.idempotency_key == f"refund-{order.public_id}-{part.id}-1"
    assert services.balance(coffee.id) == -4750
    assert services.claw_back(refund) == 4750
    reversal = fake_stripe.last("POST", "/v1/transfers/")
    assert reversal.path.endswith("/reversals")
    assert reversal.idempotency_key == f"reversal-{refund.idempotency_key}"
    assert reversal.params["amount"] == "4750"
    assert services.balance(coffee.id) == 0
    assert services.reconcile() == []
