"""``flask orders sweep``: cancel unpaid orders whose hold has lapsed and give their
stock back; delete the API's expired ``Idempotency-Key`` records, expired sign-ins
(``user_sessions``), and sign-in failures and unlock links that no longer count. Run it from
cron every minute, or as a worker with ``--loop SECONDS``. Several sweepers at once
are safe: each order is claimed by exactly one of them."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

orders_cli = AppGroup("orders", help="Order housekeeping.")


@orders_cli.command("sweep")
@click.option("--loop", "loop_seconds", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Keep running, sweeping every SECONDS seconds.")
def sweep_command(loop_seconds: float | None) -> None:
    """Cancel lapsed unpaid orders (reason "lapsed") and release their stock; delete
    expired API idempotency keys, expired sign-ins, old sign-in failures and spent unlock links."""
    from shop.orders.services import release_lapsed_orders, sweep_forever

    if loop_seconds is None:
        click.echo(f"released {release_lapsed_orders()} lapsed orders")
        click.echo(prune_idempotency_keys())
        click.echo(prune_sign_ins())
        click.echo(prune_login_records())
        return
    sweep_forever(loop_seconds, echo=click.echo,
                  chores=(prune_idempotency_keys, prune_sign_ins, prune_login_records))


def prune_idempotency_keys() -> str:
    """Delete the API's ``Idempotency-Key`` records past their lifetime."""
    from shop.api.idempotency import prune_expired_keys

    return f"pruned {prune_expired_keys()} expired idempotency keys"


def prune_login_records() -> str:
    """Delete sign-in failures past the throttling window and spent unlock links."""
    from shop.accounts.services import prune_login_records as prune

    attempts, unlocks = prune()
    return f"pruned {attempts} old sign-in failures and {unlocks} old unlock links"


def prune_sign_ins() -> str:
    """Delete sign-ins (``user_sessions``) past their expiry: their cookies are refused
    already; this keeps the table to the live ones."""
    from shop.accounts.sessions import prune_expired

    return f"pruned {prune_expired()} expired sign-ins"


def register_cli(app: Flask) -> None:
    app.cli.add_command(orders_cli)
