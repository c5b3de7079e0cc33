"""Whole pages for visitors who are not signed in, kept rendered until the catalogue
changes (docs/caching.md).

A view decorated with ``cached_page`` answers a GET or HEAD from a visitor with no
signed-in user, no flashed message waiting and no ``Authorization`` header from the
cache when it can. The key is the *catalogue generation*, the language, the host,
the path and the query string with its parameters sorted; the generation changes
whenever the catalogue's change log (the one every host's search index follows) gets
a row, so an edit, a new price or a sale that changes stock reaches every cached page
within ``PAGE_CACHE_CHECK_SECONDS``: each worker reads the generation from the
database at most that often. A view whose answer depends on more than the database
adds it to the key (``cached_page(key=…)``: the search pages, the state of the index
they were searched in).

What differs between visitors is never stored:

* the CSRF token: while a page is rendered for the cache, Flask-WTF's per-request
  token (``g.csrf_token``) is a fixed placeholder, and each answer replaces it with
  the visitor's own token (which sets the session cookie of a visitor who had none,
  as the page itself would have);
* the parts of a page named with the ``visitor_part`` template global (the header's
  cart link): stored as a marker, drawn for each answer from the visitor's session.

A response is stored only when it is a 200 that set no cookie, is not streamed and
whose view left the session as it found it (what happened before the view, such as
Flask-Login marking a guest's session, is the visitor's own and is saved as usual). Answers carry a weak ETag (the stored page's digest
with the visitor's parts) and ``If-None-Match`` gets a 304.

Without ``REDIS_URL`` each worker keeps its own pages (a least-recently-used store
bounded by ``PAGE_CACHE_ENTRIES`` and ``PAGE_CACHE_MEGABYTES``); with it, every
worker and host shares them in Redis, and a Redis that does not answer only means
the page is rendered. Entries also expire after ``PAGE_CACHE_MAX_AGE_SECONDS``, the
bound for what a page shows that the change log does not follow (a track step).

``remembered(key, compute)`` keeps a computed value for the current generation (the
JSON API's list totals).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

log = logging.getLogger(__name__)
T = TypeVar("T")

EXTENSION_KEY = "chumchon_pages"
READER_KEY = "chumchon_pages_generation"
PART_KEYS = "chumchon_pages_part_keys"
#: Flask-WTF keeps the request's token in ``g`` under its field name (the default,
#: which this project keeps).
CSRF_FIELD = "csrf_token"
#: Stands for the visitor's CSRF token in a stored page: letters and digits only, so
#: HTML escaping leaves it as it is.
CSRF_PLACEHOLDER = "pagecacheCsrf7f3a9c1e5b"
_SLOT = "<!--visitor-part:{}-->"
#: Longer query strings are answered without the cache (nobody links to them).
MAX_QUERY_LENGTH = 512
_HEADERS_NOT_KEPT = frozenset({"content-length", "set-cookie", "etag", "cache-control"})


@dataclass(frozen=True)
class PageEntry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    csrf: bool  # the body holds CSRF_PLACEHOLDER
    slots: tuple[str, ...]  # visitor parts (template names) marked in the body

    def to_bytes(self) -> bytes:
        head = {"headers": self.headers, "etag": self.etag, "csrf": self.csrf, "slots": self.slots}
        return json.dumps(head).encode("utf-8") + b"\n" + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> PageEntry:
        head, _, body = data.partition(b"\n")
        fields = json.loads(head)
        return cls(body=body, headers=tuple(tuple(h) for h in fields["headers"]), etag=fields["etag"],
                   csrf=bool(fields["csrf"]), slots=tuple(fields["slots"]))


class LocalPageStore:
    """This worker's pages, least recently used first out, bounded in entries and bytes."""

    def __init__(self, max_entries: int, max_bytes: int, max_age: float) -> None:
        self._entries: OrderedDict[Hashable, tuple[float, PageEntry]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.max_entries, self.max_bytes, self.max_age = max_entries, max_bytes, max_age

    def get(self, key: Hashable) -> PageEntry | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, entry: PageEntry) -> None:
        size = len(entry.body)
        if size > self.max_bytes // 4:
            return  # one page may not push out a quarter of the others
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic() + self.max_age, entry)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        _expires, entry = self._entries.pop(key)
        self._bytes -= len(entry.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


class RedisPageStore:
    """The same interface, the pages in Redis (every worker and host)."""

    PREFIX = "chumchon:page:"

    def __init__(self, url: str, max_age: float) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.max_age = max_age

    def _name(self, key: Hashable) -> str:
        return self.PREFIX + hashlib.sha256(repr(key).encode("utf-8")).hexdigest()

    def get(self, key: Hashable) -> PageEntry | None:
        try:
            data = self._client.get(self._name(key))
        except Exception:  # noqa: BLE001 - the cache is an optimisation; log and render
            log.warning("page cache: Redis did not answer; rendering", exc_info=True)
            return None
        if data is None:
            return None
        try:
            return PageEntry.from_bytes(data)
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, key: Hashable, entry: PageEntry) -> None:
        try:
            self._client.set(self._name(key), entry.to_bytes(), px=max(1, int(self.max_age * 1000)))
        except Exception:  # noqa: BLE001
            log.warning("page cache: Redis did not take the page", exc_info=True)

    def clear(self) -> None:
        try:
            for name in self._client.scan_iter(match=self.PREFIX + "*", count=500):
                self._client.delete(name)
        except Exception:  # noqa: BLE001
            log.warning("page cache: Redis did not answer the clear", exc_info=True)


