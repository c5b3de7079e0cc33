"""``flask`` commands. Each area keeps its commands next to its services; this module
only gathers them onto the app."""

from __future__ import annotations

from flask import Flask

from shop.accounts.commands import users_cli
from shop.backup import register_cli as register_backup_cli
from shop.catalog.demo import demo_cli
from shop.ledger.cli import register_cli as register_ledger_cli
from shop.notifications.commands import outbox_cli
from shop.orders.cli import register_cli as register_orders_cli
from shop.search.commands import search_cli


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(search_cli)
    register_orders_cli(app)
    register_ledger_cli(app)
    register_backup_cli(app)
