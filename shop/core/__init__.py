"""Site-wide endpoints that belong to no area: health check and uploaded media."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from shop.core import views  # noqa: E402,F401
