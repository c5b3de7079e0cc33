"""The API's blueprint under ``API_PREFIX``: the endpoint modules register their
operations on it (``routing.operation``), ``app.init_app`` registers it."""

from __future__ import annotations

from flask import Blueprint

API_PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
