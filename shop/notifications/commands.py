"""``flask outbox send``: deliver queued e-mails."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from shop.notifications.services import send_pending
from shop.workers import stop_on_signals

outbox_cli = AppGroup("outbox", help="Send queued e-mails.")


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, checking every --interval seconds.")
@click.option("--interval", default=10, show_default=True, help="Seconds between checks with --loop.")
def send_command(loop: bool, interval: int) -> None:
    """Run every due job, then send every due message (SMTP when configured, files in
    instance/mail otherwise). With ``--loop``, SIGTERM or SIGINT stops it after the
    round in hand; several senders on several hosts are safe (each message is claimed)."""
    stop = stop_on_signals() if loop else None
    while True:
        report = send_pending()
        click.echo(f"sent {report.sent}, failed {report.failed}; jobs done {report.jobs_done}, "
                   f"failed {report.jobs_failed}")
        if stop is None or stop.wait(interval):
            break
