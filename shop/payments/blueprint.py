"""The payments area's blueprint: ``views.py`` (slips, paying), ``refund_views.py`` and
``webhook_views.py`` put their pages on it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("payments", __name__)
