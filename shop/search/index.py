"""The on-disk Whoosh index: opening it, one searcher per process, and its state.

Each process keeps one ``IndexHandle`` per app. It opens the index once and, before
each search, checks (one directory listing) whether a writer committed a newer
generation or a rebuild swapped in a new directory; only then does it open a new
searcher. Old searchers are never closed explicitly: a thread may still be using one,
and Whoosh's ``Searcher.refresh()`` would close readers under it. They are collected
when the last request using them ends.

A small ``chumchon-meta.json`` beside Whoosh's files records the schema version the
index was built with, when, and the last outbox row applied.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from shop.search.schema import SCHEMA_VERSION

META_FILE = "chumchon-meta.json"
INDEX_NAME = "products"


class IndexUnavailable(Exception):
    """The index is missing, unreadable or built with another schema: rebuild it."""

    def __init__(self, state: str, detail: str = ""):
        self.state = state
        self.detail = detail
        super().__init__(f"search index {state}: {detail}" if detail else f"search index {state}")


@dataclass
class OpenSearcher:
    searcher: Searcher
    generation: int
    dir_inode: int
    opened_at: float

    @property
    def key(self) -> tuple[int, int]:
        return (self.dir_inode, self.generation)


def read_meta(path: str | os.PathLike) -> dict:
    try:
        with open(Path(path) / META_FILE, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def write_meta(path: str | os.PathLike, **changes) -> None:
    """Update the meta file atomically (write a temporary file, then rename it)."""
    path = Path(path)
    meta = read_meta(path)
    meta.update(changes)
    tmp = path / f".{META_FILE}.{os.getpid()}.{threading.get_ident()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False)
    os.replace(tmp, path / META_FILE)


def _has_toc(path: str) -> bool:
    """Whether a table of contents is there (without unpickling it, which could fail)."""
    try:
        return any(name.startswith(f"_{INDEX_NAME}_") and name.endswith(".toc") for name in os.listdir(path))
    except OSError:
        return False


def index_exists(path: str) -> bool:
    """An index is there and its table of contents can be read."""
    if not _has_toc(path):
        return False
    try:
        return whoosh_index.exists_in(path, indexname=INDEX_NAME)
    except Exception:  # an unreadable TOC (e.g. a schema class that no longer exists)
        return False


class IndexHandle:
    def __init__(self, path: str):
        self.path = str(path)
        self._lock = threading.Lock()
        self._ix: FileIndex | None = None
        self._ix_inode: int | None = None
        self._current: OpenSearcher | None = None

    # --- opening -------------------------------------------------------------

    def _dir_inode(self) -> int:
        try:
            return os.stat(self.path).st_ino
        except OSError:
            raise IndexUnavailable("missing", self.path) from None

    def exists(self) -> bool:
        return index_exists(self.path)

    def index(self) -> FileIndex:
        """The Whoosh index object (reopened if a rebuild replaced the directory)."""
        inode = self._dir_inode()
        ix = self._ix
        if ix is None or self._ix_inode != inode:
            if not _has_toc(self.path):
                raise IndexUnavailable("missing", self.path)
            meta = read_meta(self.path)
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise IndexUnavailable("outdated", f"schema {meta.get('schema_version')} != {SCHEMA_VERSION}")
            try:
                ix = whoosh_index.open_dir(self.path, indexname=INDEX_NAME)
            except Exception as exc:  # any failure to read the TOC means a broken index
                raise IndexUnavailable("corrupt", f"{type(exc).__name__}: {exc}") from exc
            self._ix, self._ix_inode = ix, inode
        return ix

    def searcher(self) -> OpenSearcher:
        """A searcher over the latest committed generation."""
        inode = self._dir_inode()
        current = self._current
        if current is not None and current.dir_inode == inode:
            try:
                if self._ix is not None and self._ix.latest_generation() == current.generation:
                    return current
            except OSError:
                pass  # the directory is being swapped; fall through and reopen
        with self._lock:
            current = self._current
            ix = self.index()
            generation = ix.latest_generation()
            if current is not None and current.key == (self._ix_inode, generation):
                return current
            try:
                searcher = ix.searcher()
            except Exception as exc:
                raise IndexUnavailable("corrupt", f"{type(exc).__name__}: {exc}") from exc
            opened = OpenSearcher(searcher, searcher.reader().generation(), self._ix_inode or inode, time.monotonic())
            self._current = opened
            return opened

    def forget(self) -> None:
        """Drop cached objects (after a rebuild in this process)."""
        with self._lock:
            self._ix = None
            self._ix_inode = None
            self._current = None

    # --- state ---------------------------------------------------------------

    def state(self) -> dict:
        """``state`` is ok, missing, outdated or corrupt, with the document count."""
        try:
            opened = self.searcher()
        except IndexUnavailable as exc:
            return {"state": exc.state, "detail": exc.detail, "documents": 0}
        meta = read_meta(self.path)
        return {
            "state": "ok",
            "documents": opened.searcher.doc_count(),
            "generation": opened.generation,
            "segments": len(opened.searcher.reader().leaf_readers()) if not opened.searcher.reader().is_atomic() else 1,
            "last_indexed_outbox_id": meta.get("last_outbox_id"),
            "built_at": meta.get("built_at"),
            "segmenter": meta.get("segmenter"),
        }
