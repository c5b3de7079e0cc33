"""``/search`` (results page) and ``/search/suggest`` (type-ahead JSON)."""

from __future__ import annotations

from flask import jsonify, render_template, request

from shop.i18n import current_language
from shop.search import bp, kinds, services


@bp.get("/search")
def search():
    params = services.parse_params(request.args)
    page = services.search(params, current_language())
    status = 503 if page.unavailable else 200
    return render_template("search/results.html", page=page, sort_labels=services.SORT_LABELS,
                           window_labels=kinds.WINDOW_LABELS), status


@bp.get("/search/suggest")
def suggest():
    q = request.args.get("q", "")
    suggestions = services.suggest(q, current_language())
    response = jsonify({
        "q": q,
        "suggestions": [{"kind": s.kind, "text": s.text, "url": s.url} for s in suggestions],
    })
    response.headers["Cache-Control"] = "private, max-age=30"
    return response
