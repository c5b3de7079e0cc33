"""``flask orders sweep``: cancel unpaid orders whose hold has lapsed and give their
stock back, and delete the API's expired ``Idempotency-Key`` records. Run it from
cron every minute, or as a worker with ``--loop SECONDS``. Several sweepers at once
are safe: each order is claimed by exactly one of them."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

orders_cli = AppGroup("orders", help="Order housekeeping.")


@orders_cli.command("sweep")
@click.option("--loop", "loop_seconds", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Keep running, sweeping every SECONDS seconds.")
def sweep_command(loop_seconds: float | None) -> None:
    """Cancel lapsed unpaid orders (reason "lapsed") and release their stock; delete
    expired API idempotency keys."""
    from shop.orders.services import release_lapsed_orders, sweep_forever

    if loop_seconds is None:
        click.echo(f"released {release_lapsed_orders()} lapsed orders")
        _prune_idempotency_keys(click.echo)
        return

    def report_and_prune(message: str) -> None:
        # ``sweep_forever`` reports once per tick: prune the keys at the same pace.
        click.echo(message)
        _prune_idempotency_keys(click.echo)

    sweep_forever(loop_seconds, echo=report_and_prune)


def _prune_idempotency_keys(echo) -> None:
    """Delete the API's ``Idempotency-Key`` records past their lifetime; a failure is
    reported and left for the next sweep."""
    from shop.api.idempotency import prune_expired_keys
    from shop.extensions import db

    try:
        pruned = prune_expired_keys()
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("pruning idempotency keys failed")
        echo(f"pruning idempotency keys failed: {type(exc).__name__}")
        return
    echo(f"pruned {pruned} expired idempotency keys")


def register_cli(app: Flask) -> None:
    app.cli.add_command(orders_cli)
