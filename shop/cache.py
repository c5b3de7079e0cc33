"""A small per-process cache for rendered fragments that every visitor sees alike.

The home page's product and enterprise sections are the same for every visitor in a
language and cost most of the page's time; keeping the rendered HTML for a few
seconds (``FRAGMENT_CACHE_SECONDS``) makes the busiest page cheap, at the price of a
new listing appearing there that much later. The public impact figures are kept here
too (``IMPACT_CACHE_SECONDS``, docs/impact.md). Each web worker keeps its own copy;
nothing user-specific may be cached here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

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


def fragment_cache() -> FragmentCache:
    return current_app.extensions.setdefault("chumchon_fragments", FragmentCache())


def cached_fragment(key: Hashable, render: Callable[[], str]) -> str:
    ttl = float(current_app.config["FRAGMENT_CACHE_SECONDS"])
    return fragment_cache().get_or_render(key, render, ttl)
