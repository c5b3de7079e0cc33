"""Engine tuning that the models do not see.

PostgreSQL (any server database): a connection taken from the pool is checked only
when it may have gone stale (``install_connection_checks``), not with a round trip
every time.

SQLite: WAL journal, a busy timeout, foreign keys on, and write transactions that
begin with ``BEGIN IMMEDIATE``. With SQLite's default deferred ``BEGIN`` a transaction
that read first cannot upgrade to a write lock under contention and fails with
"database is locked"; taking the write lock up front makes writers queue on the busy
timeout instead. Requests with a safe method (GET/HEAD/OPTIONS) only read, so they
keep a deferred ``BEGIN`` and never block each other under WAL. Code that writes
outside a request (CLI commands, workers) is treated as a writer.
"""

from __future__ import annotations

import contextlib
import contextvars
import select
import sqlite3
import time
from collections.abc import Iterator

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session

from shop.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_force_write: contextvars.ContextVar[bool] = contextvars.ContextVar("force_write", default=False)
_force_read: contextvars.ContextVar[bool] = contextvars.ContextVar("force_read", default=False)


@contextlib.contextmanager
def write_intent() -> Iterator[None]:
    """Make SQLite transactions begun inside the block take the write lock at once.

    For the rare GET request that writes (following an e-mail verification link).
    """
    token = _force_write.set(True)
    try:
        yield
    finally:
        _force_write.reset(token)


@contextlib.contextmanager
def read_intent() -> Iterator[None]:
    """Make SQLite transactions begun inside the block read without taking the write
    lock, even in a POST request.

    For a use case that reads and checks everything first, ends that read
    (``end_read``) and then writes in a short ``write_intent()`` transaction (the
    checkout), so other writers wait only for its writes. Whatever must not change
    between the read and the write is checked again by the writes themselves (a
    conditional UPDATE of the stock, say). Nothing may be written inside the block:
    an INSERT, UPDATE or DELETE through a session, or a flush of changed objects,
    raises ``WriteInReadBlock`` (unless a ``write_intent()`` block inside says so).
    """
    token = _force_read.set(True)
    try:
        yield
    finally:
        _force_read.reset(token)


def read_statement_by_statement(session: Session | None = None) -> None:
    """Let ``session``'s next transaction, one that only reads, run on PostgreSQL
    without ``BEGIN`` and ``ROLLBACK``: each statement is its own transaction, which
    under PostgreSQL's READ COMMITTED sees what each statement of a transaction would
    see anyway (a fresh snapshot per statement), for two round trips fewer. The pool
    sets the connection back to transactions when it is returned. Call it first in a
    ``read_intent()`` block, before the session has a connection; SQLite keeps its
    deferred ``BEGIN`` (its reads share one snapshot, and cost no round trip).
    """
    session = session or db.session
    if session.get_bind().dialect.name != "sqlite":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def in_transaction() -> bool:
    """Whether a ``transaction()`` block is open (a use case called from another)."""
    return _depth.get() > 0


def _is_read_only_request() -> bool:
    if _force_write.get():
        return False
    if _force_read.get():
        return True
    return has_request_context() and request.method in _SAFE_METHODS


def install_sqlite_tuning(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Stop pysqlite from issuing its own BEGIN; the "begin" hook below does it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN" if _is_read_only_request() else "BEGIN IMMEDIATE")


#: A pooled connection idle for longer than this is pinged before it is used again.
PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_SINCE = "shop.idle_since"


def install_connection_checks(engine: Engine, *, ping_after_idle: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Check a server database's pooled connection as it is taken from the pool, with
    a round trip only when it may be stale.

    A connection the server closed (a restart, a fail-over, an idle timeout, a
    terminated backend) has something to read on its socket: the server's last words
    or the end of the stream, as the pool keeps no connection that waits for a
    result. Such a connection, or one idle for more than ``ping_after_idle`` seconds
    (a firewall may have dropped it without a word), is pinged; if the ping fails,
    the pool drops it and opens another (``DisconnectionError``), so the request
    never sees the dead one. A connection used a moment ago with nothing on its
    socket is used as it is: a busy sale takes a connection twice an order, and a
    ping each time would be two more round trips to the server for every order.
    A connection that dies while in use fails that statement, as it would anyway.
    SQLite needs none of this.
    """
    if engine.dialect.name == "sqlite":
        return
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None:
            return  # opened just now
        if time.monotonic() - idle_since <= ping_after_idle and not _socket_has_news(dbapi_connection):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"a pooled connection failed its check: {exc}") from exc


def _socket_has_news(dbapi_connection) -> bool:
    """Whether the server sent anything to an idle connection (True when unknown)."""
    try:
        poller = select.poll()  # no limit on the descriptor's number, unlike select()
        poller.register(dbapi_connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (AttributeError, OSError, ValueError, TypeError):
        return True


_depth: contextvars.ContextVar[int] = contextvars.ContextVar("transaction_depth", default=0)


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """One use case's unit of work: everything written inside the block commits when
    it ends, and nothing of it if the block raises (the session is rolled back, so it
    is usable again, and the error goes on to the caller).

    Use cases open it; views, API views and commands never commit or roll back
    themselves. A use case that calls another inside its own block joins it through a
    savepoint: the inner block's failure undoes only the inner block's writes, and only
    the outermost block commits. On SQLite the transaction begins with ``BEGIN
    IMMEDIATE`` whenever it may write (see ``install_sqlite_tuning``).
    """
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        if depth:
            with db.session.begin_nested():
                yield
            return
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    finally:
        _depth.reset(token)


# ---------------------------------------------------------------- writes not yet committed

_WROTE = "shop.wrote"


def _in_read_block() -> bool:
    # ``write_intent()`` inside it wins, as it does for SQLite's BEGIN.
    return _force_read.get() and not _force_write.get()


class WriteInReadBlock(RuntimeError):
    """A write was asked for inside ``read_intent()`` (a mistake in the code: on
    PostgreSQL such a read may run statement by statement, where nothing could undo it)."""


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _context, _instances) -> None:
    if _in_read_block() and (session.new or session.deleted
                             or any(session.is_modified(obj) for obj in session.dirty)):
        raise WriteInReadBlock("changes flushed inside read_intent()")


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        if _in_read_block():
            raise WriteInReadBlock("a write statement inside read_intent()")
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, ended) -> None:
    if ended.parent is None:  # the outermost transaction: committed or rolled back
        session.info.pop(_WROTE, None)


def has_uncommitted_writes(session: Session | None = None) -> bool:
    """Whether the session holds changes not yet committed: pending objects, or
    writes already flushed or executed in the transaction open now. ``end_read``
    would throw them away."""
    session = session or db.session
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def end_read(session: Session | None = None) -> None:
    """End a transaction that only read: roll it back, as there is nothing to commit.

    The read-only counterpart of ``transaction()`` (health checks, the search indexer
    reading in short transactions, a GET that must begin its one write afresh), and
    the one other place the shop rolls back. Anything left uncommitted is discarded.
    ``session`` defaults to the request's ``db.session``.
    """
    (session or db.session).rollback()


#: How many times a use case that met SQLite's "database is locked" tries its whole
#: transaction before answering "busy" (checkout, booking an experience).
BUSY_ATTEMPTS = 3


def is_busy(exc: Exception) -> bool:
    """Whether ``exc`` (an ``OperationalError``) is SQLite's busy or locked database,
    which a whole-transaction retry may get past."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text
