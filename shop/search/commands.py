"""``flask search reindex | worker | drain | status``."""

from __future__ import annotations

import json
import time

import click
from flask import current_app
from flask.cli import AppGroup

from shop.search.indexer import drain, health, rebuild, run_worker
from shop.workers import stop_on_signals

search_cli = AppGroup("search", help="The product search index.")


@search_cli.command("reindex")
@click.option("--if-missing", is_flag=True, help="Only rebuild when the index is missing, outdated or unreadable.")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(50, 10_000))
@click.option("--processes", type=click.IntRange(0, 64), default=None,
              help="Processes reading and analysing products (default SEARCH_REBUILD_PROCESSES; 0: one per core).")
def reindex_command(if_missing: bool, batch_size: int, processes: int | None) -> None:
    """Rebuild the index from the database (safe while the shop runs)."""
    last_report = [time.monotonic()]

    def progress(done: int) -> None:
        if time.monotonic() - last_report[0] > 5:
            click.echo(f"  … {done} products")
            last_report[0] = time.monotonic()

    result = rebuild(current_app, if_missing=if_missing, batch_size=batch_size, processes=processes,
                     progress=progress)
    if not result.rebuilt:
        click.echo(f"Search index present; nothing to do ({result.reason}).")
        return
    rate = result.documents / result.seconds if result.seconds else 0
    click.echo(f"Indexed {result.documents} products in {result.seconds:.1f} s ({rate:.0f} products/s); "
               f"reason: {result.reason}.")


@search_cli.command("drain")
def drain_command() -> None:
    """Apply the change log's rows this host has not applied, once (waits up to 10 s
    for the index lock)."""
    result = drain(current_app, wait_seconds=10.0)
    click.echo(f"Applied {result.rows} outbox rows: {result.indexed} indexed, {result.removed} removed"
               + (" (index busy)" if result.busy else "")
               + (f" (index {result.skipped}: run `flask search reindex`)" if result.skipped else "") + ".")


@search_cli.command("worker")
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.1, 60), help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Drain once and exit.")
def worker_command(poll: float, once: bool) -> None:
    """Follow the change log into this host's index (one per host, next to its web
    workers); rebuilds the index first when it is missing or behind the log. SIGTERM
    stops it after the batch in hand."""
    stop = stop_on_signals()
    click.echo(f"Search indexer running (poll {poll} s); Ctrl-C stops it.")
    run_worker(current_app._get_current_object(), poll_seconds=poll, once=once, stop=stop)


@search_cli.command("status")
def status_command() -> None:
    """Print the index state as JSON (what /healthz reports)."""
    click.echo(json.dumps(health(current_app), ensure_ascii=False, indent=2))
