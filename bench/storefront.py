"""Storefront speed: the home page, category pages, product pages, enterprise and
province pages under gunicorn (2 sync workers) at 20,000 and 100,000 products, on
SQLite and PostgreSQL, beside a minimal Flask page on the same settings.

    .venv/bin/python bench/storefront.py --products 20000 100000 --databases sqlite postgresql

Each catalogue is the curated demo plus ``flask demo generate --products N --seed 42``
(bench/_harness.py ``scratch_catalogue``): on SQLite a file in
``<workdir>/catalogue-sqlite-<N>``, on PostgreSQL the scratch database
``bench_catalogue_<N>`` on the local server (its photos and search index in
``<workdir>/catalogue-postgresql-<N>``), with its search index (``flask search
reindex``: without one, a worker would build it while the pages are measured).
Catalogues are kept; ``--reuse`` keeps one that already holds the N products (and its
index), and bench/api.py uses the same ones.
``--build-only`` builds (or checks) the catalogues and measures nothing.

The rows: home; every category's first three pages; 2,000 product pages (fewer if
the catalogue has fewer); the first 400 approved enterprises' pages; every province
with an enterprise. With wrk installed, each row runs at 4 and at 32 connections
(``--connections``, or ``BENCH_CONNECTIONS``) for ``--duration`` seconds
(``BENCH_SECONDS``, 10) after a 2 s warm-up, each connection rotating through the
row's URLs (bench/rotate.lua): p50 / p95 / p99, req/s, the share of the hello-world
page's req/s measured in the same run, and each worker's resident memory. Every URL of
a row is fetched once per worker before it (the page cache's steady state, within
its bounds: ``PAGE_CACHE_ENTRIES``, ``PAGE_CACHE_MEGABYTES``). The servers run with
production settings (``APP_CONFIG=production``, a random secret key, cookies allowed
over plain HTTP) unless ``--development``. Without wrk, ``--requests`` requests from
``--concurrency`` Python threads per row.

Figures are printed and appended to docs/benchmarks.md (not with ``--no-append``).
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    DATABASES,
    WRK,
    Catalogue,
    append_results,
    connection_levels,
    flask,
    measure_groups,
    measure_paths,
    query,
    results_table,
    scratch_catalogue,
    wrk_seconds,
)


def serving_env(env: dict[str, str], development: bool) -> dict[str, str]:
    """The environment the measured servers run with (production's unless asked)."""
    served = dict(env, GUNICORN_CMD_ARGS="--no-control-socket", SEARCH_INDEXER="thread")
    if not development:
        served.update(APP_CONFIG="production", SECRET_KEY=secrets.token_urlsafe(48), SESSION_COOKIE_SECURE="0")
    return served


def catalogue(kind: str, products: int, workdir: str, reuse: bool) -> Catalogue:
    """The shared storefront/API catalogue of ``products`` generated products, with
    its search index (without one, the first worker to answer a request would start
    building it while the pages are measured)."""
    cat = scratch_catalogue(kind, Path(workdir) / f"catalogue-{kind}-{products}", products, reuse=reuse,
                            pg_name=f"bench_catalogue_{products}", extra_env={"SEARCH_INDEXER": "off"})
    if not index_follows(cat):
        shutil.rmtree(cat.instance / "search-index", ignore_errors=True)
        started = time.perf_counter()
        flask(cat.env, "search", "reindex")
        cat.note += f"; search index built in {time.perf_counter() - started:.0f} s"
    return cat


def index_follows(cat: Catalogue) -> bool:
    """Whether the catalogue's search index was built from this database (the same
    change-log epoch): one built from an earlier copy of a PostgreSQL database of the
    same name would be rebuilt by the workers while they are measured."""
    try:
        meta = json.loads((cat.instance / "search-index" / "chumchon-meta.json").read_text())
        rows = query(cat.env, "SELECT epoch FROM search_log_state WHERE id = 1")
    except (OSError, ValueError):
        return False
    return bool(rows) and rows[0][0] == meta.get("log_epoch")


def visible_products(env: dict[str, str]) -> list[tuple[int, str]]:
    """``(id, slug)`` of every product a visitor can open, in id order."""
    return query(env, "SELECT p.id, p.slug FROM products p JOIN enterprises e ON e.id = p.enterprise_id "
                      "WHERE p.status = 'live' AND e.status = 'approved' ORDER BY p.id")


def sample_paths(env: dict[str, str], products: int = 2000, enterprises: int = 400) -> dict[str, list[str]]:
    rng = random.Random(7)
    categories = [row[0] for row in query(env, "SELECT slug FROM categories ORDER BY id")]
    visible = visible_products(env)
    slugs = [slug for _id, slug in rng.sample(visible, min(products, len(visible)))]
    enterprise_slugs = [row[0] for row in query(
        env, "SELECT slug FROM enterprises WHERE status = 'approved' ORDER BY id LIMIT ?", (enterprises,))]
    codes = [row[0] for row in query(
        env, "SELECT DISTINCT province_code FROM enterprises WHERE status = 'approved' ORDER BY province_code")]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from shop.geo import province_by_code

    provinces = [province_by_code(code).slug for code in codes if province_by_code(code)]
    category_paths = [f"/categories/{slug}" + (f"?page={page}" if page > 1 else "")
                      for page in (1, 2, 3) for slug in categories]
    return {
        "home": ["/"],
        f"category (first 3 pages of {len(categories)})": category_paths,
        f"product ({len(slugs):,} rotating)": [f"/products/{slug}" for slug in slugs],
        f"enterprise ({len(enterprise_slugs)})": [f"/enterprises/{slug}" for slug in enterprise_slugs],
        f"province ({len(provinces)})": [f"/provinces/{slug}" for slug in provinces],
    }


def add_arguments(parser: argparse.ArgumentParser, *, products: list[int]) -> None:
    """The options bench/storefront.py and bench/api.py share."""
    parser.add_argument("--products", type=int, nargs="+", default=products)
    parser.add_argument("--databases", nargs="+", choices=DATABASES, default=["sqlite"],
                        help="catalogues on SQLite and/or PostgreSQL (default sqlite)")
    parser.add_argument("--workdir", default="/tmp/chumchon-bench")
    parser.add_argument("--reuse", action="store_true", help="keep a catalogue that already holds the N products")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the catalogues; measure nothing")
    parser.add_argument("--connections", type=int, nargs="+", default=None,
                        help="wrk connection counts (default BENCH_CONNECTIONS or 4 32)")
    parser.add_argument("--duration", type=float, default=None,
                        help="wrk's seconds per row (default BENCH_SECONDS or 10)")
    parser.add_argument("--wrk", action="store_true", help="insist on wrk (the default when it is installed)")
    parser.add_argument("--development", action="store_true", help="serve with development settings")
    parser.add_argument("--requests", type=int, default=1500, help="without wrk: requests per row")
    parser.add_argument("--concurrency", type=int, default=4, help="without wrk: client threads")
    parser.add_argument("--max-seconds", type=float, default=60, help="without wrk: time cap per row")
    parser.add_argument("--no-append", action="store_true", help="print only; do not append to docs/benchmarks.md")


def measure(cat: Catalogue, paths: dict[str, list[str]], args: argparse.Namespace) -> tuple[str, str]:
    """``(how it was measured, the markdown table)`` for one catalogue."""
    served = serving_env(cat.env, args.development)
    settings = "development settings" if args.development else "production settings"
    if WRK:
        levels = args.connections or connection_levels()
        seconds = args.duration or wrk_seconds()
        results = measure_groups(served, paths, connections=levels, seconds=seconds)
        how = (f"gunicorn -w 2 sync, {settings}; wrk at {' and '.join(map(str, levels))} connections, "
               f"{seconds:g} s per row, rotating URLs")
        return how, results_table(results)
    if args.wrk:
        raise SystemExit("--wrk: wrk is not installed (apt-get install wrk)")
    table = measure_paths(served, paths, requests=args.requests, concurrency=args.concurrency,
                          max_seconds=args.max_seconds)
    return f"gunicorn -w 2 sync, {settings}; {args.concurrency} Python client threads", table


def run(title: str, args: argparse.Namespace, paths_for) -> None:
    """Build each catalogue (database × size), measure its rows and append one section."""
    sections, labels = [], []
    for kind in args.databases:
        for products in args.products:
            print(f"== {products:,} products on {kind} ==", flush=True)
            cat = catalogue(kind, products, args.workdir, args.reuse)
            if args.build_only:
                continue
            paths = paths_for(cat.env)
            how, table = measure(cat, paths, args)
            print(table, flush=True)
            labels.append(cat.label)
            sections.append(f"### {products:,} products, {cat.label} ({how})\n\n"
                            f"- catalogue: the demo plus `flask demo generate --products {products} --seed 42`, "
                            f"{cat.note}\n\n{table}")
    if sections and not args.no_append:
        append_results(f"{title} ({' and '.join(dict.fromkeys(labels))})", "\n\n".join(sections))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, products=[20_000, 100_000])
    args = parser.parse_args()
    run("Storefront pages", args, sample_paths)


if __name__ == "__main__":
    main()
