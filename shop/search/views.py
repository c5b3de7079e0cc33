"""``/search`` (results page) and ``/search/suggest`` (type-ahead JSON).

Both are answered from the page cache to visitors who are not signed in, keyed by the
state of the index they read as well as the catalogue generation
(``services.page_cache_key``, docs/caching.md: Search pages)."""

from __future__ import annotations

from flask import jsonify, render_template, request

from shop.i18n import current_language
from shop.page_cache import cached_page
from shop.search import bp, kinds, services

#: What the type-ahead's answers said before they were kept: browsers may reuse one for
#: 30 s (the box also keeps what it fetched).
SUGGEST_CACHE_CONTROL = "private, max-age=30"


@bp.get("/search")
@cached_page(key=services.page_cache_key)
def search():
    params = services.parse_params(request.args)
    page = services.search(params, current_language())
    status = 503 if page.unavailable else 200
    return render_template("search/results.html", page=page, sort_labels=services.SORT_LABELS,
                           window_labels=kinds.WINDOW_LABELS), status


@bp.get("/search/suggest")
@cached_page(key=services.page_cache_key, cache_control=SUGGEST_CACHE_CONTROL)
def suggest():
    q = request.args.get("q", "")
    suggestions = services.suggest(q, current_language())
    response = jsonify({
        "q": q,
        "suggestions": [{"kind": s.kind, "text": s.text, "url": s.url} for s in suggestions],
    })
    response.headers["Cache-Control"] = SUGGEST_CACHE_CONTROL
    return response
