"""The cart area's blueprint: ``views.py`` (cart and checkout) and ``address_views.py``
(saved addresses) put their pages on it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cart", __name__)
