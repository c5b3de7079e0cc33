"""A small cache for rendered fragments that every visitor sees alike.

The home page's product and enterprise sections are the same for every visitor in a
language and cost most of the page's time; keeping the rendered HTML for a few
seconds (``FRAGMENT_CACHE_SECONDS``) makes the busiest page cheap, at the price of a
new listing appearing there that much later. Nothing user-specific may be cached here.

On one machine each web worker keeps its own copy. With ``REDIS_URL`` set the home
page's sections live in Redis, shared by every worker and host, so two hosts never show
different home pages; when Redis does not answer, the fragment is rendered (never an
error).

``local_cache`` keeps computed values (not text) in the worker's memory: the public
impact figures (``IMPACT_CACHE_SECONDS``, docs/impact.md), which every host computes
from the same ledger and which are never more than that many seconds behind it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

log = logging.getLogger(__name__)
T = TypeVar("T")


class FragmentCache:
    def __init__(self, max_entries: int = 64) -> None:
        self._entries: dict[Hashable, tuple[float, object]] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get_or_render(self, key: Hashable, render: Callable[[], T], ttl: float) -> T:
        if ttl <= 0:
            return render()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        html = render()
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = (now + ttl, html)
        return html

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisFragmentCache:
    """The same interface, the entries in Redis with their time to live."""

    PREFIX = "chumchon:fragment:"

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)

    def _key(self, key: Hashable) -> str:
        return self.PREFIX + hashlib.sha256(repr(key).encode("utf-8")).hexdigest()

    def get_or_render(self, key: Hashable, render: Callable[[], str], ttl: float) -> str:
        if ttl <= 0:
            return render()
        name = self._key(key)
        try:
            cached = self._client.get(name)
        except Exception:  # noqa: BLE001 - the cache is an optimisation; log and render
            log.warning("fragment cache: Redis did not answer; rendering", exc_info=True)
            return render()
        if cached is not None:
            return cached.decode("utf-8")
        html = render()
        try:
            self._client.set(name, html.encode("utf-8"), px=max(1, int(ttl * 1000)))
        except Exception:  # noqa: BLE001
            log.warning("fragment cache: Redis did not take the entry", exc_info=True)
        return html

    def clear(self) -> None:
        try:
            for name in self._client.scan_iter(match=self.PREFIX + "*", count=500):
                self._client.delete(name)
        except Exception:  # noqa: BLE001
            log.warning("fragment cache: Redis did not answer the clear", exc_info=True)


def fragment_cache() -> FragmentCache | RedisFragmentCache:
    cache = current_app.extensions.get("chumchon_fragments")
    if cache is None:
        url = current_app.config.get("REDIS_URL") or ""
        cache = RedisFragmentCache(url) if url else FragmentCache()
        current_app.extensions["chumchon_fragments"] = cache
    return cache


def local_cache() -> FragmentCache:
    """This worker's cache of computed values (see the module docstring)."""
    return current_app.extensions.setdefault("chumchon_local_values", FragmentCache())


def cached_fragment(key: Hashable, render: Callable[[], str]) -> str:
    ttl = float(current_app.config["FRAGMENT_CACHE_SECONDS"])
    return fragment_cache().get_or_render(key, render, ttl)
