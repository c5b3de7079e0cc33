"""Two hosts of one shop (docs/scale-out.md): two gunicorn servers with their own
instance folders and search indexes, one PostgreSQL database, one Redis.

* a listing edited through host A is found by search on host B within 2 s;
* a session signed in on A works on B;
* a rate limit counted on A holds on B;
* a flash sale spread over both sells exactly the stock;
* host A killed mid-load: B keeps serving;
* A restarted catches up its index from the change log.

Runs where the suite runs on PostgreSQL (``TEST_DATABASE_URL``, as in CI) with Redis
on 127.0.0.1:6379; skipped elsewhere.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = "redis://127.0.0.1:6379/14"
STOCK = 10
BUYERS = 24


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - no server here
        return False


if not PG_URL.startswith("postgresql") or not _redis_answers():
    pytest.skip("two hosts need PostgreSQL (TEST_DATABASE_URL) and Redis on 127.0.0.1:6379",
                allow_module_level=True)

SETUP = r"""
import json
from flask_migrate import upgrade
from shop import create_app
from shop.extensions import db

app = create_app()
with app.app_context():
    upgrade()
    from tests.api_helpers import token_for
    from tests.factories import MemberFactory, ProductFactory, UserFactory, VariantFactory

    owner = MemberFactory(enterprise__name_en="Two Hosts Weavers")
    product = ProductFactory(enterprise=owner.enterprise, name_en="Plain cotton scarf", slug="cotton-scarf")
    variant = VariantFactory(product=product, price_satang=25000, stock={stock})
    shopper = UserFactory(email="two-hosts@example.test", display_name="Somsri Two Hosts")
    buyers = [UserFactory(email=f"buyer{i}@example.test") for i in range({buyers})]
    limited = UserFactory(email="limited@example.test")
    db.session.commit()
    print("SETUP " + json.dumps({
        "enterprise": owner.enterprise_id, "product": product.id, "variant": variant.id,
        "owner": token_for(owner.user), "buyers": [token_for(b) for b in buyers], "limited": token_for(limited),
    }))
