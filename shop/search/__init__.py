"""Search (docs/product.md: Search): Whoosh full-text search over live products, in Thai
and English. ``docs/search.md`` describes the design; ``init_app`` wires it into the
app."""

from __future__ import annotations

from flask import Blueprint, Flask

from shop.core.health import register_check
from shop.search.analysis import warm_analysis
from shop.search.index import IndexHandle
from shop.search.indexer import EXTENSION_KEY, SearchState, ensure_thread, health
from shop.search.outbox import install_session_events
from shop.thai import segmenter

bp = Blueprint("search", __name__)


def init_app(app: Flask) -> None:
    """The per-app index handle, session events and the health check (the settings are
    in ``config.py``)."""
    install_state(app)
    install_session_events()
    register_check(app, "search_index", lambda: health(app))
    app.register_blueprint(bp)

    @app.before_request
    def _start_the_indexer() -> None:
        # In thread mode each process (after gunicorn's fork) starts its indexer at its
        # first request, whatever it is: a host with no index yet builds it while the
        # load balancer's health checks come in, before any search.
        ensure_thread(app)
    if app.config["SEARCH_WARM_ON_START"]:
        segmenter()  # ~0.1 s once per process, instead of inside the first search
        warm_analysis()  # the word list for compound parts and the romaniser, likewise


def install_state(app: Flask) -> None:
    """The app's search state: a handle on the index folder the config names (a fresh
    one, with empty caches, each time this is called)."""
    mode = str(app.config["SEARCH_INDEXER"]).lower()
    if mode not in ("thread", "inline", "off"):
        raise RuntimeError("SEARCH_INDEXER must be thread, inline or off")
    app.extensions[EXTENSION_KEY] = SearchState(
        handle=IndexHandle(app.config["SEARCH_INDEX_DIR"]),
        mode=mode,
        poll_seconds=float(app.config["SEARCH_POLL_SECONDS"]),
        batch_size=int(app.config["SEARCH_BATCH_SIZE"]),
        gap_seconds=float(app.config["SEARCH_LOG_GAP_SECONDS"]),
    )


from shop.search import views  # noqa: E402,F401
