"""The public impact page and the programme report at 100,000 orders.

    .venv/bin/python bench/impact.py --orders 100000

Builds a scratch SQLite database (migrations, then a bulk insert of enterprises in
every region, programmes, buyers, paid orders with one or two enterprise parts and
their ledger entries as the shop posts them, some refunds, stage moves) in a temporary
folder, then measures on gunicorn (2 sync workers):

* ``/impact`` cold: with the figures cache off (``IMPACT_CACHE_SECONDS=0``) every
  request computes them, as the first request after the cache lapses does;
* the first request of a fresh server (app warm-up and the figures together);
* ``/impact`` and ``/impact.json`` warm (the shop's default cache);
* the minimal Flask page of ``bench/baseline_app.py`` on the same settings, as the
  baseline of the same run;

and, in process, the time to compute the impact figures and the whole staff report.
Figures are printed and appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _harness import TABLE_HEAD, append_results, flask, flask_env, gunicorn, run_load  # noqa: E402

PROVINCES = ["52", "21", "67", "19", "10", "50", "57", "40", "34", "80", "90", "83", "20", "24", "65", "30"]
STAGES = ["foundation", "advancing", "networking", "expansion"]
FEE_BPS = 500
STAMP = "%Y-%m-%d %H:%M:%S.%f"


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP)


def build(database: Path, orders: int, seed: int = 42) -> dict[str, int]:
    """Bulk-insert a market of ``orders`` paid orders into a migrated database."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    cur = conn.cursor()
    enterprise_count = 400
    cur.executemany(
        "INSERT INTO enterprises (id, slug, registration_no, name_th, name_en, province_code, district, subdistrict, "
        "village, vat_registered, track_stage, status, is_featured, story_th, story_en, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'approved', 0, ?, ?, ?, ?)",
        [(i, f"bench-enterprise-{i}", f"B-{i:05d}", f"วิสาหกิจชุมชนทดสอบ {i}", f"Bench enterprise {i}",
          PROVINCES[i % len(PROVINCES)], f"อำเภอ {i % 7}", f"ตำบล {i % 11}", f"บ้าน {i % 150}", STAGES[i % 4],
          "เรื่องราวของกลุ่ม " * 20, "The group's story " * 20, _ts(now - timedelta(days=800)),
          _ts(now - timedelta(days=800))) for i in range(1, enterprise_count + 1)])
    cur.executemany("INSERT INTO programmes (id, slug, name_th, name_en, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [(i, f"programme-{i}", f"โครงการ {i}", f"Programme {i}", _ts(now), _ts(now)) for i in range(1, 5)])
    memberships = {(i, 1 + i % 4) for i in range(1, enterprise_count + 1)} | {(i, 1 + (i + 1) % 4)
                                                                              for i in range(1, enterprise_count + 1, 5)}
    cur.executemany("INSERT INTO enterprise_programmes (enterprise_id, programme_id) VALUES (?, ?)", sorted(memberships))
    users = 20_000
    cur.executemany(
        "INSERT INTO users (id, email, password_hash, display_name, locale, is_active_account, is_staff, is_mentor, "
        "created_at, updated_at) VALUES (?, ?, 'x', ?, 'th', 1, 0, 0, ?, ?)",
        [(i, f"buyer{i}@bench.test", f"Buyer {i}", _ts(now), _ts(now)) for i in range(1, users + 1)])
    cur.executemany(
        "INSERT INTO retail_buyers (user_id, company_name, tax_id, branch, status, verified_at, created_at, updated_at) "
        "VALUES (?, ?, '0105561234567', 'สำนักงานใหญ่', 'verified', ?, ?, ?)",
        [(i, f"Shop {i}", _ts(now - timedelta(days=700 - i % 600)), _ts(now), _ts(now)) for i in range(1, 1501)])
    cur.executemany(
        "INSERT INTO enterprise_events (enterprise_id, kind, from_value, to_value, note, created_at) "
        "VALUES (?, 'stage', ?, ?, NULL, ?)",
        [(i, STAGES[(i % 4) - 1] if i % 4 else None, STAGES[i % 4], _ts(now - timedelta(days=rng.randrange(700))))
         for i in range(1, enterprise_count + 1) if i % 4])
    order_rows, part_rows, entry_rows = [], [], []
    part_id = entry_id = 0
    for order_id in range(1, orders + 1):
        paid = now - timedelta(minutes=rng.randrange(730 * 24 * 60))
        user_id = rng.randrange(1, users + 1) if rng.random() < 0.8 else None
        method = "invoice" if user_id and user_id <= 1500 and rng.random() < 0.3 else rng.choice(["promptpay_qr", "stripe"])
        parts = rng.sample(range(1, enterprise_count + 1), 1 if rng.random() < 0.85 else 2)
        order_total = 0
        for enterprise_id in parts:
            part_id += 1
            subtotal = rng.randrange(5_000, 300_000, 500)
            total = subtotal + 5_000
            order_total += total
            part_rows.append((part_id, order_id, enterprise_id, subtotal, total))
            fee = (2 * total * FEE_BPS + 10_000) // 20_000
            for kind, amount in (("sale", total), ("fee", -fee)):
                entry_id += 1
                entry_rows.append((entry_id, enterprise_id, kind, amount, f"{kind}:f{part_id}", order_id, part_id,
                                   _ts(paid)))
            if rng.random() < 0.02:
                refund = total // 2
                for kind, amount in (("refund", -refund), ("fee_refund", fee // 2)):
                    entry_id += 1
                    entry_rows.append((entry_id, enterprise_id, kind, amount, f"{kind}:r{part_id}", order_id, part_id,
                                       _ts(paid + timedelta(days=3))))
        order_rows.append((order_id, f"B{order_id:09d}", user_id, f"guest{order_id}@bench.test", method,
                           order_total, _ts(paid), _ts(paid - timedelta(minutes=5))))
    cur.executemany(
        "INSERT INTO orders (id, public_id, user_id, email, locale, channel, status, payment_method, subtotal_satang, "
        "shipping_satang, total_satang, refunded_satang, recipient_name, phone, address_line, subdistrict, district, "
        "province_code, postcode, paid_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'th', 'online', 'paid', ?, 0, 0, "
        "?, 0, 'ผู้รับ', '0812345678', '1', 'ต', 'อ', '10', '10110', ?, ?, ?)",
        [(*row, row[-1]) for row in order_rows])
    cur.executemany(
        "INSERT INTO fulfilments (id, order_id, enterprise_id, status, shipping_kind, shipping_name, shipping_satang, "
        "subtotal_satang, total_satang, refunded_satang, stock_released, created_at, updated_at) "
        "VALUES (?, ?, ?, 'delivered', 'flat', 'ส่งแบบมาตรฐาน', 5000, ?, ?, 0, 0, ?, ?)",
        [(*row, _ts(now), _ts(now)) for row in part_rows])
    cur.executemany(
        "INSERT INTO ledger_entries (id, enterprise_id, kind, amount_satang, entry_key, order_id, fulfilment_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", entry_rows)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    figures = {"orders": orders, "parts": part_id, "entries": entry_id, "enterprises": enterprise_count,
               "build_s": round(time.perf_counter() - started, 1)}
    print(f"  built {figures}", flush=True)
    return figures


def timed_get(port: int, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return (time.perf_counter() - started) * 1000, response.status


def in_process(env: dict[str, str], repeats: int = 5) -> tuple[float, float]:
    """Median ms to compute the impact figures and to build the whole staff report."""
    import os

    os.environ.update(env)
    from shop import create_app
    from shop.reports import services

    app = create_app("development")
    impact_ms, report_ms = [], []
    with app.app_context():
        for _ in range(repeats):
            started = time.perf_counter()
            services.compute_impact()
            impact_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            services.build_report(services.Filters(), "th")
            report_ms.append((time.perf_counter() - started) * 1000)
    return statistics.median(impact_ms), statistics.median(report_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=600, help="requests per warm page")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="chumchon-impact-") as folder:
        instance = Path(folder)
        env = flask_env(instance)
        env["PYTHAINLP_DATA"] = str(Path(__file__).resolve().parents[1] / "instance" / "pythainlp-data")
        flask(env, "db", "upgrade")
        built = build(instance / "bench.sqlite3", args.orders)

        with gunicorn(env, "bench.baseline_app:app") as port:
            baseline = run_load("baseline (minimal Flask page)", port, ["/"], requests=args.requests,
                                concurrency=args.concurrency, max_seconds=args.max_seconds)
        cold = []
        for _ in range(3):
            with gunicorn(env) as port:
                cold.append(timed_get(port, "/impact")[0])
        with gunicorn(env) as port:
            warm = run_load("/impact (figures cached)", port, ["/impact", "/impact?lang=en"], requests=args.requests,
                            concurrency=args.concurrency, max_seconds=args.max_seconds)
            warm_json = run_load("/impact.json (figures cached)", port, ["/impact.json"], requests=args.requests,
                                 concurrency=args.concurrency, max_seconds=args.max_seconds)
        uncached_env = dict(env, IMPACT_CACHE_SECONDS="0")
        with gunicorn(uncached_env) as port:
            uncached = run_load("/impact cold (cache off: figures computed every time)", port, ["/impact"],
                                requests=max(40, args.requests // 10), concurrency=args.concurrency,
                                max_seconds=args.max_seconds, warmup=6)
        impact_ms, report_ms = in_process(env)

    rows = [baseline.row(), warm.row(baseline), warm_json.row(baseline), uncached.row(baseline)]
    table = "\n".join([TABLE_HEAD, *rows])
    body = (
        f"### {built['orders']:,} paid orders ({built['parts']:,} enterprise parts, {built['entries']:,} ledger entries, "
        f"{built['enterprises']} enterprises; SQLite, gunicorn -w 2 sync, {args.concurrency} clients)\n\n"
        f"- bulk build of the scratch database: {built['build_s']} s\n"
        f"- first request of a fresh server (the worker's own warm-up, then the figures): "
        f"{', '.join(f'{ms:.0f}' for ms in cold)} ms (three fresh servers)\n"
        f"- in process, median of 5: impact figures {impact_ms:.0f} ms; the whole staff report "
        f"(`/admin/reports` without filters) {report_ms:.0f} ms\n\n{table}"
    )
    print(body)
    append_results("Impact page and programme report", body)


if __name__ == "__main__":
    main()
