"""The one writer: drains the search outbox into the index, and rebuilds it.

Only one process may write a Whoosh index at a time (a file lock). Web workers never
write it directly: catalogue changes add ``search_outbox`` rows in their own
transaction, and a drain

1. takes the index writer lock (without waiting, unless asked to),
2. reads a batch of outbox rows and loads those products fresh from the database,
3. indexes the visible ones and deletes the others from the index, commits the index,
4. deletes exactly the outbox rows it read (after the index commit succeeded),

and repeats until the outbox is empty. A drain that finds the lock taken returns at
once: the holder re-checks the outbox after each batch, so a row committed while it
worked is not left behind. If the index commit or the process fails, the rows stay
and are replayed; replaying is harmless because documents are replaced by product id.

Who drains (``SEARCH_INDEXER``):

``thread`` (default)
    a daemon thread per process, woken after each commit that wrote outbox rows and
    otherwise polling every ``SEARCH_POLL_SECONDS``; several processes compete for the
    lock without waiting, so exactly one drains at a time.
``inline``
    the committing code drains right after its commit (non-blocking lock); the dev
    server and tests that want the index current when a request returns.
``off``
    nothing in-process: run ``flask search worker`` next to the web workers.

``rebuild`` builds a fresh index from the database in a new directory while holding
the old index's writer lock, then swaps the directories; outbox rows seen before the
rebuild began are then deleted (the rebuild read the changes they stand for).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.index import LockError

from shop.database import end_read
from shop.extensions import db
from shop.search import source
from shop.search.index import INDEX_NAME, IndexHandle, IndexUnavailable, index_exists, write_meta
from shop.search.models import OP_CATEGORY, OP_ENTERPRISE, OP_PRODUCT, SearchOutbox
from shop.search.schema import SCHEMA_VERSION, build_schema, product_document
from shop.thai import segmenter_name

log = logging.getLogger(__name__)

EXTENSION_KEY = "chumchon_search"


# --- per-app state ------------------------------------------------------------------


@dataclass
class SearchState:
    handle: IndexHandle
    mode: str
    poll_seconds: float
    batch_size: int
    wake: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    thread_pid: int | None = None
    stopping: bool = False
    start_lock: threading.Lock = field(default_factory=threading.Lock)


def state_for(app: Flask) -> SearchState:
    return app.extensions[EXTENSION_KEY]


def handle_for(app: Flask) -> IndexHandle:
    return state_for(app).handle


# --- the outbox -------------------------------------------------------------------------


def outbox_has_rows(app: Flask) -> bool:
    """A cheap look at the outbox that takes no write lock (a raw autocommit read on
    SQLite, where ORM transactions outside a GET request begin IMMEDIATE)."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT id FROM search_outbox LIMIT 1")
        found = cursor.fetchone() is not None
        cursor.close()
        return found
    finally:
        raw.close()


def pending_summary(session: Session) -> tuple[int, datetime | None]:
    count, oldest = session.execute(select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at))).one()
    if isinstance(oldest, str):  # SQLite returns MIN() of a datetime column as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(count or 0), oldest


# --- draining ---------------------------------------------------------------------------


@dataclass
class DrainResult:
    rows: int = 0
    indexed: int = 0
    removed: int = 0
    batches: int = 0
    busy: bool = False  # another process held the writer lock
    skipped: str | None = None  # why nothing was tried (index missing …)


def _expand(session: Session, rows: list[SearchOutbox]) -> tuple[set[int], set[int]]:
    products: set[int] = set()
    enterprises: set[int] = set()
    for row in rows:
        if row.op == OP_PRODUCT and row.product_id is not None:
            products.add(row.product_id)
        elif row.op == OP_ENTERPRISE and row.enterprise_id is not None:
            enterprises.add(row.enterprise_id)
            products.update(source.product_ids_of(session, enterprise_id=row.enterprise_id))
        elif row.op == OP_CATEGORY and row.category_id is not None:
            products.update(source.product_ids_of(session, category_id=row.category_id))
    return products, enterprises


