"""``/healthz`` for load balancers and operators (details for staff and the machine
itself only, see ``shop.core.health``), ``/media/<key>`` for uploads, and
``/favicon.ico`` for the browsers and feed readers that ask for it by that name."""

from __future__ import annotations

from flask import abort, current_app, jsonify, send_from_directory

from shop import storage
from shop.core import bp
from shop.core.health import may_see_details, public_report, run_checks


@bp.get("/healthz")
def healthz():
    report = run_checks()
    status = 200 if report["status"] == "ok" else 503
    response = jsonify(report if may_see_details() else public_report(report))
    response.status_code = status
    # The details depend on who asks: no cache may keep one audience's answer.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/favicon.ico")
def favicon():
    response = send_from_directory(current_app.static_folder, "img/favicon.ico", mimetype="image/vnd.microsoft.icon",
                                   max_age=86_400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/media/<path:key>")
def media(key: str):
    # Private files (payment slips) are served by their own area's access-checked views.
    if not storage.is_valid_key(key) or storage.is_private(key):
        abort(404)
    # Keys are random and never reused for other content: cached for a year.
    response = storage.file_response(key, private=False)
    if response is None:
        abort(404)
    return response
