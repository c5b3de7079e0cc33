"""Flash sale over HTTP: hundreds of buyers, each with their own session and cart, press
"place order" at the same moment for a product with only a few units left.

    .venv/bin/python bench/checkout.py --buyers 300 --units 20 --databases sqlite postgresql

Each buyer first opens the product page, adds one unit to the cart and opens the
checkout (one session cookie and CSRF token per buyer, as in a browser). Then all of
them submit the checkout form at once, through gunicorn (sync workers, production
settings, the rate limiter off since every buyer comes from 127.0.0.1). The script
counts orders placed, buyers told the item sold out, and any other answer; then reads
the database: units sold (lines of orders not cancelled), stock left, and **oversold
units** (sold beyond the stock there was), which must be 0. Orders per second is the
placed orders over the wall time of the rush; a minimal Flask page on the same server
settings is measured in the same run as the baseline.

The catalogue is the curated demo (``flask demo load``), built in a scratch folder under
/tmp; PostgreSQL uses a scratch database ``bench_checkout`` on the local server.
Figures are printed and appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import append_results, flask, flask_env, gunicorn, run_load  # noqa: E402

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"
PG_DATABASE = "bench_checkout"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"|value="([^"]+)"[^>]*?name="csrf_token"')
TOTAL_RE = re.compile(r'name="expected_total"[^>]*?value="(\d+)"|value="(\d+)"[^>]*?name="expected_total"')
ADDRESS = {
    "recipient_name": "ผู้ซื้อ ทดสอบ",
    "phone": "0812345678",
    "address_line": "1 ถนนพระราม 1",
    "subdistrict": "ปทุมวัน",
    "district": "ปทุมวัน",
    "province_code": "10",
    "postcode": "10330",
    "payment_method": "promptpay_qr",
}


class Buyer:
    """One browser: a cookie jar of one session cookie, talking HTTP/1.1 to gunicorn."""

    def __init__(self, port: int, number: int) -> None:
        self.port = port
        self.number = number
        self.cookies: dict[str, str] = {}
        self.checkout_form: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Accept-Language": "th"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", text
        finally:
            conn.close()

    @staticmethod
    def _match(pattern: re.Pattern, html: str) -> str:
        found = pattern.search(html)
        if not found:
            raise RuntimeError(f"no {pattern.pattern!r} in page")
        return found.group(1) or found.group(2)

    def fill_cart(self, product_path: str, variant_id: int) -> None:
        status, _, html = self.request("GET", product_path)
        if status != 200:
            raise RuntimeError(f"product page answered {status}")
        token = self._match(CSRF_RE, html)
        status, _, _ = self.request("POST", "/cart/add", {"csrf_token": token, "variant_id": str(variant_id),
                                                         "quantity": "1", "next": "/cart"})
        if status not in (302, 303):
            raise RuntimeError(f"add to cart answered {status}")
        status, _, html = self.request("GET", "/checkout")
        if status != 200:
            raise RuntimeError(f"checkout page answered {status}")
        self.checkout_form = {
            **ADDRESS,
            # Production settings refuse the reserved .test domain in an address.
            "email": f"buyer{self.number}@flash-sale.example.co.th",
            "csrf_token": self._match(CSRF_RE, html),
            "expected_total": self._match(TOTAL_RE, html),
        }

    def place_order(self) -> tuple[int, str, float]:
        started = time.perf_counter()
        status, location, _ = self.request("POST", "/checkout", self.checkout_form)
        return status, location, (time.perf_counter() - started) * 1000


@dataclass
class Rush:
    placed: int = 0
    sold_out: int = 0
    busy: int = 0
    other: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0


def run_rush(buyers: list[Buyer]) -> Rush:
    rush = Rush()
    lock = threading.Lock()
    barrier = threading.Barrier(len(buyers) + 1)

    def go(buyer: Buyer) -> None:
        barrier.wait()
        try:
            status, location, latency = buyer.place_order()
        except OSError:
            status, location, latency = -1, "", 0.0
        with lock:
            rush.latencies_ms.append(latency)
            if status in (302, 303) and "/orders/" in location:
                rush.placed += 1
            elif status == 409:
                rush.sold_out += 1
            elif status == 503:
                rush.busy += 1
            else:
                rush.other[status] = rush.other.get(status, 0) + 1

    threads = [threading.Thread(target=go, args=(b,), daemon=True) for b in buyers]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(300)
    rush.wall_s = time.perf_counter() - started
    return rush


# --- the database -------------------------------------------------------------------

class Store:
    """Reads and writes the scratch database directly (sqlite3 or psycopg)."""

    def __init__(self, kind: str, instance: Path) -> None:
        self.kind = kind
        self.instance = instance

    def connect(self):
        if self.kind == "sqlite":
            return sqlite3.connect(self.instance / "bench.sqlite3")
        import psycopg

        return psycopg.connect(f"postgresql://postgres@127.0.0.1/{PG_DATABASE}", autocommit=True)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        conn = self.connect()
        try:
            cursor = conn.execute(sql.replace("?", "%s") if self.kind != "sqlite" else sql, params)
            rows = cursor.fetchall() if cursor.description else []
            conn.commit()
            return rows
        finally:
            conn.close()


def prepare(kind: str, workdir: Path) -> tuple[dict[str, str], Store]:
    instance = workdir / f"checkout-{kind}"
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "bench.sqlite3").unlink(missing_ok=True)
    database_url = None
    if kind == "postgresql":
        for statement in (f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)", f"CREATE DATABASE {PG_DATABASE}"):
            subprocess.run(["psql", PG_ADMIN_URL, "-q", "-c", statement], check=True)
        database_url = f"postgresql+psycopg://postgres@127.0.0.1/{PG_DATABASE}"
    env = flask_env(instance, database_url)
    env["DEMO_PHOTO_WIDTH"] = "320"
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    return env, Store(kind, instance)


def serving_env(env: dict[str, str]) -> dict[str, str]:
    """Production settings (a random secret key; cookies over plain HTTP, as the
    script talks to gunicorn without TLS). The rate limiter stays off: every buyer
    here comes from 127.0.0.1, which a shop would see as one visitor."""
    return dict(env, APP_CONFIG="production", SECRET_KEY=secrets.token_urlsafe(48), SESSION_COOKIE_SECURE="0",
                RATELIMIT_ENABLED="0")


def pick_variant(store: Store, units: int) -> tuple[int, str]:
    row = store.query(
        "SELECT v.id, p.slug FROM variants v JOIN products p ON p.id = v.product_id "
        "JOIN enterprises e ON e.id = p.enterprise_id "
        "WHERE p.status = 'live' AND e.status = 'approved' AND v.is_active = ? ORDER BY v.id LIMIT 1",
        (True,),
    )[0]
    variant_id, slug = row
    store.query("UPDATE variants SET stock = ? WHERE id = ?", (units, variant_id))
    return variant_id, f"/products/{slug}"


def audit(store: Store, variant_id: int, units: int) -> dict[str, int]:
    stock = store.query("SELECT stock FROM variants WHERE id = ?", (variant_id,))[0][0]
    sold = store.query(
        "SELECT COALESCE(SUM(l.quantity), 0), COUNT(DISTINCT o.id) FROM order_lines l "
        "JOIN orders o ON o.id = l.order_id WHERE l.variant_id = ? AND o.status <> 'cancelled'",
        (variant_id,),
    )[0]
    units_sold, orders = int(sold[0]), int(sold[1])
    return {"stock_left": stock, "units_sold": units_sold, "orders": orders,
            "oversold": max(0, units_sold - units), "unaccounted": units - units_sold - stock}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buyers", type=int, default=300)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", default="/tmp/chumchon-bench")
    args = parser.parse_args()

    rows = []
    failures = []
    for kind in args.databases:
        print(f"== {kind}: {args.buyers} buyers, {args.units} units, gunicorn -w {args.workers} sync ==", flush=True)
        env, store = prepare(kind, Path(args.workdir))
        variant_id, product_path = pick_variant(store, args.units)
        served = serving_env(env)
        with gunicorn(served, "bench.baseline_app:app", workers=args.workers) as port:
            baseline = run_load("baseline", port, ["/"], requests=2000, concurrency=8, max_seconds=30)
        with gunicorn(served, workers=args.workers) as port:
            buyers = [Buyer(port, n) for n in range(args.buyers)]
            started = time.perf_counter()
            with ThreadPoolExecutor(16) as pool:
                list(pool.map(lambda b, path=product_path, vid=variant_id: b.fill_cart(path, vid), buyers))
            print(f"  {args.buyers} carts filled in {time.perf_counter() - started:.1f} s", flush=True)
            rush = run_rush(buyers)
        figures = audit(store, variant_id, args.units)
        orders_per_s = rush.placed / rush.wall_s if rush.wall_s else 0.0
        answers_per_s = len(rush.latencies_ms) / rush.wall_s if rush.wall_s else 0.0
        other = ", ".join(f"{code}×{n}" for code, n in sorted(rush.other.items())) or "0"
        row = (f"| {kind} | {args.buyers} | {args.units} | {rush.placed} | {rush.sold_out} | {rush.busy} | {other} | "
               f"{figures['units_sold']} | {figures['stock_left']} | **{figures['oversold']}** | "
               f"{rush.wall_s:.2f} | {orders_per_s:.1f} | {answers_per_s:.0f} | "
               f"{percentile(rush.latencies_ms, 50):.0f} | {percentile(rush.latencies_ms, 95):.0f} | "
               f"{baseline.rps:.0f} |")
        print(row, flush=True)
        rows.append(row)
        if figures["oversold"] or figures["unaccounted"] or figures["stock_left"] < 0 or rush.placed != figures["orders"]:
            failures.append(f"{kind}: {figures} placed={rush.placed}")
    table = "\n".join([
        "| database | buyers | units | orders placed | told sold out | told busy | other answers | units sold | "
        "stock left | oversold | rush wall s | orders/s | answers/s | p50 ms | p95 ms | baseline req/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ])
    print(table)
    note = (f"gunicorn -w {args.workers} sync on 127.0.0.1, production settings (rate limiter off: every buyer "
            "comes from 127.0.0.1); every buyer has its own session, cart and CSRF token; "
            "all submit the checkout at once. Oversold = units in orders not cancelled beyond the stock there was.")
    append_results("Flash-sale checkout", f"{note}\n\n{table}")
    if failures:
        raise SystemExit("stock mismatch: " + "; ".join(failures))


if __name__ == "__main__":
    main()
