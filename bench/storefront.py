"""Storefront speed: home, category and product pages under gunicorn (2 sync workers)
at 10,000 and 100,000 products, beside a minimal Flask page on the same settings.

    .venv/bin/python bench/storefront.py --products 10000 100000

Each catalogue is the curated demo plus ``flask demo generate --products N``, built in
a scratch folder under /tmp (kept, and reused with --reuse). Figures are printed and
appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import append_results, flask, flask_env, measure_paths  # noqa: E402


def build_catalogue(instance: Path, products: int, reuse: bool) -> dict[str, str]:
    env = flask_env(instance)
    database = instance / "bench.sqlite3"
    if reuse and database.exists():
        print(f"reusing {database}")
        return env
    instance.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    flask(env, "demo", "generate", "--products", str(products), "--seed", "42")
    return env


def sample_paths(instance: Path, count: int = 400) -> dict[str, list[str]]:
    rng = random.Random(7)
    with sqlite3.connect(instance / "bench.sqlite3") as conn:
        categories = [row[0] for row in conn.execute("SELECT slug FROM categories")]
        total = conn.execute("SELECT max(id) FROM products").fetchone()[0]
        ids = rng.sample(range(1, total + 1), min(count * 3, total))
        placeholders = ",".join("?" * len(ids))
        slugs = [row[0] for row in conn.execute(
            f"SELECT p.slug FROM products p JOIN enterprises e ON e.id = p.enterprise_id "  # noqa: S608
            f"WHERE p.status = 'live' AND e.status = 'approved' AND p.id IN ({placeholders})", ids)][:count]
    category_paths = [f"/categories/{slug}" for slug in categories]
    category_paths += [f"/categories/{slug}?page=3&sort=price_asc" for slug in categories]
    return {"home": ["/"], "category": category_paths, "product": [f"/products/{s}" for s in slugs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=1500, help="requests per page type")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--workdir", default="/tmp/chumchon-bench")
    parser.add_argument("--reuse", action="store_true", help="reuse a catalogue built by an earlier run")
    args = parser.parse_args()

    sections = []
    for products in args.products:
        instance = Path(args.workdir) / f"storefront-{products}"
        print(f"== {products:,} products ==")
        env = build_catalogue(instance, products, args.reuse)
        paths = sample_paths(instance)
        table = measure_paths(env, paths, requests=args.requests, concurrency=args.concurrency,
                              max_seconds=args.max_seconds)
        print(table)
        sections.append(f"### {products:,} products (SQLite, gunicorn -w 2 sync, {args.concurrency} clients)\n\n{table}")
    append_results("Storefront pages", "\n\n".join(sections))


if __name__ == "__main__":
    main()
