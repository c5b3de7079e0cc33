"""``flask ledger`` commands.

* ``flask ledger check``: reconcile the ledger (``services.reconcile``): every balance
  equals the sum of its entries, and the entries match the paid orders, succeeded
  refunds and paid payouts. Prints each problem and exits 1 when there is any.
* ``flask ledger post-missing``: post the sale, fee and refund entries that are
  missing (orders paid before the ledger existed), then run the check.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from shop.ledger import services

ledger_cli = AppGroup("ledger", help="The enterprise ledger: reconcile balances and entries.")


def _report() -> None:
    problems = services.reconcile()
    for problem in problems:
        click.echo(f"MISMATCH {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        raise SystemExit(1)
    rows = services.balances()
    click.echo(f"Ledger OK: {len(rows)} enterprise balance(s) equal the sum of their entries.")


@ledger_cli.command("check")
def check_command() -> None:
    """Verify balances and entries; exit 1 on any mismatch."""
    _report()


@ledger_cli.command("post-missing")
def post_missing_command() -> None:
    """Post entries missing for paid orders and succeeded refunds, then check."""
    posted = services.post_missing_entries()
    click.echo(f"Posted {posted} entr{'y' if posted == 1 else 'ies'}.")
    _report()


def register_cli(app: Flask) -> None:
    app.cli.add_command(ledger_cli)
