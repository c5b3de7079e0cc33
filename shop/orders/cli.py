"""``flask orders sweep``: cancel unpaid orders whose hold has lapsed and give their
stock back; delete the API's expired ``Idempotency-Key`` records (a chore the API
connects, ``sweep_chores``), expired sign-ins (``user_sessions``), and sign-in
failures and unlock links that no longer count. Run it from
cron every minute, or as a worker with ``--loop SECONDS``. Several sweepers at once
are safe: each order is claimed by exactly one of them."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from shop.accounts.services import prune_login_records as prune
from shop.accounts.sessions import prune_expired
from shop.hooks import Hook
from shop.orders.services import release_lapsed_orders, sweep_forever
from shop.workers import stop_on_signals

orders_cli = AppGroup("orders", help="Order housekeeping.")

#: ``() -> str``: housekeeping of the areas above orders that the sweep runs too (the
#: API's expired idempotency keys, lapsed requests for quote), each answering the line the command prints
#: (``shop/hooks.py``).
sweep_chores = Hook("orders.sweep_chores")


@orders_cli.command("sweep")
@click.option("--loop", "loop_seconds", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Keep running, sweeping every SECONDS seconds.")
def sweep_command(loop_seconds: float | None) -> None:
    """Cancel lapsed unpaid orders (reason "lapsed") and release their stock; delete
    expired API idempotency keys, expired sign-ins, old sign-in failures and spent unlock links."""
    chores = (*sweep_chores.handlers(), prune_sign_ins, prune_login_records)
    if loop_seconds is None:
        click.echo(f"released {release_lapsed_orders()} lapsed orders")
        for chore in chores:
            click.echo(chore())
        return
    sweep_forever(loop_seconds, echo=click.echo, chores=chores, stop=stop_on_signals())


def prune_login_records() -> str:
    """Delete sign-in failures past the throttling window and spent unlock links."""
    attempts, unlocks = prune()
    return f"pruned {attempts} old sign-in failures and {unlocks} old unlock links"


def prune_sign_ins() -> str:
    """Delete sign-ins (``user_sessions``) past their expiry: their cookies are refused
    already; this keeps the table to the live ones."""
    return f"pruned {prune_expired()} expired sign-ins"


def register_cli(app: Flask) -> None:
    app.cli.add_command(orders_cli)
