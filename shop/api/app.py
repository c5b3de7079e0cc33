"""The API in the app: ``init_app`` registers the blueprint with every endpoint module
(each registers its operations on the blueprint when imported), exempt from CSRF and
under the API's rate limits."""

from __future__ import annotations

from flask import Flask

from shop.api import (  # noqa: F401
    account_views,
    auth,
    buying_views,
    catalog_views,
    experiences_views,
    openapi,
    quote_views,
    routing,
    selling_views,
)
from shop.api.blueprint import bp
from shop.extensions import csrf


def init_app(app: Flask) -> None:
    # Token-authenticated: no cookie is read for identity, so no CSRF token applies.
    csrf.exempt(bp)
    auth.install_rate_limits(bp)
    routing.install(app, bp)
    app.register_blueprint(bp)
