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


# --- changes only pages show (docs/caching.md) ----------------------------------------


def _rows_by_op() -> list[tuple[str, int | None]]:
    return [(row.op, row.product_id) for row in db.session.scalars(select(SearchOutbox).order_by(SearchOutbox.id))]


def _forget_rows() -> None:
    db.session.execute(SearchOutbox.__table__.delete())
    db.session.commit()


def test_a_stock_edit_is_a_page_row_and_an_updated_at_alone_is_nothing(app):
    from shop.search.models import OP_PAGE
    from tests.factories import VariantFactory

    variant = VariantFactory(stock=5)
    db.session.commit()
    _forget_rows()
    variant.stock = 4
    db.session.commit()
    assert _rows_by_op() == [(OP_PAGE, variant.product_id)]
    _forget_rows()
    variant.product.updated_at = variant.product.updated_at
    db.session.commit()
    assert _rows_by_op() == []


def test_stock_taken_and_ratings_moved_by_update_statements_are_page_rows(app):
    from shop.orders.inventory import take_stock
    from shop.reviews.ratings import adjust
    from shop.search.models import OP_PAGE
    from tests.factories import VariantFactory

    variant = VariantFactory(stock=5)
    db.session.commit()
    _forget_rows()
    with transaction():
        take_stock([(variant.id, 2)])
        adjust(variant.product_id, 5, 1)
    assert _rows_by_op() == [(OP_PAGE, variant.product_id), (OP_PAGE, variant.product_id)]


def test_the_generation_changes_with_every_row(app):
    from shop.search.indexer import log_generation
    from tests.factories import VariantFactory

    first = log_generation(app)
    variant = VariantFactory(stock=5)
    db.session.commit()
    second = log_generation(app)
    assert second != first
    variant.stock = 1
    db.session.commit()
    assert log_generation(app) != second
    assert log_generation(app) == log_generation(app)
