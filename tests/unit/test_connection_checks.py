"""Pooled PostgreSQL connections are checked only when they may be stale
(``shop.database.install_connection_checks``): one the server closed, or one idle for a
while, is pinged and replaced if dead; one used a moment ago is used without a round
trip."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from shop.database import install_connection_checks


@pytest.fixture
def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("connections the server can close are PostgreSQL's")
    return database_url


@pytest.fixture
def make_engine(pg_url):
    engines = []

    def make(*, checks: bool = True, ping_after_idle: float = 10.0):
        engine = create_engine(pg_url, pool_size=1, max_overflow=0)
        if checks:
            install_connection_checks(engine, ping_after_idle=ping_after_idle)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


def _count_pings(engine, monkeypatch) -> list[int]:
    pings = []
    real = engine.dialect.do_ping

    def counting(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return pings


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(engine, pid: int) -> None:
    """Close ``pid``'s connection from the server side, and wait until it is gone."""
    admin = create_engine(engine.url, poolclass=None, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
            deadline = time.monotonic() + 10
            while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar():
                assert time.monotonic() < deadline, "the backend did not go away"
                time.sleep(0.02)
    finally:
        admin.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(make_engine, monkeypatch):
    engine = make_engine()
    pings = _count_pings(engine, monkeypatch)
    first = _backend_pid(engine)
    for _ in range(5):
        assert _backend_pid(engine) == first  # the same pooled connection each time
    assert pings == []


def test_a_connection_idle_for_a_while_is_pinged(make_engine, monkeypatch):
    engine = make_engine(ping_after_idle=0.05)
    pings = _count_pings(engine, monkeypatch)
    first = _backend_pid(engine)
    time.sleep(0.1)
    assert _backend_pid(engine) == first
    assert pings == [1]


def test_a_connection_the_server_closed_is_replaced_before_it_is_used(make_engine, monkeypatch):
    engine = make_engine()
    pings = _count_pings(engine, monkeypatch)
    first = _backend_pid(engine)
    _terminate(engine, first)

    second = _backend_pid(engine)  # no error: the dead connection was noticed at checkout

    assert second != first
    assert pings == [1]


def test_without_the_checks_the_closed_connection_fails_the_next_statement(make_engine):
    """What the checks spare a request (and proof that the test above closes the
    connection for real)."""
    engine = make_engine(checks=False)
    _terminate(engine, _backend_pid(engine))
    with pytest.raises(OperationalError):
        _backend_pid(engine)


def test_the_app_checks_server_connections_without_a_ping_on_every_checkout(app):
    from shop.extensions import db

    names = [getattr(fn, "__name__", "") for fn in db.engine.pool.dispatch.checkout]
    assert not db.engine.pool._pre_ping
    assert ("_on_checkout" in names) == (db.engine.dialect.name != "sqlite")
