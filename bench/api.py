"""JSON API speed: the catalogue endpoints (product lists, product detail, search,
enterprises) under gunicorn (2 sync workers), beside a minimal Flask page and the
storefront's own product page on the same server settings.

    .venv/bin/python bench/api.py --products 10000

The catalogue is the curated demo plus ``flask demo generate --products N`` and its
search index, built in a scratch folder under /tmp (kept, and reused with --reuse).
Rate limits are off (``RATELIMIT_ENABLED=0``), as in the other benchmarks: they
would be measured, not the API. Figures are printed and appended to
docs/benchmarks.md. ``--wrk`` measures with wrk, as ``bench/storefront.py --wrk``
does (production settings, ``--connections``, ``--duration``, rotating URLs).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import append_results, flask, measure_paths  # noqa: E402
from storefront import build_catalogue, measure_with_wrk  # noqa: E402


def sample_paths(instance: Path, count: int = 300) -> dict[str, list[str]]:
    rng = random.Random(11)
    with sqlite3.connect(instance / "bench.sqlite3") as conn:
        categories = [row[0] for row in conn.execute("SELECT slug FROM categories")]
        rows = conn.execute(
            "SELECT p.id, p.slug FROM products p JOIN enterprises e ON e.id = p.enterprise_id "
            "WHERE p.status = 'live' AND e.status = 'approved'").fetchall()
        enterprises = [row[0] for row in conn.execute("SELECT id FROM enterprises WHERE status = 'approved'")]
    picked = rng.sample(rows, min(count, len(rows)))
    words = ["กาแฟ", "coffee", "ข้าว", "rice", "มะนาวผง", "honey", "soap", "ผ้าทอ", "tea", "chili"]
    return {
        "storefront product page": [f"/products/{slug}" for _id, slug in picked],
        "GET /api/v1/products": [f"/api/v1/products?category={c}&page={p}&sort={s}"
                                 for c in categories for p in (1, 3) for s in ("newest", "price_asc")],
        "GET /api/v1/products/{id}": [f"/api/v1/products/{pid}" for pid, _slug in picked],
        "GET /api/v1/search": [f"/api/v1/search?q={quote(w)}" for w in words]
                              + [f"/api/v1/search?q={quote(w)}&page=2" for w in words],
        "GET /api/v1/enterprises/{id}": [f"/api/v1/enterprises/{eid}" for eid in enterprises],
        "GET /api/v1/enterprises": [f"/api/v1/enterprises?page={p}" for p in range(1, 6)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, nargs="+", default=[10_000])
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--workdir", default="/tmp/chumchon-bench")
    parser.add_argument("--reuse", action="store_true", help="reuse a catalogue built by an earlier run")
    parser.add_argument("--wrk", action="store_true", help="measure with wrk (see bench/storefront.py)")
    parser.add_argument("--connections", type=int, default=32, help="wrk's connections")
    parser.add_argument("--duration", type=float, default=12, help="wrk's seconds per row")
    parser.add_argument("--development", action="store_true", help="with --wrk: development settings")
    args = parser.parse_args()

    sections = []
    for products in args.products:
        instance = Path(args.workdir) / f"api-{products}"
        print(f"== {products:,} products ==")
        env = build_catalogue(instance, products, args.reuse)
        if not (args.reuse and (instance / "search-index").exists()):
            flask(env, "search", "reindex")
        paths = sample_paths(instance)
        if args.wrk:
            table = measure_with_wrk(env, paths, connections=args.connections, duration=args.duration,
                                     development=args.development)
            how = f"wrk -t 2 -c {args.connections} -d {args.duration:g}s, rotating URLs"
        else:
            table = measure_paths(env, paths, requests=args.requests, concurrency=args.concurrency,
                                  max_seconds=args.max_seconds)
            how = f"{args.concurrency} clients"
        print(table)
        sections.append(f"### {products:,} products (SQLite, gunicorn -w 2 sync, {how})\n\n{table}")
    append_results("JSON API catalogue", "\n\n".join(sections))


if __name__ == "__main__":
    main()
