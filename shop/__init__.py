"""Chumchon Market: the application factory and its ``register_*`` steps."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

import shop.models  # noqa: F401  (every table, for SQLAlchemy and Alembic)
from config import get_config, secret_key_problem
from shop import errors, reports, spreadsheets, track  # noqa: F401  (reports, track: areas still growing)
from shop.accounts import bp as accounts_bp
from shop.accounts.sessions import load_user
from shop.accounts.views import keep_in_session
from shop.admin import bp as admin_bp
from shop.api import idempotency
from shop.api.app import init_app as init_api
from shop.cart import CART_SESSION_KEY
from shop.cart import services as cart_services
from shop.cart.services import merge_guest_cart
from shop.cart.views import bp as cart_bp
from shop.cart.views import header_cart_key
from shop.catalog import bp as catalog_bp
from shop.catalog import demo as catalog_demo
from shop.catalog import listing_status, seo
from shop.cli import register_cli
from shop.core import bp as core_bp
from shop.database import install_connection_checks, install_sqlite_tuning
from shop.experiences import cart as experience_cart
from shop.experiences import demo as experiences_demo
from shop.experiences import search as experience_search
from shop.experiences import services as experience_services
from shop.experiences.models import Experience, ExperiencePhoto, ExperienceSession
from shop.experiences.views import bp as experiences_bp
from shop.extensions import csrf, db, limiter, login_manager, migrate
from shop.i18n import init_i18n
from shop.invoicing import services as invoicing_services
from shop.invoicing.views import bp as invoicing_bp
from shop.ledger import services as ledger_services
from shop.ledger.views import bp as ledger_bp
from shop.mentoring import demo as mentoring_demo
from shop.mentoring.views import init_app as init_mentoring
from shop.orders import cli as orders_cli
from shop.orders import demo as orders_demo
from shop.orders import inventory
from shop.orders import services as order_services
from shop.orders import views as order_views
from shop.orders.document_views import bp as documents_bp
from shop.orders.views import bp as orders_bp
from shop.page_cache import init_page_cache
from shop.payments import refunds, slips, webhooks
from shop.payments.providers import allow_checkout_redirect
from shop.payments.providers import flow as payment_flow
from shop.payments.views import bp as payments_bp
from shop.quotes import demo as quotes_demo
from shop.quotes import services as quote_services
from shop.quotes.views import bp as quotes_bp
from shop.reports.views import bp as reports_bp
from shop.reviews import demo as reviews_demo
from shop.reviews import services as review_services
from shop.reviews.views import bp as reviews_bp
from shop.search import indexer as search_indexer
from shop.search import init_app as init_search
from shop.search import kinds as search_kinds
from shop.search import outbox as search_outbox
from shop.security import init_security
from shop.sellers import bp as sellers_bp
from shop.sellers import views as seller_views
from shop.templating import init_templating
from shop.track import dashboard as track_dashboard
from shop.track import demo as track_demo
from shop.track.views import bp as track_bp

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: Mapping[str, Any] | str | None = None) -> Flask:
    """Build the app. ``test_config`` is a config name or a mapping of overrides
    applied on top of ``TestingConfig``."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_DIR") or os.path.join(ROOT_DIR, "instance"),
        template_folder=os.path.join(ROOT_DIR, "templates"),
        static_folder=os.path.join(ROOT_DIR, "static"),
    )
    configure(app, test_config)
    register_proxies(app)
    register_extensions(app)
    register_i18n(app)
    register_security(app)
    register_blueprints(app)
    register_hooks(app)
    register_page_cache(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: Mapping[str, Any] | str | None) -> None:
    if isinstance(test_config, str):
        app.config.from_object(get_config(test_config))
    elif test_config is not None:
        app.config.from_object(get_config("testing"))
        app.config.update(test_config)
    else:
        app.config.from_object(get_config())
    if app.config["PRODUCTION"]:
        problem = secret_key_problem(app.config.get("SECRET_KEY"))
        if problem:
            raise RuntimeError(f"Refusing to start in production: {problem}. Set SECRET_KEY to a random value, "
                               "e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'.")
    backend = app.config.get("STORAGE_BACKEND") or "local"
    if backend not in ("local", "s3"):
        raise RuntimeError(f"STORAGE_BACKEND must be local or s3, not {backend!r}.")
    if backend == "s3" and not app.config.get("S3_BUCKET"):
        raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for a store that is not AWS).")
    os.makedirs(app.instance_path, exist_ok=True)


