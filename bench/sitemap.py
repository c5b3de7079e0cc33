"""Sitemap speed: /sitemap.xml and every child sitemap at 100,000 products, on SQLite
and PostgreSQL.

    .venv/bin/python bench/sitemap.py --products 100000 --databases sqlite postgresql

Each catalogue is the curated demo plus ``flask demo generate --products N``, built in
a scratch folder under /tmp (kept, and reused with --reuse; PostgreSQL uses a scratch
database ``bench_sitemap``). Each document is fetched in-process through the WSGI app
(no network, one at a time) once to warm up and then ``--repeat`` times; figures are
printed and appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import ROOT, append_results, flask, flask_env  # noqa: E402

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"
PG_DATABASE = "bench_sitemap"


def build_catalogue(kind: str, instance: Path, products: int, reuse: bool) -> dict[str, str]:
    database_url = f"postgresql+psycopg://postgres@127.0.0.1/{PG_DATABASE}" if kind == "postgresql" else None
    env = flask_env(instance, database_url)
    marker = instance / f"built-{kind}-{products}"
    if reuse and marker.exists():
        print(f"reusing the {kind} catalogue in {instance}")
        flask(env, "db", "upgrade")
        return env
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "bench.sqlite3").unlink(missing_ok=True)
    if kind == "postgresql":
        for statement in (f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)", f"CREATE DATABASE {PG_DATABASE}"):
            subprocess.run(["psql", PG_ADMIN_URL, "-q", "-c", statement], check=True)
    env["DEMO_PHOTO_WIDTH"] = "320"
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    flask(env, "demo", "generate", "--products", str(products), "--seed", "42")
    if kind == "postgresql":
        subprocess.run(["psql", f"postgresql://postgres@127.0.0.1/{PG_DATABASE}", "-q", "-c", "ANALYZE"], check=True)
    marker.touch()
    return env


def measure(repeat: int) -> list[dict]:
    """Run inside the app's environment: time the index and each child it lists."""
    sys.path.insert(0, str(ROOT))
    from wsgi import app

    client = app.test_client()
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    index = client.get("/sitemap.xml").get_data(as_text=True)
    paths = ["/sitemap.xml"] + [loc.removeprefix(base) for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    rows = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = response.get_data()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path).get_data()
            times.append((time.perf_counter() - started) * 1000)
        rows.append({"path": path, "urls": body.count(b"<loc>"), "kib": len(body) / 1024,
                     "median": statistics.median(times), "max": max(times)})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| document | entries | size KiB | median ms | max ms |", "|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| `{row['path']}` | {row['urls']:,} | {row['kib']:,.0f} | {row['median']:.0f} | {row['max']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", default="/tmp/chumchon-bench")
    parser.add_argument("--reuse", action="store_true", help="reuse a catalogue built by an earlier run")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.repeat)))
        return

    sections = []
    for kind in args.databases:
        instance = Path(args.workdir) / f"sitemap-{kind}-{args.products}"
        print(f"== {kind}, {args.products:,} products ==", flush=True)
        env = build_catalogue(kind, instance, args.products, args.reuse)
        result = subprocess.run([sys.executable, __file__, "--measure", "--repeat", str(args.repeat)],
                                cwd=ROOT, env={**env, "SITEMAP_MAX_AGE": "3600"}, capture_output=True, text=True,
                                check=True)
        rows = json.loads(result.stdout.strip().splitlines()[-1])
        text = table(rows)
        print(text, flush=True)
        total = sum(row["median"] for row in rows)
        sections.append(f"### {kind}, {args.products:,} products "
                        f"(SITEMAP_PRODUCTS_PER_FILE={os.environ.get('SITEMAP_PRODUCTS_PER_FILE', '10000')}; "
                        f"in-process, {args.repeat} fetches each after one warm-up)\n\n{text}\n\n"
                        f"Every document together: {total / 1000:.1f} s (medians added up).")
    append_results("Sitemaps", "\n\n".join(sections))


if __name__ == "__main__":
    main()
