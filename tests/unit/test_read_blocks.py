"""``read_intent()`` blocks only read: a write inside one is refused before it reaches
the database, and a read run statement by statement (PostgreSQL's checkout read) leaves
the pooled connection back in transactions for whoever takes it next."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update

from shop.catalog.models import Category
from shop.database import WriteInReadBlock, end_read, read_intent, read_statement_by_statement, transaction
from shop.extensions import db


def _category(slug: str = "rice") -> Category:
    category = Category(slug=slug, name_th="ข้าว", name_en="Rice")
    db.session.add(category)
    db.session.commit()
    return category


def _count() -> int:
    return db.session.scalar(select(func.count(Category.id)))


def test_a_write_statement_inside_a_read_block_is_refused(app):
    category = _category()
    end_read()
    with read_intent(), pytest.raises(WriteInReadBlock):
        db.session.execute(update(Category).where(Category.id == category.id).values(name_en="Paddy"))
    end_read()
    assert db.session.get(Category, category.id).name_en == "Rice"


def test_a_flush_of_changes_inside_a_read_block_is_refused(app):
    _category()
    end_read()
    with read_intent(), pytest.raises(WriteInReadBlock):
        db.session.add(Category(slug="coffee", name_th="กาแฟ", name_en="Coffee"))
        db.session.flush()
    db.session.rollback()
    assert _count() == 1


def test_reading_inside_a_read_block_is_fine(app):
    category = _category()
    end_read()
    with read_intent():
        read_statement_by_statement()
        assert db.session.get(Category, category.id).name_en == "Rice"
        assert _count() == 1
    end_read()


def test_after_a_statement_by_statement_read_the_next_transaction_rolls_back_whole(app):
    """The read's connection goes back to the pool with transactions on: a write
    transaction that fails after it leaves nothing behind."""
    _category()
    end_read()
    with read_intent():
        read_statement_by_statement()
        assert _count() == 1
    end_read()

    with pytest.raises(RuntimeError, match="changed my mind"), transaction():
        db.session.execute(insert(Category).values(slug="coffee", name_th="กาแฟ", name_en="Coffee"))
        raise RuntimeError("changed my mind")

    assert _count() == 1


def test_the_statement_by_statement_read_sends_no_begin_on_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's reads keep their deferred BEGIN")
    end_read()
    with read_intent():
        read_statement_by_statement()
        raw = db.session.connection().connection.dbapi_connection
        _count()
        assert raw.autocommit is True
        assert raw.info.transaction_status.name == "IDLE"  # no transaction was opened
    end_read()
    idle = [record.dbapi_connection for record in db.engine.pool._pool.queue]
    assert raw in idle  # back in the pool …
    assert all(conn.autocommit is False for conn in idle)  # … with transactions on
    with transaction():
        _count()
        raw = db.session.connection().connection.dbapi_connection
        assert raw.autocommit is False
        assert raw.info.transaction_status.name == "INTRANS"
