"""The lapse sweeper (``release_lapsed_orders`` and ``flask orders sweep``): unpaid
orders past their hold are cancelled by the system with reason "lapsed" and their
stock comes back exactly once, even when sweepers race each other or a buyer."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.orders import services
from shop.orders import status as st
from shop.orders.models import Order, StatusChange
from tests.factories import VariantFactory
from tests.order_helpers import make_order, send_slip

LAPSED = timedelta(minutes=-1)


def _stock(variant_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant_id))


def test_a_lapsed_order_is_cancelled_by_the_system_and_its_stock_released(app):
    variant = VariantFactory(stock=10)
    order = make_order([(variant, 4)], expires_in=LAPSED)
    assert _stock(variant.id) == 6

    assert services.release_lapsed_orders() == 1

    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_CANCELLED and order.cancel_reason == services.LAPSED_REASON
    assert order.expires_at is None
    assert _stock(variant.id) == 10
    change = [c for c in order.status_changes if c.machine == st.ORDER][-1]
    assert (change.to_status, change.actor_role, change.actor_id, change.reason) == (
        st.ORDER_CANCELLED, st.ROLE_SYSTEM, None, "lapsed")
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order_cancelled")).all()
    assert len(mail) == 1 and order.public_id in mail[0].subject
    assert services.release_lapsed_orders() == 0
    assert _stock(variant.id) == 10


def test_orders_still_on_hold_paid_or_waiting_for_a_slip_review_are_left_alone(app):
    variant = VariantFactory(stock=20)
    on_hold = make_order([(variant, 1)], expires_in=timedelta(minutes=5))
    paid = make_order([(variant, 1)], paid=True)
    slip_waiting = make_order([(variant, 1)], expires_in=LAPSED)
    send_slip(slip_waiting)  # the slip upload paused the lapse
    cancelled = make_order([(variant, 1)], status=st.ORDER_CANCELLED, expires_in=LAPSED)

    assert services.release_lapsed_orders() == 0

    statuses = {o.id: db.session.get(Order, o.id).status for o in (on_hold, paid, slip_waiting, cancelled)}
    assert statuses == {on_hold.id: st.ORDER_PENDING_PAYMENT, paid.id: st.ORDER_PAID,
                        slip_waiting.id: st.ORDER_PENDING_PAYMENT, cancelled.id: st.ORDER_CANCELLED}
    assert _stock(variant.id) == 17


def test_now_can_be_given(app):
    variant = VariantFactory(stock=5)
    make_order([(variant, 1)], expires_in=timedelta(minutes=10))
    assert services.release_lapsed_orders(now=utcnow() + timedelta(minutes=5)) == 0
    assert services.release_lapsed_orders(now=utcnow() + timedelta(minutes=11)) == 1
    assert _stock(variant.id) == 5


def _race(app, workers: list) -> list:
    """Run each callable in its own thread and app context (its own session and
    connection), all released at once; returns results or exceptions."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(index, work):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[index] = work()
            except Exception as exc:  # collected for the assertions
                db.session.rollback()
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.slow
def test_racing_sweepers_release_each_lapsed_order_exactly_once(app):
    variants = [VariantFactory(stock=50) for _ in range(3)]
    orders = [make_order([(variants[i % 3], 2), (variants[(i + 1) % 3], 1)], expires_in=LAPSED) for i in range(12)]
    variant_ids = [v.id for v in variants]
    assert [_stock(v) for v in variant_ids] == [38, 38, 38]
    db.session.commit()  # the threads must not touch this session's objects (or its lock)

    results = _race(app, [services.release_lapsed_orders for _ in range(4)])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == len(orders)
    assert [_stock(v) for v in variant_ids] == [50, 50, 50]
    cancellations = db.session.scalar(select(func.count(StatusChange.id)).where(
        StatusChange.machine == st.ORDER, StatusChange.to_status == st.ORDER_CANCELLED))
    assert cancellations == len(orders)
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "order_cancelled")) == len(orders)


@pytest.mark.slow
def test_a_lapse_racing_the_buyers_cancel_releases_the_stock_once(app):
    variant = VariantFactory(stock=10)
    order_ids = [make_order([(variant, 1)], expires_in=LAPSED).id for _ in range(5)]
    variant_id = variant.id
    assert _stock(variant_id) == 5
    db.session.commit()  # the threads must not touch this session's objects (or its lock)

    def buyer_cancels_all():
        done = 0
        for order_id in order_ids:
            try:
                services.cancel_order(db.session.get(Order, order_id), actor=None, role=st.ROLE_BUYER)
                done += 1
            except st.TransitionRefused:
                pass
        return done

    results = _race(app, [services.release_lapsed_orders, buyer_cancels_all])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == len(order_ids)
    assert _stock(variant_id) == 10
    assert all(db.session.get(Order, oid).status == st.ORDER_CANCELLED for oid in order_ids)


def test_the_sweep_command(app, runner):
    from shop.orders.cli import register_cli

    if "orders" not in app.cli.commands:
        register_cli(app)
    variant = VariantFactory(stock=3)
    make_order([(variant, 3)], expires_in=LAPSED)

    result = runner.invoke(args=["orders", "sweep"])

    assert result.exit_code == 0, result.output
    assert "released 1 lapsed orders" in result.output
    assert _stock(variant.id) == 3
    bad = runner.invoke(args=["orders", "sweep", "--loop", "0"])
    assert bad.exit_code == 2


def test_the_sweep_works_through_batches_and_skips_an_order_that_fails(app, monkeypatch):
    variant = VariantFactory(stock=20)
    orders = [make_order([(variant, 1)], expires_in=LAPSED) for _ in range(7)]
    broken_id = orders[3].id
    real = services.apply_cancel_order

    def cancel_or_fail(order, **kwargs):
        if order.id == broken_id:
            raise RuntimeError("template missing")
        return real(order, **kwargs)

    monkeypatch.setattr(services, "apply_cancel_order", cancel_or_fail)

    assert services.release_lapsed_orders(batch_size=2) == 6

    broken = db.session.get(Order, broken_id)
    assert broken.status == st.ORDER_PENDING_PAYMENT and broken.expires_at is not None  # retried next time
    assert _stock(variant.id) == 19
    monkeypatch.setattr(services, "apply_cancel_order", real)
    assert services.release_lapsed_orders() == 1
    assert _stock(variant.id) == 20