class PageCache:
    """One app's page store, its view of the catalogue generation and its remembered
    values."""

    def __init__(self, store: LocalPageStore | RedisPageStore, read_generation: Callable[[], str],
                 check_seconds: float) -> None:
        self.store = store
        self._read_generation = read_generation
        self._check_seconds = check_seconds
        self._generation: str | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._values: dict[Hashable, Any] = {}
        self.parts: dict[Hashable, Markup] = {}  # visitor parts drawn, by their key

    def generation(self) -> str | None:
        """The catalogue generation, read again once it is ``check_seconds`` old; None
        when it cannot be read (then nothing is cached)."""
        now = time.monotonic()
        if now - self._checked_at < self._check_seconds:
            return self._generation
        with self._lock:
            if now - self._checked_at < self._check_seconds:
                return self._generation
            try:
                value = self._read_generation()
            except Exception:  # noqa: BLE001 - without a generation the pages are rendered
                log.warning("page cache: the catalogue generation could not be read", exc_info=True)
                value = None
            if value != self._generation:
                self._values = {}
                if isinstance(self.store, LocalPageStore):
                    self.store.clear()  # every page stored belongs to an older catalogue
            self._generation, self._checked_at = value, time.monotonic()
            return value

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        generation = self.generation()
        if generation is None:
            return compute()
        values = self._values
        full_key = (generation, key)
        if full_key in values:
            return values[full_key]
        value = compute()
        if len(values) >= 4096:
            values.clear()
        values[full_key] = value
        return value


# --- per app ------------------------------------------------------------------------


def init_page_cache(app: Flask, read_generation: Callable[[], str],
                    part_keys: dict[str, Callable[[], Hashable]] | None = None) -> None:
    """Keep pages for ``app`` when ``PAGE_CACHE_ENABLED``; ``read_generation`` reads the
    catalogue generation (a string that changes with every change-log row).

    ``part_keys`` names, for a visitor part's template, what it depends on besides the
    language (the cart link: the visitor's number of units): each answer then draws
    that part once per value, not once per request."""
    app.jinja_env.globals["visitor_part"] = visitor_part
    app.extensions.pop(EXTENSION_KEY, None)
    app.extensions[READER_KEY] = read_generation
    app.extensions[PART_KEYS] = dict(part_keys or {})