""".replace("{stock}", str(STOCK)).replace("{buyers}", str(BUYERS))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Host:
    def __init__(self, name: str, env: dict, folder: Path) -> None:
        self.name, self.folder = name, folder
        self.port = _free_port()
        self.env = {**env, "SEARCH_INDEX_DIR": str(folder / "search-index"), "MAIL_FILE_DIR": str(folder / "mail"),
                    "INSTANCE_DIR": str(folder / "instance")}
        self.process: subprocess.Popen | None = None
        self.log_path = folder / "gunicorn.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "--no-control-socket", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{self.port}",
                 "--timeout", "120", "--graceful-timeout", "5", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, self.log_path.read_text()[-4000:]
            try:
                if fetch(self.base + "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, self.log_path.read_text()[-4000:]
            time.sleep(0.25)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def fetch(url: str, *, data: dict | None = None, method: str | None = None, token: str | None = None,
          opener=None, form: dict | None = None, timeout: float = 60) -> tuple[int, str]:
    headers = {"Accept-Language": "en"}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def found_by_search(host: Host, words: str) -> bool:
    status, page = fetch(f"{host.base}/search?{urllib.parse.urlencode({'q': words})}")
    return status == 200 and "cotton-scarf" in page


def wait_until(check, seconds: float) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    import psycopg
    import redis

    folder = tmp_path_factory.mktemp("two-hosts")
    name = f"two_hosts_{secrets.token_hex(4)}"
    admin_url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = re.sub(r"/[^/?]+(\?|$)", f"/{name}\\1", admin_url, count=1)
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {**os.environ, "APP_CONFIG": "development", "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL,
           "UPLOAD_DIR": str(folder / "uploads"), "SEARCH_INDEXER": "thread", "SEARCH_POLL_SECONDS": "0.5",
           "API_RATE_LIMIT": "5 per minute", "ARGON2_MEMORY_COST_KIB": "1024", "ARGON2_TIME_COST": "1",
           "PYTHAINLP_DATA": os.environ.get("PYTHAINLP_DATA", str(ROOT / "instance" / "pythainlp-data"))}
    env.pop("TEST_DATABASE_URL", None)
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stderr[-4000:]
    facts = json.loads(next(line for line in setup.stdout.splitlines() if line.startswith("SETUP "))[6:])
    hosts = [Host(label, env, folder / label) for label in ("a", "b")]
    for host in hosts:
        host.folder.mkdir()
        host.start()
    try:
        yield {"a": hosts[0], "b": hosts[1], "facts": facts, "database_url": database_url}
    finally:
        for host in hosts:
            host.stop()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _rename(host: Host, facts: dict, name: str) -> None:
    url = f"{host.base}/api/v1/seller/enterprises/{facts['enterprise']}/products/{facts['product']}"
    status, text = fetch(url, data={"name_en": name}, method="PATCH", token=facts["owner"])
    assert status == 200, text


def test_two_hosts(shop):
    a, b, facts = shop["a"], shop["b"], shop["facts"]

    # Each host builds its own index from the database at its first search.
    wait_until(lambda: found_by_search(a, "cotton scarf") and found_by_search(b, "cotton scarf"), 60)

    # A listing edited through A is found by search on B within 2 s.
    _rename(a, facts, "Indigo batik scarf")
    assert wait_until(lambda: found_by_search(b, "indigo batik"), 2.0) <= 2.0

    # A session signed in on A works on B (one cookie jar: the load balancer's name).
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, page = fetch(f"{a.base}/account/login", opener=browser)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    status, _page = fetch(f"{a.base}/account/login", opener=browser, method="POST",
                          form={"csrf_token": token, "email": "two-hosts@example.test",
                                "password": "a-long-enough-passphrase"})
    assert status == 200
    status, page = fetch(f"{b.base}/account/", opener=browser)
    assert status == 200 and "Somsri Two Hosts" in page

    # A rate limit counted on A holds on B (5 a minute per token, counted in Redis).
    limited = facts["limited"]
    assert [fetch(f"{a.base}/api/v1/me", token=limited)[0] for _ in range(5)] == [200] * 5
    assert fetch(f"{b.base}/api/v1/me", token=limited)[0] == 429

    # A flash sale spread over both hosts sells exactly the stock.
    answers: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(BUYERS)
    body = {"lines": [{"variant_id": facts["variant"], "quantity": 1}], "payment_method": "promptpay_qr",
            "address": {"recipient_name": "สมหญิง ใจดี", "phone": "081-234-5678", "address_line": "99/1 ซอยสุขุมวิท 63",
                        "subdistrict": "คลองตันเหนือ", "district": "วัฒนา", "province_code": "10", "postcode": "10110"}}

    def buy(index: int, secret: str) -> None:
        host = a if index % 2 else b
        start.wait()
        status, _text = fetch(f"{host.base}/api/v1/orders", data=body, method="POST", token=secret)
        with lock:
            answers.append(status)

    threads = [threading.Thread(target=buy, args=(i, s)) for i, s in enumerate(facts["buyers"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    statuses = Counter(answers)
    assert statuses[201] == STOCK and set(statuses) <= {201, 409, 503}, statuses
    status, text = fetch(f"{b.base}/api/v1/products/{facts['product']}")
    assert status == 200 and json.loads(text)["in_stock"] is False

    # Host A killed mid-load: B keeps serving.
    results = {"a": Counter(), "b": Counter()}
    stop = threading.Event()

    def load(host: Host, key: str) -> None:
        while not stop.is_set():
            try:
                # A connection the killed host A never answers counts as down too.
                status, _text = fetch(f"{host.base}/products/cotton-scarf", timeout=1.5 if key == "a" else 60)
            except (OSError, http.client.HTTPException):
                # A host killed mid-answer cuts the body short (IncompleteRead) or refuses the connection.
                status = "down"
            results[key][status] += 1

    loaders = [threading.Thread(target=load, args=(host, key)) for host, key in ((a, "a"), (b, "b"))]
    for loader in loaders:
        loader.start()
    time.sleep(1.0)
    a.kill()
    try:
        wait_until(lambda: results["a"]["down"] > 0 and results["b"][200] > 0, 30)
        time.sleep(1.0)
    finally:
        stop.set()
    for loader in loaders:
        loader.join(60)
    assert results["b"][200] > 0 and set(results["b"]) == {200}, results
    assert results["a"]["down"] > 0, results

    # While A is down, the listing changes through B; A restarted catches up from the log.
    _rename(b, facts, "Silk ikat scarf")
    a.start()
    wait_until(lambda: found_by_search(a, "silk ikat"), 15)
    health = json.loads(fetch(f"{a.base}/healthz")[1])
    assert health["status"] == "ok"
