"""Search speed at 10,000 and 100,000 products: the index build (products/s, peak
memory of the rebuild's processes), /search and /search/suggest under gunicorn (2 sync
workers) beside a minimal Flask page on the same settings, and the time from a product
edit to its visibility in search.

    .venv/bin/python bench/search.py --products 10000 100000 [--databases sqlite postgresql]

Each catalogue is ``flask demo generate --products N --seed 42`` in a scratch SQLite
database under /tmp, or with ``--databases postgresql`` in a scratch PostgreSQL
database ``bench_search_<N>`` on the local server (or DATABASE_URL with --database-url),
indexed with ``flask search reindex``. With wrk installed (bench/_harness.py), each row runs at 4
and at 32 connections with its URLs rotating, with the page cache off: every query
group with the result cache off (each request runs its query), then all the queries
together (facets and sorts included) and the type-ahead with the result cache as
configured by default; then those two again with the page cache on as well (whole
answers kept for visitors who are not signed in, docs/caching.md: Search pages), where
the time from an edit to search finding it is measured. Traffic goes only to
127.0.0.1, bounded in time. Figures are printed and appended to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import string
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    DATABASES,
    ROOT,
    TABLE_HEAD,
    WRK,
    WRK_TABLE_HEAD,
    append_results,
    connection_levels,
    database_label,
    flask,
    flask_env,
    flask_measured,
    gunicorn,
    gunicorn_server,
    load_average,
    median,
    query,
    run_load,
    run_wrk,
    scratch_catalogue,
)

THAI = ["กาแฟ", "มะนาวผง", "ข้าวกล้อง", "น้ำผึ้ง", "ผ้าทอ", "สบู่สมุนไพร", "ชาเขียว", "กาแฟคั่ว", "จักสาน",
        "ข้าวหอมมะลิ", "กาแฝ"]
ENGLISH = ["coffee", "lime powder", "brown rice", "honey", "woven", "herbal soap", "green tea", "roasted coffee",
           "basket", "jasmine rice", "cofee"]
MIXED = ["กาแฟ organic", "rice เชียงใหม่", "honey น้ำผึ้ง", "soap สมุนไพร", "ผ้าไหม silk", "tea ชา"]
FACETED = [
    {"q": "กาแฟ", "price": "100-300"},
    {"q": "coffee", "province": "chiang-mai"},
    {"q": "rice", "cert": "organic"},
    {"q": "tea", "wholesale": "1", "sort": "price_asc"},
    {"q": "ผ้า", "page": "2"},
    {"q": "honey", "sort": "bestselling"},
    {"q": "", "sort": "newest"},
    {"q": "มะนาว", "price": "under-100", "sort": "price_desc"},
]
SUGGEST = ["ก", "กา", "กาแ", "กาแฟค", "มะนาวผ", "ข้าวก", "น้ำผ", "c", "co", "cof", "lim", "bro", "ho", "so", "te", "ric"]
#: The rows served with the page cache on (and the result cache as configured).
PAGE_CACHE_ON = "page cache on"


def search_path(params: dict[str, str]) -> str:
    return "/search?" + urlencode(params)


def build_catalogue(instance: Path, products: int, reuse: bool, database_url: str | None) -> dict[str, str]:
    env = flask_env(instance, database_url)
    env["SEARCH_INDEXER"] = "off"  # commands below must not start indexer threads
    database = instance / "bench.sqlite3"
    if reuse and (database_url or database.exists()):
        print(f"reusing {database_url or database}")
        return env
    instance.mkdir(parents=True, exist_ok=True)
    if not database_url:
        database.unlink(missing_ok=True)
    if flask(env, "db", "upgrade", check=False).returncode != 0:
        flask(env, "db", "upgrade", "heads")  # revisions not chained yet: apply every branch
    flask(env, "demo", "generate", "--products", str(products), "--seed", "42")
    return env


def reindex(env: dict[str, str]) -> tuple[int, float, str]:
    """``(products, seconds, memory note)`` of ``flask search reindex``."""
    load = load_average()
    result, _wall, memory = flask_measured(env, "search", "reindex")
    match = re.search(r"Indexed (\d+) products in ([\d.]+) s", result.stdout)
    if not match:
        raise RuntimeError(result.stdout)
    note = (f"peak memory {memory.peak_total_kb / 1024:,.0f} MB for all its processes together (proportional "
            f"set sizes; largest process {memory.peak_process_kb / 1024:,.0f} MB resident); load average before "
            f"(1 / 5 / 15 min): {load}")
    return int(match.group(1)), float(match.group(2)), note


def category_slugs(env: dict[str, str]) -> list[str]:
    return [row[0] for row in query(env, "SELECT slug FROM categories ORDER BY id LIMIT 6")]


def fetch(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def edit_to_visible(env: dict[str, str], port: int, *, samples: int, indexer_mode: str) -> list[float]:
    """Run ``edit_probe`` in a fresh interpreter (the app's config is read from the
    environment at import time, so each catalogue needs its own process)."""
    command = [sys.executable, __file__, "--edit-probe", str(port), indexer_mode, str(samples)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return [float(x) for x in result.stdout.split()[-samples:]]


def edit_probe(port: int, indexer_mode: str, samples: int, timeout: float = 15.0) -> list[float]:
    """Rename a product through the ORM (so the outbox row is written in the same
    transaction), then poll /search for the new name until the product appears."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from shop import create_app
    from shop.catalog.models import Enterprise, Product
    from shop.catalog.services import visible_product_condition
    from shop.extensions import db
    from shop.search.indexer import state_for, stop_thread

    app = create_app()
    timings: list[float] = []
    with app.app_context():
        state_for(app).mode = indexer_mode
        rng = random.Random(11)
        product_ids = list(db.session.scalars(
            select(Product.id).join(Enterprise, Enterprise.id == Product.enterprise_id)
            .where(visible_product_condition()).order_by(Product.id).limit(500)))
        db.session.commit()
        for _ in range(samples):
            product = db.session.get(Product, rng.choice(product_ids))
            original, slug = product.name_en, product.slug
            word = "zq" + "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
            product.name_en = f"{original} {word}"
            started = time.perf_counter()
            db.session.commit()
            # Touch no ORM object until the product shows: on SQLite a read outside a
            # request begins a write transaction, which would hold up the indexer.
            seen = None
            while time.perf_counter() - started < timeout:
                status, body = fetch(port, "/search?q=" + quote(word))
                if status == 200 and f"/products/{slug}" in body:
                    seen = time.perf_counter() - started
                    break
                time.sleep(0.02)
            timings.append(seen * 1000 if seen is not None else float("inf"))
            product.name_en = original
            db.session.commit()
            time.sleep(0.5)
        stop_thread(app)
        db.session.remove()
        db.engine.dispose()
    return timings