def register_proxies(app: Flask) -> None:
    """Believe ``TRUSTED_PROXIES`` hops of ``X-Forwarded-For`` and ``X-Forwarded-Proto``.

    With the default 0 nothing is believed: ``request.remote_addr`` is the peer of the
    connection, so a client cannot choose the address that sign-in throttling and
    Flask-Limiter see. Behind N proxies that each append to those headers, set N: the
    N-th address from the right is the client (anything the client sent itself sits
    further left and is ignored).
    """
    hops = app.config.get("TRUSTED_PROXIES") or 0
    if not isinstance(hops, int) or hops < 0:
        raise RuntimeError(f"TRUSTED_PROXIES must be a number of proxy hops (0 or more), not {hops!r}")
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        install_sqlite_tuning(db.engine)
        install_connection_checks(db.engine)
    migrate.init_app(app, db, directory=os.path.join(ROOT_DIR, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def register_i18n(app: Flask) -> None:
    init_i18n(app)


def register_security(app: Flask) -> None:
    init_security(app)
    spreadsheets.init_app(app)  # every text/csv answer went through the formula guard


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(core_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(accounts_bp, url_prefix="/account")
    init_search(app)  # its blueprint, the indexer and the index health check
    app.register_blueprint(sellers_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(cart_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(quotes_bp)
    app.register_blueprint(experiences_bp)
    app.register_blueprint(invoicing_bp)
    app.register_blueprint(reviews_bp)
    init_mentoring(app)  # its blueprint and the seller pages' mentor banner
    app.register_blueprint(track_bp)
    app.register_blueprint(reports_bp)
    init_api(app)


def register_page_cache(app: Flask) -> None:
    """Storefront pages kept for visitors who are not signed in, until the catalogue's
    change log (the search index's) moves on (docs/caching.md)."""
    init_page_cache(app, lambda: search_indexer.log_generation(app),
                    part_keys={"partials/header_cart.html": header_cart_key})


def register_hooks(app: Flask) -> None:
    """What the upper areas do at the lower areas' steps (``shop/hooks.py``): a lower
    area calls its hook and never imports the area that answers."""
    # Accounts: a guest's cart survives signing in and joins the account's cart.
    keep_in_session(app, CART_SESSION_KEY, at_sign_in=merge_guest_cart)
    # The catalogue: search re-indexes listings moved by an UPDATE statement; the demo
    # catalogue gets past orders, booked in the ledgers, and a request for quote.
    listing_status.products_updated.connect(app, search_outbox.enqueue_products)
    catalog_demo.demo_catalogue_loaded.connect(app, orders_demo.add_to_demo)
    catalog_demo.demo_catalogue_loaded.connect(app, ledger_services.add_to_demo)
    catalog_demo.demo_catalogue_loaded.connect(app, quotes_demo.add_to_demo)
    catalog_demo.demo_catalogue_loaded.connect(app, reviews_demo.add_to_demo)
    catalog_demo.demo_catalogue_loaded.connect(app, track_demo.add_to_demo)
    catalog_demo.demo_catalogue_loaded.connect(app, mentoring_demo.add_to_demo)  # after the programmes
    catalog_demo.demo_catalogue_loaded.connect(app, experiences_demo.add_to_demo)
    # A product's schema.org data carries its latest shown reviews.
    seo.product_reviews.connect(app, review_services.json_ld_reviews)
    # The seller dashboard: the track adds the channel mix, margin, payouts and its
    # checklist card.
    seller_views.dashboard_sections.connect(app, track_dashboard.dashboard_sections)
    # Orders: the ledger books a paid order; payments say whether one is being paid,
    # and let "Pay now" on an order page go to a provider's hosted checkout; the
    # sweeper deletes the API's expired idempotency keys and expires lapsed requests
    # for quote too.
    order_services.order_paid.connect(app, ledger_services.record_paid_order)
    order_services.payment_under_review.connect(app, slips.slip_waiting)
    order_services.payment_under_way.connect(app, payment_flow.payment_under_way)
    order_views.order_page_response.connect(app, allow_checkout_redirect)
    orders_cli.sweep_chores.connect(app, idempotency.sweep_expired_keys)
    orders_cli.sweep_chores.connect(app, quote_services.sweep_lapsed_quotes)
    # Experiences: a booking's seats go back with its order's hold; the sweeper sends
    # the day-before reminders.
    inventory.stock_released.connect(app, experience_services.release_seats)
    orders_cli.sweep_chores.connect(app, experience_services.reminders_chore)
    # Experiences show on the province and enterprise pages: cached pages follow them.
    search_outbox.track_page_models(Experience, ExperienceSession, ExperiencePhoto)
    # The cart holds experience bookings beside products: priced, checked and placed here.
    cart_services.booking_lines.connect(app, experience_cart.booking_lines)
    cart_services.place_bookings.connect(app, experience_cart.place_bookings)
    search_kinds.other_kinds.connect(app, experience_search.search_experiences)
    # Invoices: what was received on an open invoice (a cancellation never goes below
    # it), and the sweeper sends the invoices' reminders.
    order_services.received_on_account.connect(app, invoicing_services.received_for)
    orders_cli.sweep_chores.connect(app, invoicing_services.reminders_chore)
    # Search: the sweeper prunes the change log every host's index follows.
    orders_cli.sweep_chores.connect(app, search_indexer.prune_chore)
    # Payments: the ledger books refunds, direct payments and Connect payouts.
    refunds.refund_succeeded.connect(app, ledger_services.apply_refund_entries)
    refunds.refund_committed.connect(app, ledger_services.claw_back)
    slips.paid_to_enterprise.connect(app, ledger_services.apply_direct_payment)
    webhooks.order_paid_committed.connect(app, ledger_services.create_connect_payouts)


def register_error_handlers(app: Flask) -> None:
    errors.register_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    init_templating(app)


def register_commands(app: Flask) -> None:
    register_cli(app)
