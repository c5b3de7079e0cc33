"""Several writers editing products at once while indexers drain the outbox: no lock
errors reach anyone, and the index ends up matching the database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from shop.catalog import status
from shop.catalog.models import Product
from shop.extensions import db
from shop.search.indexer import drain, handle_for, rebuild, state_for
from tests.factories import EnterpriseFactory, ProductFactory
from tests.status_helpers import move_listing

WRITERS = 4
EDITS_PER_WRITER = 6


@pytest.fixture
def app_config(app_config):
    # Every commit tries a non-blocking drain itself, as on the dev server, so the
    # writers also compete with each other for the index lock.
    return {**app_config, "SEARCH_INDEXER": "inline"}


def indexed_names(app) -> dict[int, str]:
    searcher = handle_for(app).searcher().searcher
    return {int(fields["id"]): fields["name_en"] for fields in searcher.all_stored_fields()}


def test_simultaneous_edits_leave_the_index_matching_the_database(app):
    enterprise = EnterpriseFactory()
    products = [ProductFactory(enterprise=enterprise, name_en=f"Woven basket {i}") for i in range(WRITERS * 2)]
    ids = [p.id for p in products]
    db.session.commit()
    rebuild(app)
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS + 1)
    stop = threading.Event()

    def writer(n: int) -> None:
        try:
            start.wait()
            with app.app_context():
                mine = ids[n * 2:(n + 1) * 2]
                for edit in range(EDITS_PER_WRITER):
                    for product_id in mine:
                        product = db.session.get(Product, product_id)
                        product.name_en = f"Woven basket {product_id} edit {edit}"
                        product.min_price_satang = 1000 + edit
                        if edit == EDITS_PER_WRITER - 1 and product_id % 3 == 0:
                            move_listing(product, status.PAUSED)
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    def indexer() -> None:
        try:
            start.wait()
            with app.app_context():
                while not stop.is_set():
                    drain(app)
                    stop.wait(0.01)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    drainer = threading.Thread(target=indexer)
    for thread in threads + [drainer]:
        thread.start()
    for thread in threads:
        thread.join(60)
    stop.set()
    drainer.join(60)
    assert not errors, errors

    db.session.commit()
    result = drain(app, wait_seconds=10)
    assert not result.busy
    expected = {
        p.id: p.name_en
        for p in db.session.scalars(select(Product).where(Product.id.in_(ids), Product.status == status.LIVE))
    }
    assert indexed_names(app) == expected
    assert all(name.endswith(f"edit {EDITS_PER_WRITER - 1}") for name in expected.values())
    assert len(expected) < len(ids)  # some were paused, and are gone from the index


def test_a_busy_index_lock_makes_the_web_drain_skip_not_fail(app):
    ProductFactory(name_en="Clay water jar")
    db.session.commit()
    rebuild(app)
    state_for(app).mode = "off"
    ProductFactory(name_en="Second clay jar")
    db.session.commit()
    writer = handle_for(app).index().writer()  # another process holding the lock
    try:
        result = drain(app)
        assert result.busy and result.rows == 0
    finally:
        writer.cancel()
    result = drain(app)
    assert result.rows >= 1 and not result.busy


def test_one_flush_with_product_and_enterprise_changes_queues_both(app):
    """A single flush may touch products and enterprise-wide rows together."""
    from sqlalchemy import select

    from shop.catalog.models import Certification
    from shop.extensions import db
    from shop.search.models import SearchOutbox
    from tests.factories import ProductFactory

    product = ProductFactory()
    db.session.execute(SearchOutbox.__table__.delete())
    db.session.commit()
    product.name_en = "Renamed"
    db.session.add(Certification(enterprise_id=product.enterprise_id, kind="gap", number="GAP-1"))
    db.session.commit()
    rows = db.session.execute(select(SearchOutbox.product_id, SearchOutbox.enterprise_id)).all()
    assert (product.id, None) in rows
    assert (None, product.enterprise_id) in rows
