"""The writer of this host's index: it follows the search change log, and rebuilds.

The change log (``search_outbox``) is in the database: catalogue changes add rows in
their own transaction, with ids that only grow. Each host keeps its own Whoosh index
(its replica) and remembers in the index's meta file the last log id it applied (the
*watermark*). Rows are never deleted by a host: every host follows the same log, and
the sweeper prunes rows older than ``SEARCH_LOG_RETENTION_HOURS`` (keeping the newest).

A drain

1. takes the index writer lock (without waiting, unless asked to),
2. reads the log rows after the watermark, in id order, and loads those products fresh
   from the database,
3. indexes the visible ones and deletes the others from the index, commits the index,
4. moves the watermark past the rows it applied,

and repeats while it makes progress. A drain that finds the lock taken returns at once:
the holder re-reads the log after each batch. If the index commit or the process fails,
the watermark stays and the rows are applied again; replaying is harmless because
documents are replaced by product id.

Ids are handed out when a row is inserted, not when its transaction commits, so on
PostgreSQL a row may become visible after a higher id was applied. The watermark
therefore stops before a missing id (rows past it are applied and read again) until
the id has been missing for ``SEARCH_LOG_GAP_SECONDS``: then it was rolled back, and
the watermark moves on.

A host whose watermark is older than the log (it was off longer than the retention,
or its index is new) rebuilds from the database and follows the log from there.

Who drains (``SEARCH_INDEXER``):

``thread`` (default)
    a daemon thread per process, woken after each commit that wrote log rows and
    otherwise polling every ``SEARCH_POLL_SECONDS``; the processes of one host compete
    for its index's lock without waiting, so exactly one drains at a time.
``inline``
    the committing code drains right after its commit (non-blocking lock); the dev
    server and tests that want the index current when a request returns.
``off``
    nothing in-process: run ``flask search worker`` next to the web workers.

``rebuild`` builds a fresh index from the database in a new directory while holding
the old index's writer lock, then swaps the directories; its watermark is the last
log id seen before it began reading (later rows are applied after it).
"""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
import shutil
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.index import LockError

from shop.database import end_read, read_intent
from shop.extensions import db
from shop.search import source
from shop.search.bulk import AnalysedBatch, BulkWriter, analyse_documents, field_plan
from shop.search.index import INDEX_NAME, IndexHandle, IndexUnavailable, index_exists, read_meta, write_meta
from shop.search.models import OP_CATEGORY, OP_ENTERPRISE, OP_PRODUCT, SearchLogState, SearchOutbox
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
    gap_seconds: float = 10.0
    # First time this process saw each missing log id (see the module docstring).
    gaps: dict[int, float] = field(default_factory=dict)


def state_for(app: Flask) -> SearchState:
    return app.extensions[EXTENSION_KEY]


def handle_for(app: Flask) -> IndexHandle:
    return state_for(app).handle


# --- the outbox -------------------------------------------------------------------------


def watermark_of(path) -> int:
    """The last log id applied to the index at ``path`` (0 before any)."""
    return int(read_meta(path).get("last_outbox_id") or 0)


