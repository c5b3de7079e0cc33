"""Order e-mails go through the outbox in the same transaction as the change that
causes them: queued with it, gone with its rollback, never queued when the change is
refused, and sent once each by ``flask outbox send``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.notifications.models import OutboxJob, OutboxMessage
from shop.notifications.services import SendReport, run_pending_jobs
from shop.orders import services
from shop.orders import status as st
from shop.orders.models import Order
from tests.factories import EnterpriseFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order


@pytest.fixture
def setup(app):
    enterprise = EnterpriseFactory(name_th="วิสาหกิจชุมชนข้าวหอม", name_en="Jasmine Rice Group")
    variant = VariantFactory(product=ProductFactory(enterprise=enterprise, name_th="ข้าวหอมมะลิ",
                                                    name_en="Jasmine rice"), stock=10)
    owner = MemberFactory(enterprise=enterprise, user=UserFactory(locale="en")).user
    staff = UserFactory(is_staff=True)
    return {"variant": variant, "owner": owner, "staff": staff}


def _outbox(kind: str | None = None) -> list[OutboxMessage]:
    """The messages queued, once the sender has run the due jobs ("order placed" is
    a job: the sender renders it)."""
    run_pending_jobs(SendReport())
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def _count() -> int:
    """Messages and jobs queued (without running the jobs: nothing is committed here)."""
    return (db.session.scalar(select(func.count(OutboxMessage.id)))
            + db.session.scalar(select(func.count(OutboxJob.id))))


# ---------------------------------------------------------------- same transaction


@pytest.mark.parametrize("change", ["placed", "paid", "cancel", "slip_rejected"])
def test_apply_functions_queue_in_the_callers_transaction(setup, change):
    order = make_order([(setup["variant"], 1)])
    queued = _count()  # checkout's own "order placed"
    if change == "placed":
        services.apply_order_placed_emails(order)
    elif change == "paid":
        services.apply_paid(order, actor=setup["staff"], role=st.ROLE_STAFF)
    elif change == "cancel":
        services.apply_cancel_order(order, actor=None, role=st.ROLE_BUYER, reason=None)
    else:
        services.apply_slip_rejected_email(order, "the amount is wrong")
    assert _count() > queued, "queued in the caller's transaction"

    db.session.rollback()  # the caller's change fails after all

    assert _count() == queued
    assert db.session.get(Order, order.id).status == st.ORDER_PENDING_PAYMENT


def test_a_failure_after_queueing_leaves_neither_the_change_nor_the_mail(setup, monkeypatch):
    order = make_order([(setup["variant"], 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED)
    queued = _count()
    real = services.queue_email
    calls = []

    def queue_then_fail(**kwargs):
        calls.append(kwargs["kind"])
        real(**kwargs)
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(services, "queue_email", queue_then_fail)
    with pytest.raises(RuntimeError):
        services.ship_fulfilment(order.fulfilments[0], actor=setup["owner"], role=st.ROLE_SELLER,
                                 carrier="kerry", tracking_number="KEX0001")
    assert calls == ["order_shipped"]
    assert _count() == queued
    db.session.expire_all()
    assert db.session.get(Order, order.id).fulfilments[0].status == st.FULFILMENT_PACKED


@pytest.mark.parametrize("refused", ["pay_cancelled", "ship_unpaid", "ship_no_tracking", "cancel_no_reason",
                                     "buyer_cancels_paid"])
def test_nothing_is_queued_when_the_change_is_refused(setup, refused):
    from shop.errors import DomainError

    variant, owner = setup["variant"], setup["owner"]
    if refused == "pay_cancelled":
        order = make_order([(variant, 1)], status=st.ORDER_CANCELLED)
    elif refused == "ship_unpaid":
        order = make_order([(variant, 1)])
    elif refused == "ship_no_tracking":
        order = make_order([(variant, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED)
    else:
        order = make_order([(variant, 1)], paid=True)
    queued = _count()
    with pytest.raises(DomainError):
        if refused == "pay_cancelled":
            try:
                services.apply_paid(order, actor=setup["staff"], role=st.ROLE_STAFF)
            finally:
                db.session.rollback()
        elif refused in ("ship_unpaid", "ship_no_tracking"):
            services.ship_fulfilment(order.fulfilments[0], actor=owner, role=st.ROLE_SELLER, carrier="kerry",
                                     tracking_number="KEX0001" if refused == "ship_unpaid" else "")
        elif refused == "cancel_no_reason":
            services.cancel_fulfilment(order.fulfilments[0], actor=owner, role=st.ROLE_SELLER, reason="")
        else:
            services.cancel_order(order, actor=None, role=st.ROLE_BUYER)
    assert _count() == queued


# ---------------------------------------------------------------- what they say


def test_every_order_email_renders_in_both_languages(setup):
    variant, owner = setup["variant"], setup["owner"]
    for locale in ("th", "en"):
        order = make_order([(variant, 1)], locale=locale)  # "order placed" queued by checkout
        services.apply_slip_rejected_email(order, "blurry photo")
        services.apply_paid(order, actor=setup["staff"], role=st.ROLE_STAFF)
        db.session.commit()
        part = order.fulfilments[0]
        services.accept_fulfilment(part, actor=owner, role=st.ROLE_SELLER)
        services.pack_fulfilment(part, actor=owner, role=st.ROLE_SELLER)
        services.ship_fulfilment(part, actor=owner, role=st.ROLE_SELLER, carrier="thailand_post",
                                 tracking_number="EE123456789TH")
        second = VariantFactory()
        MemberFactory(enterprise=second.product.enterprise)
        other = make_order([(variant, 1), (second, 1)], locale=locale, paid=True)
        services.cancel_fulfilment(other.fulfilments[0], actor=owner, role=st.ROLE_SELLER, reason="sold out")
        services.cancel_order(other, actor=setup["staff"], role=st.ROLE_STAFF, reason="address unreachable")
    kinds = {m.kind for m in _outbox()}
    assert kinds == {"order_placed", "order_slip_rejected", "order_paid", "order_new_for_enterprise",
                     "order_shipped", "order_part_cancelled", "order_cancelled", "order_cancelled_enterprise"}
    for message in _outbox():
        assert message.subject and "{{" not in message.body_text and "%(" not in message.body_text
        assert "\n\n\n\n" not in message.body_text


def test_the_buyers_emails_carry_the_signed_link_and_the_facts(client, setup):
    variant, owner = setup["variant"], setup["owner"]
    order = make_order([(variant, 2)], locale="en")
    services.apply_paid(order, actor=setup["staff"], role=st.ROLE_STAFF)
    db.session.commit()
    part = order.fulfilments[0]
    services.accept_fulfilment(part, actor=owner, role=st.ROLE_SELLER)
    services.pack_fulfilment(part, actor=owner, role=st.ROLE_SELLER)
    services.ship_fulfilment(part, actor=owner, role=st.ROLE_SELLER, carrier="kerry", tracking_number="KEX998877")

    placed = _outbox("order_placed")[0]
    assert placed.to_address == order.email
    assert order.public_id in placed.subject and "Jasmine rice" in placed.body_text
    assert "30 minutes" in placed.body_text
    shipped = _outbox("order_shipped")[0]
    assert "Kerry Express" in shipped.body_text and "KEX998877" in shipped.body_text
    link = re.search(r"http://localhost(/orders/\S+)", shipped.body_text).group(1)
    assert client.get(link).status_code == 200  # a guest opens the page from the e-mail

    new_order = _outbox("order_new_for_enterprise")[0]
    assert new_order.to_address == owner.email
    assert new_order.subject.startswith("New paid order")  # the member reads English
    assert f"/seller/{part.enterprise_id}/orders/{part.id}" in new_order.body_text
    assert "?t=" not in new_order.body_text  # members sign in; no buyer link for them


def test_a_thai_order_gets_thai_emails(setup):
    make_order([(setup["variant"], 1)], locale="th")
    message = _outbox("order_placed")[0]
    assert message.subject.startswith("ได้รับคำสั่งซื้อ"), message.subject
    assert "ข้าวหอมมะลิ" in message.body_text


def test_the_lapse_email_says_why(setup):
    from datetime import timedelta

    order = make_order([(setup["variant"], 1)], locale="en", expires_in=timedelta(minutes=-5))
    services.release_lapsed_orders()
    body = _outbox("order_cancelled")[0].body_text
    assert "did not receive the payment" in body and order.public_id in body


# ---------------------------------------------------------------- sending


def test_outbox_send_delivers_each_order_email_once(app, runner, setup):
    order = make_order([(setup["variant"], 1)])
    services.apply_paid(order, actor=setup["staff"], role=st.ROLE_STAFF)
    db.session.commit()
    queued = _count()
    assert queued == 3  # placed, paid, new order for the one member

    first = runner.invoke(args=["outbox", "send"])
    second = runner.invoke(args=["outbox", "send"])

    assert first.exit_code == 0 and f"sent {queued}, failed 0" in first.output
    assert "sent 0, failed 0" in second.output
    files = sorted(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))
    assert len(files) == queued
    assert sorted(f.name.split("-", 1)[1] for f in files) == sorted(
        ["order_placed.eml", "order_paid.eml", "order_new_for_enterprise.eml"])
    db.session.expire_all()
    assert all(m.sent_at is not None and m.attempts == 1 for m in _outbox())
