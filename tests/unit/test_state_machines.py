"""Every state machine of the shop, walked through the engine (``shop/statemachine.py``):
from every state to every state, for every role. Allowed moves change the row and
record one history row with the actor, role and time; every other move raises a
``DomainError`` and changes nothing. Then two people moving the same row at once:
exactly one wins (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from shop import roles
from shop import statemachine as sm
from shop.accounts.machines import RETAIL_BUYERS
from shop.accounts.models import RetailBuyer
from shop.catalog.listing_models import ListingStatusChange
from shop.catalog.listing_status import LISTINGS, STORED_ROLES
from shop.dbtypes import utcnow
from shop.errors import DomainError, ValidationFailed
from shop.extensions import db
from shop.invoicing.machines import INVOICE_PAYMENTS
from shop.invoicing.models import Invoice, InvoicePayment
from shop.ledger.machines import PAYOUT_BATCHES, PAYOUTS
from shop.ledger.models import Payout, PayoutBatch
from shop.orders import status as st
from shop.orders.models import StatusChange
from shop.payments.machines import PAYMENTS, REFUNDS, SLIPS
from shop.payments.models import Payment, PaymentSlip, Refund
from shop.reviews.machines import REVIEWS
from shop.reviews.models import Review
from shop.sellers.models import EnterpriseEvent
from shop.sellers.services import ENTERPRISES
from tests.factories import EnterpriseFactory, ProductFactory, RetailBuyerFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order

_serial = itertools.count(1)


def _order():
    return make_order([(VariantFactory(stock=5), 1)])


def _new_row(name: str):
    """A fresh committed row of the machine ``name``, in the model's first state."""
    n = next(_serial)
    if name == st.ORDER:
        return _order()
    if name == st.FULFILMENT:
        return _order().fulfilments[0]
    if name == "listing":
        return ProductFactory()
    if name == "enterprise":
        return EnterpriseFactory()
    if name == "retail_buyer":
        return RetailBuyerFactory(status=RetailBuyer.PENDING)
    if name == "review":
        order = make_order([(VariantFactory(stock=5), 1)], user=UserFactory(), fulfilment_status=st.FULFILMENT_DELIVERED)
        line = order.lines[0]
        row = Review(order_line_id=line.id, user_id=order.user_id, product_id=line.product_id,
                     enterprise_id=line.fulfilment.enterprise_id, rating=4)
    elif name == "payout_batch":
        row = PayoutBatch()
    elif name == "payout":
        row = Payout(enterprise_id=EnterpriseFactory().id, method="bank_transfer", amount_satang=100,
                     idempotency_key=f"test-payout-{n}")
    else:
        order = _order()
        if name == "payment":
            row = Payment(order_id=order.id, provider="stripe", amount_satang=order.total_satang,
                          provider_ref=f"cs_test_{n}")
        elif name == "refund":
            row = Refund(order_id=order.id, fulfilment_id=order.fulfilments[0].id, provider="manual",
                         amount_satang=100, reason="test", idempotency_key=f"refund-test-{n}",
                         requested_role=roles.PROGRAMME_STAFF)
        elif name == "invoice_payment":
            today = utcnow().date()
            invoice = Invoice(order_id=order.id, number=f"BL-TEST-{n}", net_days=30, issued_at=utcnow(),
                              issued_on=today, due_on=today + timedelta(days=30))
            db.session.add(invoice)
            db.session.flush()
            row = InvoicePayment(invoice_id=invoice.id, kind="slip", amount_satang=100)
        else:
            row = PaymentSlip(order_id=order.id, image_key=f"slip-{n}", width=1, height=1,
                              content_sha256=f"{n:064d}", pixel_sha256=f"{n:064x}", amount_satang=order.total_satang)
    db.session.add(row)
    db.session.commit()
    return row


MACHINES = {m.name: m for m in (*st.machines().values(), LISTINGS, ENTERPRISES, PAYMENTS, REFUNDS, SLIPS, PAYOUTS,
                                PAYOUT_BATCHES, RETAIL_BUYERS, INVOICE_PAYMENTS, REVIEWS)}
HISTORY = {st.ORDER: StatusChange, st.FULFILMENT: StatusChange, "listing": ListingStatusChange,
           "enterprise": EnterpriseEvent}


def _history_model(name: str):
    return HISTORY.get(name, sm.StatusChangeLog)


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _put(row, state: str) -> None:
    """Set-up only: the walk starts from every state, including states no allowed move
    of a given role leads to, so the starting state is written directly (a plain
    UPDATE, no history); the move under test then goes through the engine."""
    model = type(row)
    db.session.execute(update(model).where(model.id == row.id).values(status=state))
    db.session.commit()
    db.session.refresh(row)


def _cases():
    for machine in MACHINES.values():
        for frm, to, role in itertools.product(machine.states, machine.states, roles.ROLES):
            allowed = machine.allows(frm, to, role)
            yield pytest.param(machine.name, frm, to, role, allowed,
                               id=f"{machine.name}:{frm}->{to}:{role}:{'ok' if allowed else 'refused'}")


def test_every_machine_names_only_its_states_and_the_shop_roles():
    assert set(MACHINES) == {"order", "fulfilment", "listing", "enterprise", "payment", "refund", "payment_slip",
                             "payout", "payout_batch", "retail_buyer", "invoice_payment", "review"}
    for machine in MACHINES.values():
        assert machine.moves, machine.name
        for (frm, to), allowed in machine.moves.items():
            assert frm in machine.states and to in machine.states
            assert allowed and allowed <= set(roles.ROLES)


