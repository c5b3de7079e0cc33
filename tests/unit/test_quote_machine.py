"""The request-for-quote machine (shop/quotes/machines.py): every move in its table
for the roles allowed, every other move and role refused with nothing changed, and a
lost race refused."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import update

from shop import roles
from shop import statemachine as sm
from shop.dbtypes import utcnow
from shop.errors import PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.quotes.machines import QUOTES, QuoteChanged
from shop.quotes.models import ACCEPTED, DECLINED, EXPIRED, QUOTED, REQUESTED, STATUSES, WITHDRAWN, QuoteRequest
from tests.factories import RetailBuyerFactory, VariantFactory

ALLOWED = {
    (REQUESTED, QUOTED): {roles.ENTERPRISE_MEMBER},
    (QUOTED, QUOTED): {roles.ENTERPRISE_MEMBER},
    (QUOTED, ACCEPTED): {roles.BUYER},
    (REQUESTED, DECLINED): {roles.ENTERPRISE_MEMBER, roles.PROGRAMME_STAFF},
    (QUOTED, DECLINED): {roles.ENTERPRISE_MEMBER, roles.PROGRAMME_STAFF},
    (REQUESTED, WITHDRAWN): {roles.BUYER},
    (QUOTED, WITHDRAWN): {roles.BUYER},
    (REQUESTED, EXPIRED): {roles.SYSTEM},
    (QUOTED, EXPIRED): {roles.SYSTEM},
}


def test_the_table_is_the_documented_one():
    assert {key: set(value) for key, value in QUOTES.moves.items()} == ALLOWED
    assert QUOTES.states == STATUSES
    for frm, to in ((ACCEPTED, QUOTED), (DECLINED, QUOTED), (EXPIRED, QUOTED), (WITHDRAWN, REQUESTED),
                    (ACCEPTED, WITHDRAWN), (REQUESTED, ACCEPTED)):
        assert not any(QUOTES.allows(frm, to, role) for role in roles.ROLES)


def _row(status: str) -> QuoteRequest:
    variant = VariantFactory()
    buyer = RetailBuyerFactory().user
    row = QuoteRequest(buyer_id=buyer.id, enterprise_id=variant.product.enterprise_id, variant_id=variant.id,
                       status=status, quantity=6, delivery_date=(utcnow() + timedelta(days=3)).date(), message="m")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.mark.parametrize(("frm", "to", "role"), list(itertools.product(STATUSES, STATUSES, roles.ROLES)))
def test_every_move_for_every_role(app, frm, to, role):
    row = _row(frm)
    reason = "because" if to == DECLINED else None
    if role in ALLOWED.get((frm, to), ()):
        sm.transition(QUOTES, row, to, actor=None, role=role, reason=reason)
        db.session.commit()
        assert db.session.get(QuoteRequest, row.id, populate_existing=True).status == to
        return
    expected = PermissionDenied if (frm, to) in ALLOWED else QuoteChanged
    with pytest.raises(expected):
        sm.transition(QUOTES, row, to, actor=None, role=role, reason=reason)
    db.session.rollback()
    assert db.session.get(QuoteRequest, row.id, populate_existing=True).status == frm


def test_declining_needs_a_reason(app):
    row = _row(REQUESTED)
    with pytest.raises(ValidationFailed):
        sm.transition(QUOTES, row, DECLINED, actor=None, role=roles.ENTERPRISE_MEMBER)
    db.session.rollback()
    assert db.session.get(QuoteRequest, row.id, populate_existing=True).status == REQUESTED


def test_a_lost_race_is_refused(app):
    row = _row(QUOTED)
    # Someone else accepted it a moment ago; this session still sees "quoted".
    db.session.execute(update(QuoteRequest).where(QuoteRequest.id == row.id).values(status=WITHDRAWN)
                       .execution_options(synchronize_session=False))
    with pytest.raises(QuoteChanged):
        sm.transition(QUOTES, row, ACCEPTED, actor=None, role=roles.BUYER)
    db.session.rollback()
