"""Hooks (``shop/hooks.py``): a lower area calls them, the app connects the areas above."""

from __future__ import annotations

from flask import Flask

from shop.api import idempotency
from shop.catalog import demo as catalog_demo
from shop.catalog import listing_status, seo
from shop.experiences import demo as experiences_demo
from shop.experiences import services as experience_services
from shop.hooks import Hook
from shop.invoicing import services as invoicing
from shop.ledger import services as ledger
from shop.mentoring import demo as mentoring_demo
from shop.orders import cli as orders_cli
from shop.orders import demo as orders_demo
from shop.orders import inventory
from shop.orders import services as order_services
from shop.orders import views as order_views
from shop.payments import refunds, slips, webhooks
from shop.payments.providers import allow_checkout_redirect
from shop.payments.providers import flow as payment_flow
from shop.quotes import demo as quotes_demo
from shop.quotes import services as quote_services
from shop.reviews import demo as reviews_demo
from shop.reviews import services as review_services
from shop.search import indexer as search_indexer
from shop.search import outbox as search_outbox
from shop.sellers import views as seller_views
from shop.track import dashboard as track_dashboard
from shop.track import demo as track_demo


def test_a_hook_with_nothing_connected_does_nothing():
    with Flask("plain").app_context():
        assert Hook("test.nothing")(1, 2) == []


def test_handlers_run_in_order_and_answer_on_their_app_only():
    hook = Hook("test.order")
    calls = []
    mine, other = Flask("mine"), Flask("other")
    hook.connect(mine, lambda x, *, y: calls.append(("first", x, y)) or 1)
    hook.connect(mine, lambda x, *, y: calls.append(("second", x, y)) or 2)
    with mine.app_context():
        assert hook("a", y="b") == [1, 2]
    with other.app_context():
        assert hook("a", y="b") == []
    assert calls == [("first", "a", "b"), ("second", "a", "b")]


def test_the_app_connects_the_upper_areas_to_the_lower_ones(app):
    assert listing_status.products_updated.handlers() == (search_outbox.enqueue_products,)
    assert catalog_demo.demo_catalogue_loaded.handlers() == (
        orders_demo.add_to_demo, ledger.add_to_demo, quotes_demo.add_to_demo, reviews_demo.add_to_demo,
        track_demo.add_to_demo, mentoring_demo.add_to_demo, experiences_demo.add_to_demo)
    assert seller_views.dashboard_sections.handlers() == (track_dashboard.dashboard_sections,)
    assert seo.product_reviews.handlers() == (review_services.json_ld_reviews,)
    assert order_views.order_page_response.handlers() == (allow_checkout_redirect,)
    assert orders_cli.sweep_chores.handlers() == (
        idempotency.sweep_expired_keys, quote_services.sweep_lapsed_quotes, experience_services.reminders_chore,
        invoicing.reminders_chore, search_indexer.prune_chore)
    assert inventory.stock_released.handlers() == (experience_services.release_seats,)
    assert order_services.received_on_account.handlers() == (invoicing.received_for,)
    assert order_services.order_paid.handlers() == (ledger.record_paid_order,)
    assert order_services.payment_under_review.handlers() == (slips.slip_waiting,)
    assert order_services.payment_under_way.handlers() == (payment_flow.payment_under_way,)
    assert refunds.refund_succeeded.handlers() == (ledger.apply_refund_entries,)
    assert refunds.refund_committed.handlers() == (ledger.claw_back,)
    assert slips.paid_to_enterprise.handlers() == (ledger.apply_direct_payment,)
    assert webhooks.order_paid_committed.handlers() == (ledger.create_connect_payouts,)


def test_the_app_factory_hides_no_subpackage():
    """``shop/__init__.py`` imports every area; a name it binds must not shadow one of
    ``shop``'s own modules, or ``import shop.ledger.services as x`` finds the wrong thing."""
    import importlib
    import pkgutil

    import shop

    for module in pkgutil.iter_modules(shop.__path__):
        assert getattr(shop, module.name) is importlib.import_module(f"shop.{module.name}"), module.name
