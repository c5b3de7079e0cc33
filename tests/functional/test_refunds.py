"""Refunds through the pages and the services (issue 6; docs/product.md: Payment).

Given a paid order, an enterprise member (or staff) refunds the buyer for that
enterprise's part, in full or in part. Bad amounts (zero, negative, not a number, more
than is left) get a clear 422 and write nothing; another enterprise's part is 404; an
unpaid order is 409. Orders paid by slip are refunded "manually": the refund stays
pending until staff record the transfer. Orders paid through Stripe are refunded
through the fake Stripe with a deterministic idempotency key: a timeout leaves the
refund pending and the retry sends the same key; a refusal fails it and the retry
sends the next attempt's key. The order moves paid → partially_refunded → refunded.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

import shop.models  # noqa: F401  (every model first)
from shop.extensions import db
from shop.ledger.models import LedgerEntry
from shop.notifications.models import OutboxMessage
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order, StatusChange
from shop.payments import refunds
from shop.payments.models import (
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    Payment,
    Refund,
)
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order, pay_by_stripe

# --------------------------------------------------------------------------- helpers


def part_of(order: Order, enterprise) -> Fulfilment:
    return next(f for f in order.fulfilments if f.enterprise_id == enterprise.id)


def seller_url(enterprise, fulfilment) -> str:
    return f"/seller/{enterprise.id}/orders/{fulfilment.id}/refunds"


def admin_url(order, fulfilment) -> str:
    return f"/admin/orders/{order.public_id}/fulfilments/{fulfilment.id}/refunds"


def refunds_of(order) -> list[Refund]:
    db.session.expire_all()
    return list(db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)))


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def entries(refund) -> dict[str, int]:
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.refund_id == refund.id))
    return {row.entry_key: row.amount_satang for row in rows}


def paid_by_stripe(coffee, rice, *, method: str = "card") -> tuple[Order, Payment]:
    """The ``order`` fixture's goods bought with Stripe Checkout, paid by its webhook."""
    order = make_order([(coffee[2], 2), (rice[2], 1)], payment_method=st.PAYMENT_STRIPE)
    return order, pay_by_stripe(order, method=method)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def coffee(app):
    enterprise = EnterpriseFactory(name_th="วิสาหกิจชุมชนกาแฟดอยช้าง", name_en="Doi Chang Coffee")
    member = MemberFactory(enterprise=enterprise, user__email="coffee@example.test").user
    return enterprise, member, VariantFactory(product__enterprise=enterprise, stock=10, price_satang=20000)


@pytest.fixture
def rice(app):
    enterprise = EnterpriseFactory(name_th="วิสาหกิจชุมชนข้าวหอมมะลิ")
    member = MemberFactory(enterprise=enterprise, user__email="rice@example.test").user
    return enterprise, member, VariantFactory(product__enterprise=enterprise, stock=10, price_satang=25050)


@pytest.fixture
def staff(app):
    return UserFactory(is_staff=True, email="staff@example.test", display_name="Khun Staff")


