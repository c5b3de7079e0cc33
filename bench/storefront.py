"""Storefront speed: home, category and product pages under gunicorn (2 sync workers)
at 10,000 and 100,000 products, beside a minimal Flask page on the same settings.

    .venv/bin/python bench/storefront.py --products 10000 100000

Each catalogue is the curated demo plus ``flask demo generate --products N``, built in
a scratch folder under /tmp (kept, and reused with --reuse). Figures are printed and
appended to docs/benchmarks.md.

``--wrk`` measures with wrk instead (2 threads, ``--connections`` connections,
``--duration`` seconds per row, each connection rotating through the row's URLs),
with production settings (``APP_CONFIG=production``, a random secret key, cookies
allowed over plain HTTP) unless ``--development``; each row's rate is also given as
a share of the minimal Flask page's, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import append_results, flask, flask_env, gunicorn, measure_paths  # noqa: E402

# Each wrk connection walks the URL list from its own starting point.
WRK_ROTATE = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local counter = 0
setup = function(thread) thread:set("offset", counter * 7919); counter = counter + 1 end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((offset or 0) + i) % #paths + 1], {["Accept-Language"] = "th"})
end
"""


def serving_env(env: dict[str, str], development: bool) -> dict[str, str]:
    """The environment the measured servers run with (production's unless asked)."""
    served = dict(env, GUNICORN_CMD_ARGS="--no-control-socket")
    if not development:
        served.update(APP_CONFIG="production", SECRET_KEY=secrets.token_urlsafe(48), SESSION_COOKIE_SECURE="0")
    return served


def run_wrk(port: int, paths: list[str], *, connections: int, duration: float, threads: int = 2) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        script, listing = Path(scratch) / "rotate.lua", Path(scratch) / "paths.txt"
        script.write_text(WRK_ROTATE)
        listing.write_text("\n".join(paths) + "\n")
        result = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s", "--latency", "--timeout", "10s",
             "-s", str(script), f"http://127.0.0.1:{port}"],
            env=dict(os.environ, WRK_PATHS=str(listing)), capture_output=True, text=True, check=True)
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: _ms(re.search(rf"^\s+{p}%\s+(\S+)", out, re.M).group(1)) for p in ("50", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = re.search(r"Socket errors: (.*)", out)
    return {"rps": rate, "p50": latency["50"], "p99": latency["99"],
            "errors": int(errors.group(1)) if errors else 0, "socket": failed.group(1) if failed else ""}


def wait_until_ready(port: int, path: str = "/", seconds: float = 120) -> None:
    """gunicorn listens before its workers have built the app: wait for an answer."""
    import time
    import urllib.request

    deadline = time.time() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:  # noqa: S310
                answer.read()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def _ms(text: str) -> float:
    number = float(re.match(r"[\d.]+", text).group(0))
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[re.search(r"[a-z]+$", text).group(0)]


def measure_with_wrk(env: dict[str, str], paths: dict[str, list[str]], *, connections: int, duration: float,
                     development: bool = False) -> str:
    """The minimal Flask page, then each group of paths, under wrk; a markdown table."""
    served = serving_env(env, development)
    rows = []
    with gunicorn(served, "bench.baseline_app:app") as port:
        wait_until_ready(port)
        run_wrk(port, ["/"], connections=connections, duration=2)  # warm-up
        baseline = run_wrk(port, ["/"], connections=connections, duration=duration)
    rows.append(("baseline (minimal Flask page)", baseline))
    with gunicorn(served) as port:
        for _ in range(4):  # both workers answer (each builds the app after the port opens)
            wait_until_ready(port)
        for name, group in paths.items():
            # Warm-up: long enough for each worker to render every URL once (the
            # figures are the cache's steady state; PAGE_CACHE_ENABLED=0 measures renders).
            run_wrk(port, group, connections=connections, duration=min(60.0, max(2.0, len(group) / 10)))
            rows.append((name, run_wrk(port, group, connections=connections, duration=duration)))
    lines = ["| page | req/s | share of baseline | p50 ms | p99 ms | non-2xx | socket errors |",
             "|---|---|---|---|---|---|---|"]
    for name, row in rows:
        lines.append(f"| {name} | {row['rps']:.0f} | {100 * row['rps'] / baseline['rps']:.1f} % | "
                     f"{row['p50']:.1f} | {row['p99']:.1f} | {row['errors']} | {row['socket'] or '—'} |")
    return "\n".join(lines)


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
    with sqlite3.connect(instance / "bench.sqlite3") as conn:
        enterprises = [row[0] for row in conn.execute(
            "SELECT slug FROM enterprises WHERE status = 'approved' ORDER BY id LIMIT ?", (count,))]
        codes = [row[0] for row in conn.execute(
            "SELECT DISTINCT province_code FROM enterprises WHERE status = 'approved'")]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from shop.geo import province_by_code

    provinces = [province_by_code(code).slug for code in codes if province_by_code(code)]
    return {"home": ["/"], "category": category_paths, "product": [f"/products/{s}" for s in slugs],
            "enterprise": [f"/enterprises/{slug}" for slug in enterprises],
            "province": [f"/provinces/{slug}" for slug in provinces]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=1500, help="requests per page type")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--workdir", default="/tmp/chumchon-bench")
    parser.add_argument("--reuse", action="store_true", help="reuse a catalogue built by an earlier run")
    parser.add_argument("--wrk", action="store_true", help="measure with wrk (see above)")
    parser.add_argument("--connections", type=int, default=32, help="wrk's connections")
    parser.add_argument("--duration", type=float, default=12, help="wrk's seconds per row")
    parser.add_argument("--development", action="store_true", help="with --wrk: development settings")
    args = parser.parse_args()

    sections = []
    for products in args.products:
        instance = Path(args.workdir) / f"storefront-{products}"
        print(f"== {products:,} products ==")
        env = build_catalogue(instance, products, args.reuse)
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
    append_results("Storefront pages", "\n\n".join(sections))


if __name__ == "__main__":
    main()