def page_cache() -> PageCache | None:
    """The app's page cache; None when ``PAGE_CACHE_ENABLED`` is off."""
    app = current_app._get_current_object()
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is not None:
        return cache
    config = app.config
    reader = app.extensions.get(READER_KEY)
    if not config["PAGE_CACHE_ENABLED"] or reader is None:
        return None
    max_age = float(config["PAGE_CACHE_MAX_AGE_SECONDS"])
    url = config["REDIS_URL"] or ""
    store: LocalPageStore | RedisPageStore
    if url:
        store = RedisPageStore(url, max_age)
    else:
        store = LocalPageStore(int(config["PAGE_CACHE_ENTRIES"]), int(config["PAGE_CACHE_MEGABYTES"]) * 1024 * 1024,
                               max_age)
    cache = PageCache(store, reader, float(config["PAGE_CACHE_CHECK_SECONDS"]))
    app.extensions[EXTENSION_KEY] = cache
    return cache


def catalogue_generation() -> str | None:
    """The catalogue generation when the page cache is on, else None."""
    cache = page_cache()
    return cache.generation() if cache is not None else None


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept for the current catalogue generation when the cache is on."""
    cache = page_cache()
    return cache.remembered(key, compute) if cache is not None else compute()


# --- the visitor's parts ------------------------------------------------------------


def visitor_part(template: str) -> Markup:
    """``{{ visitor_part("partials/x.html") }}``: that template drawn for this visitor;
    in a page rendered for the cache, a marker each answer replaces."""
    if g.get("page_cache_rendering"):
        g.page_cache_slots.add(template)
        return Markup(_SLOT.format(template))  # noqa: S704 - our own marker, no user text
    return _draw(template)


def _render_part(template: str) -> Markup:
    # Our own template, escaped as it renders; globals only (url_for, _, the cart count).
    return Markup(current_app.jinja_env.get_template(template).render())  # noqa: S704


def _draw(template: str) -> Markup:
    """The visitor part, drawn once per value of its key (``init_page_cache``)."""
    app = current_app._get_current_object()
    key_of = app.extensions.get(PART_KEYS, {}).get(template)
    cache = app.extensions.get(EXTENSION_KEY)
    if key_of is None or cache is None:
        return _render_part(template)
    key = (template, str(get_locale()), key_of())
    drawn = cache.parts.get(key)
    if drawn is None:
        drawn = _render_part(template)
        if len(cache.parts) >= 1024:
            cache.parts.clear()
        cache.parts[key] = drawn
    return drawn


# --- the decorator ------------------------------------------------------------------


def _may_use_cache() -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.headers.get("Authorization") is not None:
        return False
    if len(request.query_string) > MAX_QUERY_LENGTH:
        return False
    if "_flashes" in session:
        return False
    return not current_user.is_authenticated


def _key(generation: str) -> tuple:
    query = tuple(sorted(request.args.items(multi=True)))
    return (generation, str(get_locale()), request.scheme, request.host, request.path, query)


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        and "no-store" not in (response.headers.get("Cache-Control") or "")
    )


def _entry_of(response: Response, slots: set[str]) -> PageEntry:
    body = response.get_data()
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in _HEADERS_NOT_KEPT)
    return PageEntry(body=body, headers=headers, etag=hashlib.sha256(body).hexdigest()[:32],
                     csrf=CSRF_PLACEHOLDER.encode() in body, slots=tuple(sorted(slots)))


def _csrf_identity() -> str:
    """What the visitor's token depends on: the secret in their session, and the half of
    ``WTF_CSRF_TIME_LIMIT`` we are in (so a page kept by a browser after a 304 holds a
    token that still has half its life)."""
    raw = session.get(CSRF_FIELD)
    if not raw:
        return "none"
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT") or 0
    bucket = int(time.time() // max(1, limit // 2)) if limit else 0
    return f"{raw}:{bucket}"


def _answer(entry: PageEntry, vary: tuple[str, ...], cache_control: str | None = None) -> Response:
    """The stored page for this visitor: their parts drawn, their token filled in."""
    parts = [(slot, _draw(slot)) for slot in entry.slots]
    token = None
    if entry.csrf:
        g.pop(CSRF_FIELD, None)
        token = generate_csrf()  # first: a visitor without a session gets their secret now
    etag = entry.etag
    if parts or entry.csrf:
        mix = hashlib.sha256(etag.encode())
        for _slot, html in parts:
            mix.update(html.encode("utf-8"))
        if entry.csrf:
            mix.update(_csrf_identity().encode("utf-8"))
        etag = f"{etag[:16]}{mix.hexdigest()[:16]}"
    private = bool(parts or entry.csrf)
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        body = entry.body
        for slot, html in parts:
            body = body.replace(_SLOT.format(slot).encode(), html.encode("utf-8"))
        if token is not None:
            body = body.replace(CSRF_PLACEHOLDER.encode(), token.encode())
        response = current_app.response_class(body, status=200)
        for name, value in entry.headers:
            response.headers[name] = value
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "private, no-cache" if private else (cache_control or "no-cache")
    for name in vary:
        response.vary.add(name)
    return response


def cached_page(view: Callable | None = None, *, vary: tuple[str, ...] = (),
                key: Callable[[], Hashable | None] | None = None, cache_control: str | None = None) -> Callable:
    """Serve ``view`` from the page cache where the rules above allow (``vary``: request
    headers the answer depends on besides the cookie, e.g. ``Accept-Language``).

    ``key``: what the answer depends on besides the catalogue generation and the request
    (the search pages: the state of the index they read), added to the key. It is
    called before the page is looked up or rendered, so a page rendered from older data
    is never stored under a newer key; when it returns None the request is answered
    without the cache. ``cache_control``: the ``Cache-Control`` of answers that hold
    no visitor part (``no-cache`` by default)."""

    def decorate(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapper(*args, **kwargs):
            cache = page_cache()
            if cache is None or not _may_use_cache():
                return fn(*args, **kwargs)
            generation = cache.generation()
            if generation is None:
                return fn(*args, **kwargs)
            page_key = _key(generation)
            if key is not None:
                extra = key()
                if extra is None:
                    return fn(*args, **kwargs)
                page_key = (*page_key, extra)
            entry = cache.store.get(page_key)
            if entry is not None:
                return _answer(entry, vary, cache_control)
            # Whether the view itself writes the session (what came before it is kept).
            modified_before, session.modified = session.modified, False
            g.page_cache_rendering, g.page_cache_slots = True, set()
            setattr(g, CSRF_FIELD, CSRF_PLACEHOLDER)
            try:
                response = current_app.make_response(fn(*args, **kwargs))
            finally:
                view_wrote_session = session.modified
                session.modified = session.modified or modified_before
                slots = g.pop("page_cache_slots", set())
                g.pop("page_cache_rendering", None)
                if g.get(CSRF_FIELD) == CSRF_PLACEHOLDER:
                    g.pop(CSRF_FIELD)
            if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
                return _fill(response, slots)
            entry = _entry_of(response, slots)
            if _storable(response) and not view_wrote_session:
                cache.store.put(page_key, entry)
                return _answer(entry, vary, cache_control)
            return _fill(response, slots)

        return wrapper

    return decorate(view) if view is not None else decorate


def _fill(response: Response, slots: set[str]) -> Response:
    """A response rendered for the cache but not stored: the visitor's parts filled in."""
    if response.is_streamed or response.direct_passthrough:
        return response
    body = response.get_data()
    changed = False
    for slot in slots:
        marker = _SLOT.format(slot).encode()
        if marker in body:
            body = body.replace(marker, _draw(slot).encode("utf-8"))
            changed = True
    if CSRF_PLACEHOLDER.encode() in body:
        body = body.replace(CSRF_PLACEHOLDER.encode(), generate_csrf().encode())
        changed = True
    if changed:
        response.set_data(body)
    return response