@pytest.mark.parametrize(("name", "from_status", "to_status", "role", "allowed"), list(_cases()))
def test_every_move_of_every_machine(app, name, from_status, to_status, role, allowed):
    machine = MACHINES[name]
    actor = UserFactory()
    row = _new_row(name)
    _put(row, from_status)
    history = _history_model(name)
    before = _count(history)
    if allowed:
        record = sm.transition(machine, row, to_status, actor=actor, role=role, reason="because")
        db.session.commit()
        assert row.status == to_status
        db.session.expire_all()
        assert db.session.get(type(row), row.id).status == to_status
        assert _count(history) == before + 1
        assert isinstance(record, history) and record.actor_id == actor.id and record.created_at is not None
        if history is EnterpriseEvent:
            assert (record.from_value, record.to_value, record.note) == (from_status, to_status, "because")
        else:
            assert (record.from_status, record.to_status, record.reason) == (from_status, to_status, "because")
            stored_role = STORED_ROLES[role] if name == "listing" else role
            assert record.actor_role == stored_role
        if history is sm.StatusChangeLog:
            assert (record.machine, record.row_id) == (name, row.id)
    else:
        with pytest.raises(DomainError) as refused:
            sm.transition(machine, row, to_status, actor=actor, role=role, reason="because")
        assert 400 <= refused.value.status_code < 500 and str(refused.value.message)
        db.session.rollback()
        db.session.expire_all()
        assert db.session.get(type(row), row.id).status == from_status
        assert _count(history) == before


@pytest.mark.parametrize("name, move", [
    pytest.param(m.name, move, id=f"{m.name}:{move[0]}->{move[1]}:{move[2]}")
    for m in MACHINES.values() for move in sorted(m.reason_required)
])
def test_moves_that_need_a_reason_refuse_without_one(app, name, move):
    machine = MACHINES[name]
    from_status, to_status, role = move
    row = _new_row(name)
    _put(row, from_status)
    before = _count(_history_model(name))
    with pytest.raises(ValidationFailed) as refused:
        sm.transition(machine, row, to_status, actor=UserFactory(), role=role, reason="   ")
    assert "reason" in refused.value.fields
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(type(row), row.id).status == from_status
    assert _count(_history_model(name)) == before


def test_an_unknown_role_is_a_programming_error(app):
    row = _new_row("retail_buyer")
    with pytest.raises(ValueError):
        sm.transition(RETAIL_BUYERS, row, RetailBuyer.VERIFIED, actor=None, role="staff member")


def test_backdated_moves_record_their_time(app):
    row = _new_row("retail_buyer")
    when = row.created_at - timedelta(days=3)
    record = sm.transition(RETAIL_BUYERS, row, RetailBuyer.VERIFIED, actor=None, role=roles.PROGRAMME_STAFF, at=when)
    db.session.commit()
    assert record.created_at == when and sm.history(RETAIL_BUYERS, row.id) == [record]


# ---------------------------------------------------------------- the race

RACES = {
    # machine: (from, [(to, role) for each of the two people])
    st.ORDER: (st.ORDER_PENDING_PAYMENT, [(st.ORDER_CANCELLED, roles.BUYER), (st.ORDER_PAID, roles.PROGRAMME_STAFF)]),
    "retail_buyer": (RetailBuyer.PENDING, [(RetailBuyer.VERIFIED, roles.PROGRAMME_STAFF),
                                           (RetailBuyer.REJECTED, roles.PROGRAMME_STAFF)]),
    "payment_slip": ("submitted", [("confirmed", roles.ENTERPRISE_MEMBER), ("rejected", roles.PROGRAMME_STAFF)]),
}


@pytest.mark.parametrize("name", sorted(RACES))
def test_two_people_moving_the_same_row_at_once_one_wins(app, name):
    """Both read the row in ``from`` before either acts (the stale state is kept, as
    a page opened by each would show it); the conditional UPDATE lets exactly one
    through, on SQLite (writers queue on ``BEGIN IMMEDIATE``) as on PostgreSQL (the
    row lock, then the re-checked ``WHERE status = :from``)."""
    machine = MACHINES[name]
    from_status, moves = RACES[name]
    row = _new_row(name)
    model, row_id, history = type(row), row.id, _history_model(name)
    before = _count(history)
    # The test's own session must hold no transaction (on SQLite: the write lock).
    db.session.remove()
    start = threading.Barrier(len(moves))
    outcomes: dict[str, str] = {}
    lock = threading.Lock()

    def move(to_status: str, role: str) -> None:
        with app.app_context():
            try:
                start.wait(30)
                mine = db.session.get(model, row_id)
                set_committed_value(mine, "status", from_status)  # what this person saw
                sm.transition(machine, mine, to_status, actor=None, role=role, reason="race")
                db.session.commit()
                outcome = "won"
            except sm.TransitionRefused:
                db.session.rollback()
                outcome = "refused"
            except Exception as exc:  # noqa: BLE001 - the assertion below shows it
                db.session.rollback()
                outcome = f"{type(exc).__name__}: {exc}"
            finally:
                db.session.remove()
            with lock:
                outcomes[to_status] = outcome

    threads = [threading.Thread(target=move, args=pair) for pair in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    winner = next(to for to, outcome in outcomes.items() if outcome == "won")
    assert db.session.get(model, row_id).status == winner
    assert _count(history) == before + 1
