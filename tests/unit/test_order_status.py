"""Order and fulfilment state machines (``orders.status``): every (from, to, role) of
both machines is tried through ``status.transition`` on real rows. Allowed moves
change the row and record a timeline entry; every other move is refused with a 409
and changes nothing."""

from __future__ import annotations

import itertools

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order, StatusChange
from tests.factories import UserFactory, VariantFactory
from tests.order_helpers import make_order


def _cases(machine: str):
    statuses = st.STATUSES[machine]
    for from_status, to_status, role in itertools.product(statuses, statuses, st.ROLES):
        allowed = role in st.TABLES[machine].get((from_status, to_status), ())
        yield pytest.param(from_status, to_status, role, allowed,
                           id=f"{from_status}->{to_status}-{role}-{'ok' if allowed else 'refused'}")


def _put(obj, status: str) -> None:
    """Force a row into ``status`` (test set-up only)."""
    model = type(obj)
    db.session.execute(update(model).where(model.id == obj.id).values(status=status))
    db.session.commit()
    db.session.refresh(obj)


def _changes() -> int:
    return db.session.scalar(select(func.count(StatusChange.id)))


@pytest.fixture
def order(app):
    return make_order([(VariantFactory(stock=5), 1)])


@pytest.fixture
def actor(app):
    return UserFactory()


@pytest.mark.parametrize(("from_status", "to_status", "role", "allowed"), list(_cases(st.ORDER)))
def test_every_order_move(order, actor, from_status, to_status, role, allowed):
    _put(order, from_status)
    before = _changes()
    if allowed:
        change = st.transition(order, to_status, actor=actor, role=role, reason="why")
        db.session.commit()
        assert db.session.get(Order, order.id).status == to_status
        assert (change.machine, change.from_status, change.to_status, change.actor_id, change.actor_role) == (
            st.ORDER, from_status, to_status, actor.id, role)
        assert change.reason == "why" and change.created_at is not None
        assert _changes() == before + 1
    else:
        with pytest.raises(st.TransitionRefused) as refused:
            st.transition(order, to_status, actor=actor, role=role)
        assert refused.value.status_code == 409
        db.session.rollback()
        db.session.expire_all()
        assert db.session.get(Order, order.id).status == from_status
        assert _changes() == before


@pytest.mark.parametrize(("from_status", "to_status", "role", "allowed"), list(_cases(st.FULFILMENT)))
def test_every_fulfilment_move(order, actor, from_status, to_status, role, allowed):
    fulfilment = order.fulfilments[0]
    _put(fulfilment, from_status)
    before = _changes()
    if allowed:
        change = st.transition(fulfilment, to_status, actor=actor, role=role)
        db.session.commit()
        assert db.session.get(Fulfilment, fulfilment.id).status == to_status
        assert (change.machine, change.fulfilment_id, change.order_id, change.from_status, change.actor_role) == (
            st.FULFILMENT, fulfilment.id, order.id, from_status, role)
        assert _changes() == before + 1
    else:
        with pytest.raises(st.TransitionRefused):
            st.transition(fulfilment, to_status, actor=actor, role=role)
        db.session.rollback()
        db.session.expire_all()
        assert db.session.get(Fulfilment, fulfilment.id).status == from_status
        assert _changes() == before


def test_the_tables_only_name_known_states_and_roles():
    for machine, table in st.TABLES.items():
        for (frm, to), roles in table.items():
            assert frm in st.STATUSES[machine] and to in st.STATUSES[machine]
            assert roles and roles <= set(st.ROLES)


def test_a_stale_object_cannot_move_a_row_someone_else_moved(order, actor):
    """Two people act on the same order: the second one's copy is stale, and the
    conditional UPDATE refuses instead of overwriting."""
    db.session.execute(update(Order).where(Order.id == order.id).values(status=st.ORDER_CANCELLED))
    db.session.commit()
    # What the second request read before the first one committed.
    set_committed_value(order, "status", st.ORDER_PENDING_PAYMENT)
    before = _changes()
    with pytest.raises(st.TransitionRefused):
        st.transition(order, st.ORDER_PAID, actor=actor, role=st.ROLE_STAFF)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == st.ORDER_CANCELLED
    assert _changes() == before


def test_refusals_say_why(order, actor):
    with pytest.raises(st.TransitionRefused) as by_role:
        st.transition(order, st.ORDER_PAID, actor=actor, role=st.ROLE_BUYER)
    with pytest.raises(st.TransitionRefused) as by_state:
        st.transition(order, st.ORDER_REFUNDED, actor=actor, role=st.ROLE_STAFF)
    db.session.rollback()
    with force_locale("en"):
        assert "may not" in str(by_role.value.message)
        assert "Awaiting payment" in str(by_state.value.message)


def test_an_unknown_role_is_a_programming_error(order, actor):
    with pytest.raises(ValueError):
        st.transition(order, st.ORDER_PAID, actor=actor, role="shopkeeper")


def test_allowed_targets_follow_the_table():
    assert st.allowed_targets(st.FULFILMENT, st.FULFILMENT_SHIPPED, st.ROLE_BUYER) == [st.FULFILMENT_DELIVERED]
    assert st.allowed_targets(st.ORDER, st.ORDER_PAID, st.ROLE_BUYER) == []
    assert set(st.allowed_targets(st.ORDER, st.ORDER_PENDING_PAYMENT, st.ROLE_STAFF)) == {
        st.ORDER_PAID, st.ORDER_CANCELLED}