@pytest.fixture
def order(app, coffee, rice):
    """Paid by slip: coffee ฿400 + ฿50 shipping = ฿450; rice ฿250.50 + ฿50 = ฿300.50."""
    return make_order([(coffee[2], 2), (rice[2], 1)], paid=True)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("amount, message", [
    ("0", "more than zero"),
    ("0.00", "more than zero"),
    ("-10", "more than zero"),
    ("abc", "Enter the amount in baht"),
    ("12.345", "Enter the amount in baht"),
    ("1e3", "Enter the amount in baht"),
    ("", "Enter the amount to refund"),
    ("450.01", "at most ฿450"),
    ("99999999999", "at most ฿450"),
])
def test_bad_amounts_are_refused_and_nothing_is_written(app, order, coffee, amount, message, sign_in):
    enterprise, member, _variant = coffee
    client = sign_in(member, client=app.test_client())
    response = client.post(seller_url(enterprise, part_of(order, enterprise)) + "?lang=en",
                           data={"amount": amount, "reason": "Damaged in transit"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert refunds_of(order) == []
    assert fresh(order).status == st.ORDER_PAID


def test_a_reason_is_required(app, order, coffee, sign_in):
    enterprise, member, _variant = coffee
    response = sign_in(member, client=app.test_client()).post(seller_url(enterprise, part_of(order, enterprise)) + "?lang=en",
                                       data={"amount": "10", "reason": "   "})
    assert response.status_code == 422
    assert "Please give a reason" in response.get_data(as_text=True)
    assert refunds_of(order) == []


def test_error_message_in_thai(app, order, coffee, sign_in):
    enterprise, member, _variant = coffee
    response = sign_in(member, client=app.test_client()).post(seller_url(enterprise, part_of(order, enterprise)) + "?lang=th",
                                       data={"amount": "0", "reason": "ของเสียหาย"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The amount to refund must be more than zero." not in html
    assert "ของเสียหาย" in html  # the form keeps what was typed


def test_another_enterprises_part_is_404(app, order, coffee, rice, sign_in):
    coffee_enterprise, coffee_member, _ = coffee
    rice_enterprise, _rice_member, _ = rice
    client = sign_in(coffee_member, client=app.test_client())
    rice_part = part_of(order, rice_enterprise)
    # Through its own enterprise's URL, and through the other enterprise's.
    assert client.post(seller_url(coffee_enterprise, rice_part), data={"amount": "10", "reason": "x"}).status_code == 404
    assert client.post(seller_url(rice_enterprise, rice_part), data={"amount": "10", "reason": "x"}).status_code == 404
    assert client.get(seller_url(rice_enterprise, rice_part)).status_code == 404
    assert refunds_of(order) == []


def test_shoppers_cannot_use_the_admin_routes(app, order, coffee, sign_in):
    enterprise, member, _ = coffee
    client = sign_in(member, client=app.test_client())
    fulfilment = part_of(order, enterprise)
    assert client.post(admin_url(order, fulfilment), data={"amount": "10", "reason": "x"}).status_code == 403
    assert client.get("/admin/refunds").status_code == 403
    assert refunds_of(order) == []


def test_unpaid_order_is_409(app, coffee, sign_in):
    enterprise, member, variant = coffee
    unpaid = make_order([(variant, 1)])
    response = sign_in(member, client=app.test_client()).post(seller_url(enterprise, unpaid.fulfilments[0]) + "?lang=en",
                                       data={"amount": "10", "reason": "Changed mind"})
    assert response.status_code == 409
    assert "has not paid" in response.get_data(as_text=True)
    assert refunds_of(unpaid) == []


# --------------------------------------------------------------------------- manual (slip) refunds


def test_manual_refunds_two_partial_then_the_rest(app, order, coffee, rice, staff, sign_in):
    enterprise, member, _ = coffee
    fulfilment = part_of(order, enterprise)
    seller = sign_in(member, client=app.test_client())
    admin = sign_in(staff, client=app.test_client())

    # Given a first partial refund asked by the enterprise,
    response = seller.post(seller_url(enterprise, fulfilment), data={"amount": "100", "reason": "One bag torn"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/seller/{enterprise.id}/orders/{fulfilment.id}")
    [first] = refunds_of(order)
    assert (first.provider, first.status, first.amount_satang) == ("manual", REFUND_PENDING, 10000)
    assert first.idempotency_key == f"refund-{order.public_id}-{fulfilment.id}-1"
    assert first.requested_role == st.ROLE_SELLER
    # pending: nothing moved yet, but the amount is no longer available
    assert fresh(order).status == st.ORDER_PAID
    assert refunds.refundable_satang(fresh(fulfilment)) == 35000
    page = seller.get(f"/seller/{enterprise.id}/orders/{fulfilment.id}/refunds?lang=en").get_data(as_text=True)
    assert "the marketplace pays this back" in page

    # staff see it in the queue and record the transfer,
    queue = admin.get("/admin/refunds?lang=en").get_data(as_text=True)
    assert order.public_id in queue and "To pay back by transfer" in queue
    assert admin.post(f"/admin/refunds/{first.id}/paid", data={"reference": ""}).status_code == 422
    assert fresh(first).status == REFUND_PENDING
    response = admin.post(f"/admin/refunds/{first.id}/paid", data={"reference": "KBANK 240612-0001"})
    assert response.status_code == 303
    first = fresh(first)
    assert first.status == REFUND_SUCCEEDED and first.provider_ref == "KBANK 240612-0001"
    order_now = fresh(order)
    assert order_now.status == st.ORDER_PARTIALLY_REFUNDED
    assert order_now.refunded_satang == 10000 and fresh(fulfilment).refunded_satang == 10000
    assert entries(first)[f"refund:r{first.id}"] == -10000
    [mail] = mails("order_refunded")
    assert mail.to_address == order.email and order.public_id in mail.subject
    # recording it again changes nothing
    assert admin.post(f"/admin/refunds/{first.id}/paid", data={"reference": "again"}).status_code == 409
    assert len(mails("order_refunded")) == 1

    # then a second partial one, by staff,
    response = admin.post(admin_url(order, fulfilment), data={"amount": "50.50", "reason": "Late delivery"})
    assert response.status_code == 303
    second = refunds_of(order)[-1]
    assert second.idempotency_key == f"refund-{order.public_id}-{fulfilment.id}-2"
    assert second.requested_role == st.ROLE_STAFF
    admin.post(f"/admin/refunds/{second.id}/paid", data={"reference": "KBANK 2"})
    assert fresh(order).status == st.ORDER_PARTIALLY_REFUNDED

    # more than what is left is refused; exactly what is left goes through.
    left = refunds.refundable_satang(fresh(fulfilment))
    assert left == 45000 - 10000 - 5050
    over = seller.post(seller_url(enterprise, fulfilment), data={"amount": "299.51", "reason": "All of it"})
    assert over.status_code == 422
    seller.post(seller_url(enterprise, fulfilment), data={"amount": "299.50", "reason": "All of it"})
    third = refunds_of(order)[-1]
    admin.post(f"/admin/refunds/{third.id}/paid", data={"reference": "KBANK 3"})
    assert fresh(fulfilment).refunded_satang == 45000
    # coffee's part is all refunded, rice's is not: the order is partly refunded.
    assert fresh(order).status == st.ORDER_PARTIALLY_REFUNDED
    nothing_left = seller.post(seller_url(enterprise, fulfilment) + "?lang=en", data={"amount": "1", "reason": "x"})
    assert nothing_left.status_code == 409

    # the rice enterprise refunds its whole part: now the order is refunded.
    rice_enterprise, rice_member, _ = rice
    rice_part = part_of(order, rice_enterprise)
    sign_in(rice_member, client=app.test_client()).post(seller_url(rice_enterprise, rice_part), data={"amount": "300.50", "reason": "Out of rice"})
    last = refunds_of(order)[-1]
    admin.post(f"/admin/refunds/{last.id}/paid", data={"reference": "KBANK 4"})
    order_now = fresh(order)
    assert order_now.status == st.ORDER_REFUNDED
    assert order_now.refunded_satang == order_now.total_satang == 75050
    steps = [c.to_status for c in db.session.scalars(
        select(StatusChange).where(StatusChange.order_id == order.id, StatusChange.machine == st.ORDER)
        .order_by(StatusChange.id))]
    assert steps[-5:] == [st.ORDER_PAID] + [st.ORDER_PARTIALLY_REFUNDED] * 3 + [st.ORDER_REFUNDED]
    assert len(mails("order_refunded")) == 4


def test_refund_of_a_cancelled_paid_part_pays_what_was_owed(app, order, coffee, staff):
    from shop.orders.services import cancel_fulfilment

    enterprise, member, _ = coffee
    fulfilment = part_of(order, enterprise)
    cancel_fulfilment(fulfilment, actor=member, role=st.ROLE_SELLER, reason="Harvest failed")
    assert fresh(fulfilment).refunded_satang == 45000  # owed back
    assert fresh(order).refunded_satang == 45000
    refund = refunds.request_refund(fresh(fulfilment), 45000, actor=member, role=st.ROLE_SELLER,
                                    reason="Harvest failed")
    refunds.record_manual_refund_paid(refund, actor=staff, reference="SCB 1")
    # the debt was paid, not counted twice
    assert fresh(fulfilment).refunded_satang == 45000
    assert fresh(order).refunded_satang == 45000
    assert fresh(order).status == st.ORDER_PARTIALLY_REFUNDED


def test_apply_refund_succeeded_is_idempotent(app, order, coffee, staff):
    enterprise, member, _ = coffee
    refund = refunds.request_refund(part_of(order, enterprise), 5000, actor=member, role=st.ROLE_SELLER,
                                    reason="Missing item")
    assert refunds.apply_refund_succeeded(refund, provider_ref="ref-1", actor=staff, role=st.ROLE_STAFF)
    db.session.commit()
    assert not refunds.apply_refund_succeeded(refund, provider_ref="ref-1")
    db.session.commit()
    assert fresh(order).refunded_satang == 5000
    assert len(mails("order_refunded")) == 1
    assert list(entries(refund)) == [f"refund:r{refund.id}", f"fee_refund:r{refund.id}"] or \
        list(entries(refund)) == [f"refund:r{refund.id}"]


def test_seller_refund_page_renders_in_thai(app, order, coffee, sign_in):
    enterprise, member, _ = coffee
    html = sign_in(member, client=app.test_client()).get(seller_url(enterprise, part_of(order, enterprise)) + "?lang=th").get_data(as_text=True)
    assert "Refund the buyer" not in html
    assert 'name="amount"' in html and "450" in html


# --------------------------------------------------------------------------- Stripe refunds


def test_card_refund_through_stripe_with_a_deterministic_key(app, coffee, rice, fake_stripe, sign_in):  # noqa: F811
    enterprise, member, _ = coffee
    order, payment = paid_by_stripe(coffee, rice)
    fulfilment = part_of(order, enterprise)
    response = sign_in(member, client=app.test_client()).post(seller_url(enterprise, fulfilment), data={"amount": "120", "reason": "Broken"})
    assert response.status_code == 303
    [refund] = refunds_of(order)
    assert refund.provider == "stripe" and refund.status == REFUND_SUCCEEDED
    assert refund.provider_ref.startswith("re_") and refund.payment_id == payment.id
    request = fake_stripe.last("POST", "/v1/refunds")
    assert request.idempotency_key == f"refund-{order.public_id}-{fulfilment.id}-1"
    assert int(request.params["amount"]) == 12000
    assert request.params["payment_intent"] == payment.payment_intent_ref
    assert fresh(order).status == st.ORDER_PARTIALLY_REFUNDED
    assert fresh(fulfilment).refunded_satang == 12000
    assert len(mails("order_refunded")) == 1


@pytest.mark.parametrize("processed", [False, True])
def test_timeout_leaves_it_pending_and_the_retry_sends_the_same_key(app, coffee, rice, staff, fake_stripe,  # noqa: F811
                                                                     processed, sign_in):
    enterprise, member, _ = coffee
    order, _payment = paid_by_stripe(coffee, rice)
    fulfilment = part_of(order, enterprise)
    fake_stripe.timeout_once("/v1/refunds", processed=processed)
    response = sign_in(member, client=app.test_client()).post(seller_url(enterprise, fulfilment), data={"amount": "450", "reason": "Lost"})
    assert response.status_code == 303
    [refund] = refunds_of(order)
    assert refund.status == REFUND_PENDING and refund.provider_ref is None
    assert fresh(order).status == st.ORDER_PAID
    # the amount is held: nothing more can be refunded meanwhile
    assert refunds.refundable_satang(fresh(fulfilment)) == 0

    admin = sign_in(staff, client=app.test_client())
    assert "Stripe refunds to retry" in admin.get("/admin/refunds?lang=en").get_data(as_text=True)
    assert admin.post(f"/admin/refunds/{refund.id}/retry").status_code == 303
    sent = fake_stripe.calls("POST", "/v1/refunds")
    assert len(sent) == 2
    assert sent[0].idempotency_key == sent[1].idempotency_key == f"refund-{order.public_id}-{fulfilment.id}-1"
    assert len(fake_stripe.refunds) == 1  # Stripe refunded once
    refund = fresh(refund)
    assert refund.status == REFUND_SUCCEEDED
    assert fresh(fulfilment).refunded_satang == 45000
    assert fresh(order).status == st.ORDER_PARTIALLY_REFUNDED
    # retrying a refund that succeeded is refused
    assert admin.post(f"/admin/refunds/{refund.id}/retry").status_code == 409
    assert len(fake_stripe.calls("POST", "/v1/refunds")) == 2


def test_refused_refund_fails_and_the_retry_uses_the_next_attempts_key(app, coffee, rice, staff, fake_stripe,  # noqa: F811
                                                                       sign_in):
    enterprise, member, _ = coffee
    order, _payment = paid_by_stripe(coffee, rice)
    fulfilment = part_of(order, enterprise)
    fake_stripe.fail_once("/v1/refunds", status=400, error_type="invalid_request_error",
                          message="Charge has been disputed.", code="charge_disputed")
    sign_in(member, client=app.test_client()).post(seller_url(enterprise, fulfilment), data={"amount": "100", "reason": "Broken"})
    [refund] = refunds_of(order)
    assert refund.status == REFUND_FAILED and "charge_disputed" in refund.failure_reason
    assert refunds.refundable_satang(fresh(fulfilment)) == 45000  # a failed refund holds nothing
    admin = sign_in(staff, client=app.test_client())
    assert admin.post(f"/admin/refunds/{refund.id}/retry").status_code == 303
    keys = [r.idempotency_key for r in fake_stripe.calls("POST", "/v1/refunds")]
    base = f"refund-{order.public_id}-{fulfilment.id}-1"
    assert keys == [base, f"{base}-2"]
    assert fresh(refund).status == REFUND_SUCCEEDED
    assert fresh(order).status == st.ORDER_PARTIALLY_REFUNDED


def test_server_error_is_treated_like_a_timeout(app, coffee, rice, fake_stripe):  # noqa: F811
    enterprise, member, _ = coffee
    order, _payment = paid_by_stripe(coffee, rice)
    fake_stripe.fail_once("/v1/refunds", status=500)
    refund = refunds.request_refund(part_of(order, enterprise), 1000, actor=member, role=st.ROLE_SELLER,
                                    reason="Broken")
    assert fresh(refund).status == REFUND_PENDING
    refund = refunds.retry_refund(fresh(refund), actor=member, role=st.ROLE_SELLER)
    assert refund.status == REFUND_SUCCEEDED
    keys = {r.idempotency_key for r in fake_stripe.calls("POST", "/v1/refunds")}
    assert len(keys) == 1


def test_promptpay_refund_stays_pending_until_stripe_confirms(app, coffee, rice, fake_stripe, sign_in):  # noqa: F811
    enterprise, member, _ = coffee
    order, _payment = paid_by_stripe(coffee, rice, method="promptpay")
    fake_stripe.refund_status = "pending"
    client = sign_in(member, client=app.test_client())
    fulfilment = part_of(order, enterprise)
    client.post(seller_url(enterprise, fulfilment), data={"amount": "450", "reason": "Out of stock"})
    [refund] = refunds_of(order)
    assert refund.status == REFUND_PENDING and refund.provider_ref.startswith("re_")
    page = client.get(seller_url(enterprise, fulfilment) + "?lang=en").get_data(as_text=True)
    assert "PromptPay refunds take a few days" in page
    assert fresh(order).status == st.ORDER_PAID
    assert mails("order_refunded") == []
    # charge.refunded arrives (the webhook handler calls this and commits)
    assert refunds.apply_refund_succeeded(refund, provider_ref=refund.provider_ref)
    db.session.commit()
    assert fresh(refund).status == REFUND_SUCCEEDED
    assert fresh(order).status == st.ORDER_PARTIALLY_REFUNDED
    assert len(mails("order_refunded")) == 1


def test_recording_stripes_answer_that_fails_midway_keeps_only_the_pending_row(app, coffee, rice, staff, fake_stripe,
                                                                               monkeypatch):
    """The pending row is committed before Stripe is called; recording the answer is a
    transaction of its own, so when it breaks halfway (the ledger, here) none of it
    stays: no refunded amount, no status change, no e-mail. The retry sends the same
    key and Stripe refunds once."""
    enterprise, member, _ = coffee
    order, _payment = paid_by_stripe(coffee, rice)
    fulfilment = part_of(order, enterprise)
    # The ledger books a succeeded refund through the refunds' hook (shop/hooks.py).
    handlers = app.extensions["chumchon_hooks"]
    real_handlers = list(handlers[refunds.refund_succeeded.name])

    def broken_entries(refund):
        for handler in real_handlers:
            handler(refund)
        raise RuntimeError("ledger unavailable")

    monkeypatch.setitem(handlers, refunds.refund_succeeded.name, [broken_entries])
    with pytest.raises(RuntimeError):
        refunds.request_refund(fulfilment, 12000, actor=member, role=st.ROLE_SELLER, reason="Broken")
    db.session.rollback()
    [refund] = refunds_of(order)
    assert refund.status == REFUND_PENDING and refund.provider_ref is None
    assert fresh(fulfilment).refunded_satang == 0
    assert fresh(order).status == st.ORDER_PAID and fresh(order).refunded_satang == 0
    assert entries(refund) == {} and mails("order_refunded") == []

    monkeypatch.setitem(handlers, refunds.refund_succeeded.name, real_handlers)
    refund = refunds.retry_refund(refund, actor=staff)
    assert refund.status == REFUND_SUCCEEDED
    assert {r.idempotency_key for r in fake_stripe.calls("POST", "/v1/refunds")} == {refund.idempotency_key}
    assert len(fake_stripe.refunds) == 1
    assert fresh(order).status == st.ORDER_PARTIALLY_REFUNDED and len(mails("order_refunded")) == 1


def test_the_refund_panel_and_staff_lists_ask_the_providers_capability(app, coffee, rice, staff, fake_stripe,
                                                                       monkeypatch):
    """Whether a refund goes back through the provider is its ``refunds_through_provider``
    capability, not the name "stripe"."""
    from shop.payments.providers import ProviderCapabilities
    from shop.payments.providers.stripe import StripeProvider

    enterprise, member, _ = coffee
    order, _payment = paid_by_stripe(coffee, rice)
    fulfilment = part_of(order, enterprise)
    fake_stripe.fail_once("/v1/refunds", status=400, error_type="invalid_request_error", code="charge_disputed")
    refund = refunds.request_refund(fulfilment, 1000, actor=member, role=st.ROLE_SELLER, reason="Broken")
    assert refund.status == REFUND_FAILED
    assert refunds.refund_panel(fresh(fulfilment), None).through_provider
    assert [r.id for r in refunds.waiting_refunds().failed] == [refund.id]

    monkeypatch.setattr(StripeProvider, "capabilities", ProviderCapabilities(hosted_checkout=True))
    assert [r.id for r in refunds.waiting_refunds().failed] == []
    panel = refunds.refund_panel(fresh(fulfilment), None)
    assert panel.provider == refunds.PROVIDER_MANUAL and not panel.through_provider
    manual = refunds.request_refund(fulfilment, 1000, actor=member, role=st.ROLE_SELLER, reason="Broken")
    assert manual.provider == refunds.PROVIDER_MANUAL and manual.status == REFUND_PENDING
    assert [r.id for r in refunds.waiting_refunds().manual] == [manual.id]
    assert len(fake_stripe.calls("POST", "/v1/refunds")) == 1


def test_two_refunds_at_once_cannot_both_take_the_last_baht(app, order, coffee, staff, sign_in):
    import threading

    enterprise, member, _ = coffee
    fulfilment = part_of(order, enterprise)
    clients = [sign_in(member, client=app.test_client()), sign_in(staff, client=app.test_client())]
    urls = [seller_url(enterprise, fulfilment), admin_url(order, fulfilment)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def ask(client, url):
        with app.app_context():
            barrier.wait()
            statuses.append(client.post(url, data={"amount": "300", "reason": "Both at once"}).status_code)

    db.session.commit()  # the test's own transaction must not hold SQLite's write lock
    threads = [threading.Thread(target=ask, args=pair) for pair in zip(clients, urls, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [303, 422]
    [refund] = refunds_of(order)
    assert refund.amount_satang == 30000
    assert refund.idempotency_key == f"refund-{order.public_id}-{fulfilment.id}-1"
