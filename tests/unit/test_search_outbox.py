"""The search outbox's session events under ``transaction()``: the indexer is nudged
once the outermost transaction commits, whatever its nested blocks (savepoints) did."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.database import transaction
from shop.extensions import db
from shop.search import outbox
from shop.search.models import SearchOutbox
from tests.factories import EnterpriseFactory


class Boom(Exception):
    pass


@pytest.fixture
def nudges(app, monkeypatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(outbox, "notify_committed", lambda app: calls.append("nudged"))
    return calls


def _outbox_rows() -> int:
    return db.session.scalar(select(func.count(SearchOutbox.id)))


def test_a_released_savepoint_is_not_the_commit(nudges):
    with transaction():
        with transaction():
            db.session.add(EnterpriseFactory.build())
            db.session.flush()  # the outbox row is written here
        assert nudges == []  # nothing is committed yet: a drain now would find nothing
        db.session.add(EnterpriseFactory.build())

    assert nudges == ["nudged"]
    assert _outbox_rows() == 2


def test_a_rolled_back_savepoint_keeps_the_rows_written_before_it(nudges):
    with transaction():
        db.session.add(EnterpriseFactory.build())
        db.session.flush()
        with pytest.raises(Boom):
            with transaction():
                db.session.add(EnterpriseFactory.build())
                db.session.flush()
                raise Boom

    assert nudges == ["nudged"]
    assert _outbox_rows() == 1


def test_a_rolled_back_transaction_nudges_nobody(nudges):
    with pytest.raises(Boom):
        with transaction():
            db.session.add(EnterpriseFactory.build())
            db.session.flush()
            raise Boom
    with transaction():
        pass

    assert nudges == []
    assert _outbox_rows() == 0