def query_groups(env: dict[str, str]) -> dict[str, list[str]]:
    slugs = category_slugs(env)
    faceted = FACETED + [{"q": "", "category": slug, "sort": "bestselling"} for slug in slugs[:3]]
    groups = {
        "search: Thai": [search_path({"q": q}) for q in THAI],
        "search: English": [search_path({"q": q}) for q in ENGLISH],
        "search: mixed Thai+English": [search_path({"q": q}) for q in MIXED],
        "search: with facets / sorts": [search_path(p) for p in faceted],
    }
    every = [p for paths in groups.values() for p in paths]
    # Interleaved, so that consecutive requests differ in kind as well as in words.
    groups["search: all queries rotating"] = every[::2] + every[1::2]
    groups["suggest (type-ahead)"] = ["/search/suggest?" + urlencode({"q": q}) for q in SUGGEST]
    return groups


def warm(port: int, paths: list[str], workers: int = 2) -> None:
    for path in paths:
        for _ in range(workers):
            fetch(port, path)


def measure_wrk(serve_env: dict[str, str], env: dict[str, str], groups: dict[str, list[str]], args) -> tuple[list, dict]:
    """Rows (at each connection count: hello-world, every query group with the result
    cache off, all queries and suggestions with the result cache as configured, both
    with the page cache off; then all queries and suggestions with the page cache on)
    and the edit-to-visible timings (every cache on)."""
    levels = args.connections or connection_levels()
    rows: list[tuple[int, str]] = []
    results = {}
    baselines = {}
    with gunicorn_server(serve_env, "bench.baseline_app:app") as server:
        for count in levels:
            baselines[count] = run_wrk("hello-world (bench/baseline_app.py)", server, ["/"], connections=count,
                                       seconds=args.seconds)
            rows.append((count, baselines[count].row()))
            print(rows[-1][1], flush=True)
    # (result cache size, page cache, label): the rows up to "result cache on" measure
    # rendering every answer; "page cache on" is the default configuration.
    plans = [("0", "0", "result cache off", [n for n in groups if n.startswith("search")]),
             ("256", "0", "result cache on", ["search: all queries rotating", "suggest (type-ahead)"]),
             ("256", "1", PAGE_CACHE_ON, ["search: all queries rotating", "suggest (type-ahead)"])]
    timings = {}
    for cache_size, pages, label, names in plans:
        with gunicorn_server({**serve_env, "SEARCH_RESULT_CACHE": cache_size, "PAGE_CACHE_ENABLED": pages}) as server:
            warm(server.port, [p for n in names for p in groups[n]])
            for count in levels:
                for name in names:
                    key = f"{name} ({label})" if name.startswith("search") or label == PAGE_CACHE_ON else name
                    result = run_wrk(key, server, groups[name], connections=count, seconds=args.seconds)
                    results[(key, count)] = result
                    rows.append((count, result.row(baselines[count])))
                    print(rows[-1][1], flush=True)
            if label == PAGE_CACHE_ON and args.edit_samples:
                timings["woken"] = edit_to_visible(env, server.port, samples=args.edit_samples, indexer_mode="thread")
                timings["polled"] = edit_to_visible(env, server.port, samples=args.edit_samples, indexer_mode="off")
    table = "\n".join([WRK_TABLE_HEAD, *[row for count in levels for c, row in rows if c == count]])
    lines = []
    for count in levels:
        hello = baselines[count]
        for key in ("search: all queries rotating (result cache off)", "search: all queries rotating (result cache on)",
                    f"search: all queries rotating ({PAGE_CACHE_ON})", "suggest (type-ahead)",
                    f"suggest (type-ahead) ({PAGE_CACHE_ON})"):
            r = results.get((key, count))
            if r:
                lines.append(f"- {key}, {count} connections: {r.rps:,.0f} req/s = **{r.rps / hello.rps:.0%} of "
                             f"hello-world** ({hello.rps:,.0f} req/s); p50 / p95 / p99 {r.p50_ms:.1f} / "
                             f"**{r.p95_ms:.1f}** / {r.p99_ms:.1f} ms; {r.errors} errors")
    return [table, "\n".join(lines)], timings