def drain(app: Flask, *, wait_seconds: float = 0.0, max_batches: int | None = None) -> DrainResult:
    """Apply pending outbox rows to the index; see the module docstring."""
    state = state_for(app)
    result = DrainResult()
    handle = state.handle
    while max_batches is None or result.batches < max_batches:
        if not outbox_has_rows(app):
            break
        try:
            ix = handle.index()
        except IndexUnavailable as exc:
            result.skipped = exc.state  # rows stay until `flask search reindex`
            break
        try:
            writer = ix.writer(timeout=wait_seconds, delay=0.05)
        except LockError:
            result.busy = True
            break
        try:
            with Session(db.engine) as session:
                rows = list(session.scalars(select(SearchOutbox).order_by(SearchOutbox.id).limit(state.batch_size)))
                row_ids = [r.id for r in rows]
                product_ids, enterprise_ids = _expand(session, rows)
                facts, gone = source.load_products(session, product_ids)
                end_read(session)
            for enterprise_id in enterprise_ids:
                writer.delete_by_term("enterprise_id", str(enterprise_id))
            for product_id in gone:
                writer.delete_by_term("id", str(product_id))
            for fact in facts:
                writer.update_document(**product_document(fact, source.CERT_BITS))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        if row_ids:
            write_meta(handle.path, last_outbox_id=max(row_ids), last_drain_at=datetime.now(UTC).isoformat())
            # A transaction of its own, after the read's and only once the index has
            # committed, so a failure in between leaves the rows to be replayed. The
            # indexer keeps to sessions of its own, never the caller's ``db.session``.
            with Session(db.engine) as session, session.begin():
                session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(row_ids)))
        result.rows += len(row_ids)
        result.indexed += len(facts)
        result.removed += len(gone)
        result.batches += 1
    return result


def drain_quietly(app: Flask) -> DrainResult | None:
    """A drain that logs instead of raising: the caller's own work already succeeded."""
    try:
        with app.app_context():
            return drain(app)
    except Exception:
        log.exception("search: draining the outbox failed; the rows stay for the next try")
        return None


# --- in-process indexer thread --------------------------------------------------------


def _thread_main(app: Flask, state: SearchState) -> None:
    while not state.stopping:
        state.wake.wait(state.poll_seconds)
        state.wake.clear()
        if state.stopping:
            break
        drain_quietly(app)


def ensure_thread(app: Flask) -> None:
    """Start this process's indexer thread (again after a fork)."""
    app = app._get_current_object() if hasattr(app, "_get_current_object") else app  # not the proxy
    state = state_for(app)
    if state.mode != "thread":
        return
    pid = os.getpid()
    if state.thread is not None and state.thread_pid == pid and state.thread.is_alive():
        return
    with state.start_lock:
        if state.thread is not None and state.thread_pid == pid and state.thread.is_alive():
            return
        state.wake = threading.Event()
        state.stopping = False
        thread = threading.Thread(target=_thread_main, args=(app, state), name="search-indexer", daemon=True)
        state.thread, state.thread_pid = thread, pid
        thread.start()


def stop_thread(app: Flask, timeout: float = 5.0) -> None:
    state = state_for(app)
    state.stopping = True
    state.wake.set()
    if state.thread is not None and state.thread.is_alive():
        state.thread.join(timeout)
    state.thread = None


def notify_committed(app: Flask) -> None:
    """Called after a commit that wrote outbox rows."""
    state = state_for(app) if EXTENSION_KEY in app.extensions else None
    if state is None:
        return
    if state.mode == "inline":
        drain_quietly(app)
    elif state.mode == "thread":
        ensure_thread(app)
        state.wake.set()


