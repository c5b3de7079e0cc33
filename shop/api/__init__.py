"""The JSON API under ``/api/v1`` (docs/product.md: Contracts), described by the OpenAPI
3.1 document at ``/api/v1/openapi.json``.

It calls the same services as the pages and applies the same role and object checks.
Requests authenticate with a personal API token (``Authorization: Bearer cm_…``);
the catalogue is readable without one. Every answer is JSON, errors included
(``{"error": {"code", "message", "fields"}}``), in the language the client asks for
with ``Accept-Language`` (Thai by default).
"""

from __future__ import annotations

from flask import Blueprint, Flask

API_PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)


def init_app(app: Flask) -> None:
    # Every endpoint module registers its operations on ``bp`` when imported.
    from shop.api import account_views, auth, buying_views, catalog_views, openapi, routing, selling_views  # noqa: F401
    from shop.extensions import csrf

    # Token-authenticated: no cookie is read for identity, so no CSRF token applies.
    csrf.exempt(bp)
    auth.install_rate_limits(bp)
    routing.install(app, bp)
    app.register_blueprint(bp)
