"""Search (PRODUCT.md §4): Whoosh full-text search over live products, in Thai and
English. ``docs/search.md`` describes the design; ``init_app`` wires it into the app."""

from __future__ import annotations

import os

from flask import Blueprint, Flask

bp = Blueprint("search", __name__)


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def init_app(app: Flask) -> None:
    """Config defaults, the per-app index handle, session events and the health check."""
    from shop.core.health import register_check
    from shop.search.indexer import health
    from shop.search.outbox import install_session_events

    default_mode = "off" if app.config.get("TESTING") else "thread"
    app.config.setdefault("SEARCH_INDEXER", _env("SEARCH_INDEXER", default_mode))
    app.config.setdefault("SEARCH_POLL_SECONDS", float(_env("SEARCH_POLL_SECONDS", "1.5")))
    app.config.setdefault("SEARCH_BATCH_SIZE", int(_env("SEARCH_BATCH_SIZE", "500")))
    app.config.setdefault("SEARCH_RESULT_CACHE", int(_env("SEARCH_RESULT_CACHE", "256")))
    app.config.setdefault("SEARCH_REBUILD_MEMORY_MB", int(_env("SEARCH_REBUILD_MEMORY_MB", "512")))
    app.config.setdefault("SEARCH_MAX_LAG_SECONDS", float(_env("SEARCH_MAX_LAG_SECONDS", "120")))
    app.config.setdefault("SEARCH_WARM_ON_START", not app.config.get("TESTING"))
    install_state(app)
    install_session_events()
    register_check(app, "search_index", lambda: health(app))
    app.register_blueprint(bp)
    if app.config["SEARCH_WARM_ON_START"]:
        from shop.search.analysis import segmenter

        segmenter()  # ~0.1 s once per process, instead of inside the first search


def install_state(app: Flask) -> None:
    """The app's search state: a handle on the index folder the config names (a fresh
    one, with empty caches, each time this is called)."""
    from shop.search.index import IndexHandle
    from shop.search.indexer import EXTENSION_KEY, SearchState

    mode = str(app.config["SEARCH_INDEXER"]).lower()
    if mode not in ("thread", "inline", "off"):
        raise RuntimeError("SEARCH_INDEXER must be thread, inline or off")
    index_dir = app.config.get("SEARCH_INDEX_DIR") or os.path.join(app.instance_path, "search-index")
    app.extensions[EXTENSION_KEY] = SearchState(
        handle=IndexHandle(index_dir),
        mode=mode,
        poll_seconds=float(app.config["SEARCH_POLL_SECONDS"]),
        batch_size=int(app.config["SEARCH_BATCH_SIZE"]),
    )


from shop.search import views  # noqa: E402,F401