def run_worker(app: Flask, *, poll_seconds: float, once: bool = False, stop: threading.Event | None = None) -> None:
    """``flask search worker``: drain forever (waiting for the lock, unlike web workers)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        with app.app_context():
            try:
                result = drain(app, wait_seconds=min(5.0, poll_seconds * 4))
                if result.rows:
                    log.info("search: applied %s outbox rows (%s indexed, %s removed)",
                             result.rows, result.indexed, result.removed)
                if result.skipped:
                    log.warning("search: index %s; run `flask search reindex`", result.skipped)
            except Exception:
                log.exception("search: drain failed; retrying")
            finally:
                db.session.remove()
        if once:
            return
        stop.wait(poll_seconds)


# --- rebuilding -------------------------------------------------------------------------


@dataclass
class RebuildResult:
    documents: int
    seconds: float
    rebuilt: bool = True
    reason: str = ""


def _cleanup_leftovers(path: Path) -> None:
    for leftover in path.parent.glob(f"{path.name}.rebuild-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in path.parent.glob(f"{path.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def rebuild(app: Flask, *, if_missing: bool = False, batch_size: int = 1000,
            progress=None) -> RebuildResult:
    """Build the index from the database into a new directory and swap it in."""
    handle = handle_for(app)
    if if_missing:
        try:
            handle.index()
            return RebuildResult(documents=0, seconds=0.0, rebuilt=False, reason="index present")
        except IndexUnavailable as exc:
            reason = exc.state
    else:
        reason = "requested"
    started = time.perf_counter()
    path = Path(handle.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _cleanup_leftovers(path)

    # Hold the old index's writer lock so no drain writes to it while we rebuild; the
    # outbox keeps collecting changes, replayed on the new index afterwards.
    old_writer_lock = None
    if index_exists(str(path)):
        try:
            old_ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
            old_writer_lock = old_ix.lock("WRITELOCK")
            deadline = time.monotonic() + 60
            while not old_writer_lock.acquire(blocking=False):
                if time.monotonic() > deadline:
                    raise LockError("the search index stayed locked for 60 s")
                time.sleep(0.1)
        except LockError:
            raise
        except Exception:  # an unreadable index is simply replaced
            old_writer_lock = None

    try:
        # Rows visible now are covered by what we read next; later ones are replayed.
        with Session(db.engine) as session:
            seen_outbox_ids = list(session.scalars(select(SearchOutbox.id)))
            end_read(session)

        building = path.parent / f"{path.name}.rebuild-{os.getpid()}"
        building.mkdir()
        ix = whoosh_index.create_in(str(building), build_schema(), indexname=INDEX_NAME)
        # Whoosh sorts postings in memory and spills sorted runs to disk past this
        # size; fewer, larger runs make a 100k rebuild about twice as fast as the
        # 128 MB default (peak memory is roughly 1.7 × this figure).
        writer = ix.writer(limitmb=int(app.config["SEARCH_REBUILD_MEMORY_MB"]))
        documents = 0
        try:
            with Session(db.engine) as session:
                for batch in source.iter_visible_batches(session, batch_size=batch_size):
                    for fact in batch:
                        writer.add_document(**product_document(fact, source.CERT_BITS))
                    documents += len(batch)
                    if progress:
                        progress(documents)
            writer.commit(optimize=True)
        except BaseException:
            writer.cancel()
            shutil.rmtree(building, ignore_errors=True)
            raise
        write_meta(building, schema_version=SCHEMA_VERSION, built_at=datetime.now(UTC).isoformat(),
                   documents=documents, segmenter=segmenter_name(), last_outbox_id=max(seen_outbox_ids, default=None))

        # Swap directories: two renames, microseconds apart.
        if path.exists():
            retired = path.parent / f"{path.name}.old-{os.getpid()}-{int(time.time())}"
            os.rename(path, retired)
            os.rename(building, path)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(building, path)
    finally:
        if old_writer_lock is not None:
            try:
                old_writer_lock.release()
            except Exception:  # the file went with the retired directory
                log.debug("search: releasing the old index lock failed", exc_info=True)

    if seen_outbox_ids:
        # Deleted once the new index is in place, in a transaction of their own.
        with Session(db.engine) as session, session.begin():
            for start in range(0, len(seen_outbox_ids), 1000):
                chunk = seen_outbox_ids[start:start + 1000]
                session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(chunk)))
    handle.forget()
    return RebuildResult(documents=documents, seconds=time.perf_counter() - started, reason=reason)


# --- health -----------------------------------------------------------------------------


def health(app: Flask) -> dict:
    """The search part of ``/healthz``."""
    state = state_for(app)
    report = state.handle.state()
    try:
        with Session(db.engine) as session:
            pending, oldest = pending_summary(session)
            visible = source.count_visible(session) if report["state"] != "ok" else None
            end_read(session)
    except Exception as exc:  # report, never raise
        return {**report, "ok": False, "error": type(exc).__name__}
    lag = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
    max_lag = float(app.config["SEARCH_MAX_LAG_SECONDS"])
    if report["state"] == "ok":
        ok = lag <= max_lag
    else:
        # Nothing to search yet is not an outage; a missing index with products is.
        ok = report["state"] == "missing" and not visible
    return {**report, "ok": ok, "pending": pending, "oldest_pending_seconds": round(lag, 1),
            "indexer": state.mode}