def measure_threads(serve_env: dict[str, str], env: dict[str, str], groups: dict[str, list[str]], args) -> tuple[list, dict]:
    """Without wrk: the Python load generator, ``--concurrency`` threads."""
    rows = []
    with gunicorn(serve_env, "bench.baseline_app:app") as port:
        baseline = run_load("baseline (minimal Flask page)", port, ["/"], requests=args.requests,
                            concurrency=args.concurrency, max_seconds=args.max_seconds)
    rows.append(baseline.row())
    timings = {}
    with gunicorn(serve_env) as port:
        warm(port, [p for paths in groups.values() for p in paths])
        for name, paths in groups.items():
            result = run_load(name, port, paths, requests=args.requests, concurrency=args.concurrency,
                              max_seconds=args.max_seconds)
            rows.append(result.row(baseline))
            print(rows[-1], flush=True)
        if args.edit_samples:
            timings["woken"] = edit_to_visible(env, port, samples=args.edit_samples, indexer_mode="thread")
            timings["polled"] = edit_to_visible(env, port, samples=args.edit_samples, indexer_mode="off")
    return ["\n".join([TABLE_HEAD, *rows]), ""], timings


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--edit-probe":
        timings = edit_probe(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
        print(" ".join(f"{t:.1f}" for t in timings))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--connections", type=int, nargs="+", default=None,
                        help="wrk connection counts (default BENCH_CONNECTIONS or 4 32)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per wrk row (default BENCH_SECONDS or 10)")
    parser.add_argument("--requests", type=int, default=1200, help="without wrk: requests per query group")
    parser.add_argument("--concurrency", type=int, default=4, help="without wrk: client threads")
    parser.add_argument("--max-seconds", type=float, default=45, help="without wrk: time cap per query group")
    parser.add_argument("--edit-samples", type=int, default=5)
    parser.add_argument("--workdir", default="/tmp/chumchon-bench")
    parser.add_argument("--databases", nargs="+", choices=DATABASES, default=["sqlite"],
                        help="scratch catalogues on SQLite and/or PostgreSQL (database bench_search_<N>)")
    parser.add_argument("--database-url", default=None, help="use this database instead of a scratch one")
    parser.add_argument("--reuse", action="store_true", help="reuse a catalogue built by an earlier run")
    parser.add_argument("--skip-reindex", action="store_true", help="with --reuse: keep the existing index")
    parser.add_argument("--no-append", action="store_true", help="print only; do not append to docs/benchmarks.md")
    args = parser.parse_args()

    sections = []
    for kind, products in [(k, n) for k in (["url"] if args.database_url else args.databases) for n in args.products]:
        instance = Path(args.workdir) / (f"search-{products}" if kind in ("sqlite", "url") else f"search-{kind}-{products}")
        print(f"== {products:,} products ({kind}) ==", flush=True)
        if kind == "url":
            env = build_catalogue(instance, products, args.reuse, args.database_url)
        else:
            env = scratch_catalogue(kind, instance, products, reuse=args.reuse, pg_name=f"bench_search_{products}",
                                    demo=False, extra_env={"SEARCH_INDEXER": "off"}).env
        if args.skip_reindex and (instance / "search-index").exists():
            build = "reused the existing index"
        else:
            indexed, seconds, memory = reindex(env)
            build = f"{indexed:,} products in {seconds:.1f} s = **{indexed / seconds:,.0f} products/s**; {memory}"
        print(f"- index build: {build}", flush=True)
        serve_env = {**env, "SEARCH_INDEXER": "thread"}
        groups = query_groups(env)
        measure = measure_wrk if WRK else measure_threads
        (table, headline), timings = measure(serve_env, env, groups, args)
        summary = [f"- index build (`flask search reindex`): {build}"]
        if headline:
            summary.append(headline)
        if timings:
            woken, polled = timings["woken"], timings["polled"]
            summary += [
                f"- edit → visible in search ({PAGE_CACHE_ON}), committing process's indexer thread woken: median "
                f"{median(woken):.0f} ms, max {max(woken):.0f} ms ({len(woken)} edits)",
                f"- edit → visible ({PAGE_CACHE_ON}), only the web workers' fallback poll "
                f"({serve_env.get('SEARCH_POLL_SECONDS', '1.5')} s): median {median(polled):.0f} ms, "
                f"max {max(polled):.0f} ms",
            ]
        summary.append(f"- load average at the end (1 / 5 / 15 min): {load_average()}")
        text = "\n".join(summary)
        print(table)
        print(text, flush=True)
        how = "wrk, rotating URLs" if WRK else f"{args.concurrency} Python client threads"
        sections.append(f"### {products:,} products ({database_label(env)}, gunicorn -w 2 sync; {how})\n\n{text}\n\n{table}")
    if not args.no_append:
        append_results("Search", "\n\n".join(sections))


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:  # pragma: no cover
        sys.exit(exc.returncode)