def outbox_has_rows(app: Flask, after: int = 0) -> bool:
    """Whether the log has rows after ``after``: a cheap read that takes no write lock
    (a raw autocommit read on SQLite, where ORM transactions outside a GET request
    begin IMMEDIATE)."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.engine.dialect.paramstyle in ("format", "pyformat"):
            cursor.execute("SELECT id FROM search_outbox WHERE id > %s LIMIT 1", (int(after),))
        else:
            cursor.execute("SELECT id FROM search_outbox WHERE id > ? LIMIT 1", (int(after),))
        found = cursor.fetchone() is not None
        cursor.close()
        return found
    finally:
        raw.close()


# ``log_generation``'s one query; it counts the rows among the newest 1,000 log ids.
_GENERATION_SQL = (
    "SELECT (SELECT max(id) FROM search_outbox), "
    "(SELECT count(*) FROM search_outbox WHERE id > (SELECT coalesce(max(id), 0) FROM search_outbox) - 1000), "
    "(SELECT epoch FROM search_log_state WHERE id = 1)"
)


def log_generation(app: Flask) -> str:
    """The catalogue generation: a string that changes whenever a log row commits (the
    page cache's key, docs/caching.md). Read as ``outbox_has_rows`` reads.

    It is the log's epoch, its newest id and how many rows the newest 1,000 ids
    hold: on PostgreSQL a row can commit after a higher id
    did (ids are handed out at insert), which leaves the newest id as it was but adds
    one to the count."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(_GENERATION_SQL)
        newest, recent, epoch = cursor.fetchone()
        cursor.close()
        return f"{epoch or '-'}:{newest or 0}:{recent or 0}"
    finally:
        raw.close()


def _log_state_raw() -> tuple[int, str | None]:
    """``(pruned_through, epoch)`` read as ``outbox_has_rows`` reads (no write lock)."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT pruned_through, epoch FROM search_log_state WHERE id = 1")
        row = cursor.fetchone()
        cursor.close()
        return (int(row[0] or 0), row[1]) if row else (0, None)
    finally:
        raw.close()


def _behind(handle: IndexHandle, watermark: int) -> bool:
    pruned, epoch = _log_state_raw()
    return watermark < pruned or (read_meta(handle.path).get("log_epoch") or None) != epoch


def _as_utc(moment) -> datetime | None:
    if isinstance(moment, str):  # SQLite returns MIN() of a datetime column as text
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def pending_summary(session: Session, after: int = 0) -> tuple[int, datetime | None]:
    """How many log rows come after ``after``, and when the oldest of them was written."""
    count, oldest = session.execute(
        select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at)).where(SearchOutbox.id > after)
    ).one()
    return int(count or 0), _as_utc(oldest)


def pruned_through(session: Session) -> int:
    """The highest log id the sweeper has pruned (0 before any)."""
    return int(session.scalar(select(SearchLogState.pruned_through).where(SearchLogState.id == 1)) or 0)


def log_epoch(session: Session) -> str | None:
    """The log's epoch (``SearchLogState``); None where no row was written."""
    return session.scalar(select(SearchLogState.epoch).where(SearchLogState.id == 1))


def behind_the_log(session: Session, watermark: int, index_epoch: str | None = None) -> bool:
    """Whether this index cannot follow the log: rows it still needed were pruned, or
    it follows another log (``index_epoch`` differs from the log's)."""
    return watermark < pruned_through(session) or (index_epoch or None) != log_epoch(session)


def prune_log(app: Flask, *, now: datetime | None = None) -> int:
    """Delete log rows older than ``SEARCH_LOG_RETENTION_HOURS`` (the newest row always
    stays, so ids keep growing on SQLite too) and record how far; the number deleted."""
    hours = float(app.config["SEARCH_LOG_RETENTION_HOURS"])
    cutoff = (now or datetime.now(UTC)) - timedelta(hours=hours)
    with Session(db.engine) as session, session.begin():
        newest = session.scalar(select(func.max(SearchOutbox.id)))
        if newest is None:
            return 0
        through = session.scalar(select(func.max(SearchOutbox.id)).where(
            SearchOutbox.created_at < cutoff, SearchOutbox.id < newest))
        if through is None:
            return 0
        deleted = session.execute(delete(SearchOutbox).where(SearchOutbox.id <= through)).rowcount or 0
        row = session.get(SearchLogState, 1, with_for_update=True)
        if row is None:
            session.add(SearchLogState(id=1, pruned_through=through))
        elif row.pruned_through < through:
            row.pruned_through = through
    return int(deleted)


def prune_chore() -> str:
    """The sweeper's part (``flask orders sweep``): prune the search change log."""
    from flask import current_app

    return f"search log rows pruned: {prune_log(current_app._get_current_object())}"


def _advance(state: SearchState, watermark: int, ids: list[int], now: float) -> int:
    """The new watermark after applying ``ids`` (sorted): up to the first id still
    missing, or past it once it has been missing for ``gap_seconds``."""
    mark = watermark
    for row_id in ids:
        while row_id > mark + 1:
            missing = mark + 1
            first_seen = state.gaps.setdefault(missing, now)
            if now - first_seen < state.gap_seconds:
                return mark
            state.gaps.pop(missing, None)
            mark = missing  # rolled back: it will never appear
        mark = max(mark, row_id)
    for stale in [gap for gap in state.gaps if gap <= mark]:
        state.gaps.pop(stale, None)
    return mark


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
    """Apply the log rows after this index's watermark; see the module docstring."""
    state = state_for(app)
    result = DrainResult()
    handle = state.handle
    while max_batches is None or result.batches < max_batches:
        watermark = watermark_of(handle.path)
        try:
            ix = handle.index()
        except IndexUnavailable as exc:
            result.skipped = exc.state  # the log waits for a rebuild (``follow`` or `flask search reindex`)
            break
        if _behind(handle, watermark):
            result.skipped = "behind"
            break
        if not outbox_has_rows(app, watermark):
            break
        try:
            writer = ix.writer(timeout=wait_seconds, delay=0.05)
        except LockError:
            result.busy = True
            break
        try:
            watermark = watermark_of(handle.path)  # another process may have moved it
            # Only reads: on SQLite it must not take the write lock (outside a request
            # a transaction begins IMMEDIATE), or every drain after an order would
            # queue with the buyers.
            with read_intent(), Session(db.engine) as session:
                rows = list(session.scalars(select(SearchOutbox).where(SearchOutbox.id > watermark)
                                            .order_by(SearchOutbox.id).limit(state.batch_size)))
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
            if enterprise_ids or gone or facts:
                writer.commit()
            else:
                writer.cancel()  # only page changes (``OP_PAGE``): nothing to write
        except BaseException:
            writer.cancel()
            raise
        new_mark = _advance(state, watermark, row_ids, time.monotonic())
        # Only once the index has committed: a failure before leaves the rows to replay.
        write_meta(handle.path, last_outbox_id=new_mark, last_drain_at=datetime.now(UTC).isoformat())
        result.rows += len(row_ids)
        result.indexed += len(facts)
        result.removed += len(gone)
        result.batches += 1
        if new_mark == watermark:
            break  # waiting for a missing id: the next drain reads again
    return result


def drain_quietly(app: Flask) -> DrainResult | None:
    """A drain that logs instead of raising: the caller's own work already succeeded."""
    try:
        with app.app_context():
            return drain(app)
    except Exception:
        log.exception("search: applying the change log failed; the rows stay for the next try")
        return None


@contextmanager
def _host_rebuild_lock(path: Path):
    """This host's rebuild lock (a file beside the index): True when we hold it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f"{path.name}.rebuild.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def follow(app: Flask, *, wait_seconds: float = 0.0) -> DrainResult:
    """Apply the log; when this host's index is missing, outdated, unreadable or behind
    the log, rebuild it from the database first (one process per host at a time) and
    then apply what came after (``SEARCH_AUTO_REBUILD``)."""
    result = drain(app, wait_seconds=wait_seconds)
    if result.skipped and app.config.get("SEARCH_AUTO_REBUILD", True):
        with _host_rebuild_lock(Path(handle_for(app).path)) as mine:
            if mine:
                log.warning("search: this host's index is %s; rebuilding it from the database", result.skipped)
                rebuild(app)
                result = drain(app, wait_seconds=wait_seconds)
    return result


def follow_quietly(app: Flask) -> DrainResult | None:
    try:
        with app.app_context():
            return follow(app)
    except Exception:
        log.exception("search: following the change log failed; trying again at the next poll")
        return None


# --- in-process indexer thread --------------------------------------------------------


def _thread_main(app: Flask, state: SearchState) -> None:
    while not state.stopping:
        state.wake.wait(state.poll_seconds)
        state.wake.clear()
        if state.stopping:
            break
        follow_quietly(app)


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
                result = follow(app, wait_seconds=min(5.0, poll_seconds * 4))
                if result.rows:
                    log.info("search: applied %s log rows (%s indexed, %s removed)",
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
            processes: int | None = None, progress=None) -> RebuildResult:
    """Build the index from the database into a new directory and swap it in
    (``processes``: see ``rebuild_processes``)."""
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
        # Rows visible now are covered by what we read next; later ones are applied
        # after the swap. A missing id below this one is, too (the rebuild reads the
        # database after it).
        with read_intent(), Session(db.engine) as session:
            seen_through = session.scalar(select(func.max(SearchOutbox.id))) or 0
            epoch = log_epoch(session)
            end_read(session)

        building = path.parent / f"{path.name}.rebuild-{os.getpid()}"
        building.mkdir()
        ix = whoosh_index.create_in(str(building), build_schema(), indexname=INDEX_NAME)
        try:
            documents = _write_products(app, ix, batch_size=batch_size, processes=processes, progress=progress)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        write_meta(building, schema_version=SCHEMA_VERSION, built_at=datetime.now(UTC).isoformat(),
                   documents=documents, segmenter=segmenter_name(), last_outbox_id=int(seen_through),
                   log_epoch=epoch)

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

    handle.forget()
    return RebuildResult(documents=documents, seconds=time.perf_counter() - started, reason=reason)


def rebuild_processes(app: Flask, requested: int | None = None) -> int:
    """How many processes read and analyse products for a rebuild (``requested``, else
    ``SEARCH_REBUILD_PROCESSES``; 0 means one per core, at most 4). One, that is the
    writing process itself, when forking is not safe here: another thread is running
    (a web worker's indexer thread; a forked child would inherit its locks held), or
    the database is in this process's memory (tests)."""
    wanted = int(app.config["SEARCH_REBUILD_PROCESSES"] if requested is None else requested)
    if wanted <= 0:
        wanted = min(4, os.cpu_count() or 1)
    if wanted <= 1 or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    database = db.engine.url.database
    if db.engine.url.get_backend_name() == "sqlite" and database in (None, "", ":memory:"):
        return 1
    return wanted


def _write_products(app: Flask, ix, *, batch_size: int, processes: int | None, progress) -> int:
    """Write every visible product into the new index ``ix``: ``BulkWriter`` segments
    of at most ``SEARCH_REBUILD_MEMORY_MB`` of postings each, in product id order."""
    with read_intent(), Session(db.engine) as session:
        ranges = source.visible_id_ranges(session, batch_size)
        end_read(session)
    budget = int(app.config["SEARCH_REBUILD_MEMORY_MB"]) * 1024 * 1024
    workers = rebuild_processes(app, processes) if len(ranges) > 1 else 1
    writer = BulkWriter(ix)
    documents = 0
    try:
        for batch in _analysed_batches(app, ranges, workers):
            writer.add_batch(batch)
            documents += batch.count
            if progress:
                progress(documents)
            if writer.memory_estimate() > budget:
                writer.commit(merge=False)
                writer = BulkWriter(ix)
        writer.commit(merge=False)
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    return documents


# Each rebuild worker process: its own database connections, one range reader and the
# schema's analysis plan (set by ``_worker_start``, in the forked child).
_worker: dict = {}


def _worker_start(app: Flask) -> None:
    app.app_context().push()
    db.engine.dispose(close=False)  # the parent's connections stay the parent's
    _worker["reader"] = source.RangeReader(Session(db.engine))
    _worker["plan"] = field_plan(build_schema())


def _analyse_range(after: int, through: int | None, reader=None, plan=None) -> AnalysedBatch:
    reader = reader or _worker["reader"]
    facts = reader.read(after, through)
    documents = [product_document(fact, source.CERT_BITS) for fact in facts]
    return analyse_documents(plan or _worker["plan"], documents)


def _analysed_batches(app: Flask, ranges: list[tuple[int, int | None]], workers: int) -> Iterator[AnalysedBatch]:
    """The ranges' products read and analysed, in order: here, or by ``workers``
    forked processes while this one writes (at most two ranges each in flight, so
    memory stays bounded when the writer is the slower side)."""
    if workers <= 1:
        with Session(db.engine) as session:
            reader = source.RangeReader(session)
            plan = field_plan(build_schema())
            for after, through in ranges:
                yield _analyse_range(after, through, reader, plan)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_start, initargs=(app,)) as pool:
        pending: deque = deque()
        for bounds in ranges:
            pending.append(pool.apply_async(_analyse_range, bounds))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()
        pool.join()


# --- health -----------------------------------------------------------------------------


def health(app: Flask) -> dict:
    """The search part of ``/healthz``: this host's index and how far it follows the log."""
    state = state_for(app)
    report = state.handle.state()
    watermark = watermark_of(state.handle.path)
    try:
        with read_intent(), Session(db.engine) as session:
            pending, oldest = pending_summary(session, watermark)
            behind = report["state"] == "ok" and behind_the_log(session, watermark,
                                                                read_meta(state.handle.path).get("log_epoch"))
            visible = source.count_visible(session) if report["state"] != "ok" else None
            end_read(session)
    except Exception as exc:  # report, never raise
        return {**report, "ok": False, "error": type(exc).__name__}
    lag = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
    max_lag = float(app.config["SEARCH_MAX_LAG_SECONDS"])
    if report["state"] == "ok":
        ok = lag <= max_lag and not behind
    else:
        # Nothing to search yet is not an outage; a missing index with products is.
        ok = report["state"] == "missing" and not visible
    return {**report, "ok": ok, "host": socket.gethostname(), "applied_through": watermark, "pending": pending,
            "oldest_pending_seconds": round(lag, 1), "behind_the_log": behind, "indexer": state.mode}
