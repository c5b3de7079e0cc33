"""``shop.database.transaction``: the one way a use case commits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Category
from shop.database import transaction
from shop.extensions import db


def _category(slug: str) -> Category:
    return Category(slug=slug, name_th=slug, name_en=slug)


def _slugs() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Category.slug)))


class Boom(Exception):
    pass


def test_the_block_commits_when_it_ends(app):
    with transaction():
        db.session.add(_category("rice"))

    db.session.rollback()  # nothing is left pending: the row was committed, not just flushed
    assert _slugs() == ["rice"]


def test_an_error_rolls_everything_back_and_reaches_the_caller(app):
    with pytest.raises(Boom):
        with transaction():
            db.session.add(_category("rice"))
            db.session.flush()
            raise Boom

    assert _slugs() == []
    # The session is usable again at once.
    with transaction():
        db.session.add(_category("coffee"))
    assert _slugs() == ["coffee"]


def test_a_database_error_at_commit_rolls_back(app):
    with transaction():
        db.session.add(_category("rice"))
    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError class differs per database
        with transaction():
            db.session.add(_category("tea"))
            db.session.add(_category("rice"))  # the slug is unique

    assert _slugs() == ["rice"]


def test_a_nested_block_joins_the_outer_one_and_only_the_outer_commits(app):
    with transaction():
        db.session.add(_category("rice"))
        with transaction():
            db.session.add(_category("tea"))
        # Still inside the outer block: another connection sees nothing yet (read as a
        # GET request reads, so SQLite does not wait for the write lock).
        with app.test_request_context("/", method="GET"), db.engine.connect() as other:
            assert other.scalar(select(func.count()).select_from(Category.__table__)) == 0

    assert _slugs() == ["rice", "tea"]


def test_a_failed_nested_block_undoes_only_its_own_writes(app):
    with transaction():
        db.session.add(_category("rice"))
        with pytest.raises(Boom):
            with transaction():
                db.session.add(_category("tea"))
                db.session.flush()
                raise Boom
        db.session.add(_category("coffee"))

    assert _slugs() == ["coffee", "rice"]


def test_an_outer_failure_undoes_the_nested_blocks_too(app):
    with pytest.raises(Boom):
        with transaction():
            with transaction():
                db.session.add(_category("tea"))
            raise Boom

    assert _slugs() == []
