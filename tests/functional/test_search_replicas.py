"""The search change log and one replica per host (shop/search/indexer.py): two hosts
with their own index folders follow the same log, rows stay for every host until the
sweeper prunes them, a missing id is waited for, a host behind the log or without an
index rebuilds itself, and /healthz reports each host's lag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from shop import create_app
from shop.catalog.models import Product
from shop.extensions import db
from shop.search import indexer
from shop.search.models import SearchLogState, SearchOutbox
from tests.factories import ProductFactory


def _max_id() -> int:
    return db.session.scalar(select(func.max(SearchOutbox.id))) or 0


def _names(app) -> set[str]:
    with app.app_context():
        searcher = indexer.handle_for(app).searcher().searcher
        return {fields["name_en"] for fields in searcher.all_stored_fields()}


@pytest.fixture
def host_b(app_config, tmp_path, app):
    """A second host: the same database, its own index folder."""
    other = create_app({**app_config, "SEARCH_INDEX_DIR": str(tmp_path / "host-b-index")})
    yield other
    with other.app_context():
        db.session.remove()


def test_two_hosts_follow_the_same_log_each_into_its_own_index(app, host_b):
    product = ProductFactory(name_en="Clay water jar")
    db.session.commit()
    indexer.rebuild(app)
    with host_b.app_context():
        indexer.rebuild(host_b)
    product.name_en = "Glazed clay water jar"
    db.session.commit()
    assert indexer.drain(app).rows >= 1
    # Host A applied the row; it stays in the log for host B.
    assert db.session.scalar(select(func.count(SearchOutbox.id))) >= 1
    assert "Glazed clay water jar" in _names(app) and "Glazed clay water jar" not in _names(host_b)
    db.session.rollback()  # end the test's read: SQLite lets one writer in at a time
    with host_b.app_context():
        report = indexer.health(host_b)
        assert report["pending"] >= 1, report
        assert indexer.drain(host_b).rows >= 1
        report = indexer.health(host_b)
    assert "Glazed clay water jar" in _names(host_b)
    assert report["pending"] == 0 and report["applied_through"] == _max_id() and report["host"]
    assert indexer.watermark_of(app.config["SEARCH_INDEX_DIR"]) == _max_id()


def test_the_watermark_waits_for_a_missing_id_then_moves_past_it():
    state = indexer.SearchState(handle=None, mode="off", poll_seconds=1, batch_size=10, gap_seconds=10)
    # Rows 1, 2 and 4 are visible; 3 is in a transaction not committed yet.
    assert indexer._advance(state, 0, [1, 2, 4], now=100.0) == 2
    assert indexer._advance(state, 2, [4], now=105.0) == 2
    # 3 committed meanwhile: everything is applied.
    assert indexer._advance(state, 2, [3, 4], now=106.0) == 4
    assert state.gaps == {}
    # 6 never comes (rolled back): after the wait the watermark goes past it.
    assert indexer._advance(state, 4, [5, 7], now=200.0) == 5
    assert indexer._advance(state, 5, [7], now=209.0) == 5
    assert indexer._advance(state, 5, [7], now=211.0) == 7


def test_a_drain_past_a_missing_id_applies_the_rows_and_reads_them_again(app):
    ProductFactory(name_en="Bamboo fish trap")
    db.session.commit()
    indexer.rebuild(app)
    mark = indexer.watermark_of(app.config["SEARCH_INDEX_DIR"])
    # A row whose id leaves a hole before it (as a transaction still open would).
    late = ProductFactory(name_en="Rattan basket")
    db.session.commit()
    db.session.execute(update(SearchOutbox).where(SearchOutbox.id > mark).values(id=SearchOutbox.id + 5))
    db.session.commit()
    result = indexer.drain(app)
    assert result.rows >= 1 and "Rattan basket" in _names(app)
    assert indexer.watermark_of(app.config["SEARCH_INDEX_DIR"]) == mark  # waits for the hole
    indexer.state_for(app).gap_seconds = 0
    indexer.drain(app)
    assert indexer.watermark_of(app.config["SEARCH_INDEX_DIR"]) == _max_id()
    assert late.id


def test_the_sweeper_prunes_old_rows_keeping_the_newest_and_a_host_behind_rebuilds(app, host_b, runner):
    products = [ProductFactory(name_en=f"Woven mat {i}") for i in range(3)]
    db.session.commit()
    indexer.rebuild(app)
    with host_b.app_context():
        indexer.rebuild(host_b)
    for product in products:
        product.name_en += " (new weave)"
        db.session.commit()
    indexer.drain(app)  # host A is current; host B has not applied the edits
    old = datetime.now(UTC) - timedelta(hours=float(app.config["SEARCH_LOG_RETENTION_HOURS"]) + 1)
    db.session.execute(update(SearchOutbox).values(created_at=old))
    db.session.commit()
    newest = _max_id()
    output = runner.invoke(args=["orders", "sweep"]).output
    assert "search log rows pruned" in output
    assert list(db.session.scalars(select(SearchOutbox.id))) == [newest]
    assert db.session.get(SearchLogState, 1).pruned_through == newest - 1 > 0
    # Host A had applied everything: it simply follows on.
    assert indexer.drain(app).skipped is None
    db.session.rollback()
    # Host B missed pruned rows: it says so, and rebuilds itself from the database.
    with host_b.app_context():
        assert indexer.health(host_b)["behind_the_log"] is True
        assert indexer.drain(host_b).skipped == "behind"
        indexer.follow(host_b)
        assert indexer.health(host_b)["behind_the_log"] is False
    assert {f"Woven mat {i} (new weave)" for i in range(3)} <= _names(host_b)


def test_a_host_that_starts_without_an_index_builds_it_and_follows(app, host_b):
    ProductFactory(name_en="Indigo scarf")
    db.session.commit()
    with host_b.app_context():
        assert indexer.drain(host_b).skipped == "missing"
        result = indexer.follow(host_b)
        assert result.skipped is None
    assert "Indigo scarf" in _names(host_b)


def test_pruning_an_empty_or_young_log_does_nothing(app):
    assert indexer.prune_log(app) == 0
    ProductFactory(name_en="Lime powder")
    db.session.commit()
    assert indexer.prune_log(app) == 0
    assert db.session.get(SearchLogState, 1) is None
    assert db.session.scalar(select(func.count(SearchOutbox.id))) >= 1
    assert db.session.scalar(select(func.count(Product.id))) == 1


def test_an_index_that_follows_another_log_rebuilds_itself(app, host_b):
    """An index built before the log had an epoch, or a database restored from a backup
    (``flask db restore`` gives it a new epoch): the log's ids may start again below the
    index's watermark, so the index rebuilds instead of skipping them."""
    product = ProductFactory(name_en="Lacquered bowl")
    db.session.commit()
    indexer.rebuild(app)
    assert indexer.drain(app).skipped is None
    db.session.add(SearchLogState(id=1, pruned_through=0, epoch="restored-from-a-backup"))
    db.session.execute(SearchOutbox.__table__.delete())  # on SQLite the ids start again from 1
    db.session.commit()
    product.name_en = "Red lacquered bowl"
    db.session.commit()
    db.session.rollback()
    assert indexer.drain(app).skipped == "behind"
    assert indexer.health(app)["behind_the_log"] is True
    indexer.follow(app)
    assert "Red lacquered bowl" in _names(app)
    assert indexer.health(app)["behind_the_log"] is False
    # From there it follows the log again.
    product.name_en = "Black lacquered bowl"
    db.session.commit()
    db.session.rollback()
    indexer.drain(app)
    assert "Black lacquered bowl" in _names(app)
