"""Accounts under a real server: gunicorn, one sync worker, a SQLite file made by the
migrations, real CSRF tokens and cookies over HTTP.

The test client runs each request in the test's own process and never serves two
requests from one worker the way gunicorn does, so a fault that kills the worker
process (a crash in C, not a Python exception) only shows here.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
EMAIL = "server-shopper@example.test"
OLD_PASSWORD = "a-long-enough-passphrase"
NEW_PASSWORD = "river lanterns at dusk"

# Run in a process of its own with the server's environment: the schema from the
# migrations, and the account made by the registration service.
SETUP = f"""
from flask_migrate import upgrade
from shop import create_app
from shop.accounts import services

app = create_app()
with app.app_context():
    upgrade()
    services.register_user(display_name="Server Shopper", email={EMAIL!r}, password={OLD_PASSWORD!r}, locale="en")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> set[int]:
    """The ids of the processes whose parent is ``pid`` (gunicorn's workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue  # gone meanwhile
        match = re.search(r"^PPid:\s+(\d+)$", status, re.MULTILINE)
        if match and int(match.group(1)) == pid:
            found.add(int(entry.name))
    return found


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # answer the 302 itself, so the test sees where it points


class Browser:
    """A cookie jar and plain urllib, one request at a time."""

    def __init__(self, base: str, log_path: Path):
        self.base, self.log_path = base, log_path
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirects())

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Accept-Language": "en"})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as answer:  # 3xx and 4xx arrive here
            return answer.code, dict(answer.headers), answer.read().decode()
        except (http.client.RemoteDisconnected, ConnectionError) as exc:
            pytest.fail(f"the server dropped {path} ({exc!r}); its log:\n{self.log_path.read_text()[-4000:]}")

    def csrf_token(self, path: str, field: str = "csrf_token") -> str:
        status, _headers, page = self.request(path)
        assert status == 200, (path, status)
        match = re.search(rf'name="{re.escape(field)}" type="hidden" value="([^"]+)"', page) or \
            re.search(rf'value="([^"]+)"[^>]*name="{re.escape(field)}"', page)
        assert match, f"no {field} on {path}"
        return match.group(1)


@pytest.fixture
def server(tmp_path):
    """The base URL of gunicorn serving ``wsgi:app``, its master process and its log."""
    env = {
        **os.environ,
        "APP_CONFIG": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "ARGON2_MEMORY_COST_KIB": "1024",
        "ARGON2_TIME_COST": "1",
        "PYTHAINLP_DATA": os.environ.get("PYTHAINLP_DATA", str(ROOT / "instance" / "pythainlp-data")),
    }
    env.pop("TEST_DATABASE_URL", None)
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert setup.returncode == 0, setup.stderr[-4000:]

    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "--no-control-socket", "-w", "1", "-k", "sync", "-b", f"127.0.0.1:{port}",
             "--timeout", "120", "--graceful-timeout", "5", "--log-level", "info", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120  # a busy two-core machine imports slowly
        while True:
            assert process.poll() is None, log_path.read_text()[-4000:]
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    break
                connection.close()
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer:\n" + log_path.read_text()[-4000:]
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}", process, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _sign_in(browser: Browser, password: str) -> int:
    token = browser.csrf_token("/account/login")
    status, _headers, _page = browser.request(
        "/account/login", {"csrf_token": token, "email": EMAIL, "password": password})
    return status


def test_changing_the_password_keeps_the_worker_alive_and_this_browser_signed_in(server):
    base, master, log_path = server
    browser = Browser(base, log_path)
    workers = _children(master.pid)
    assert len(workers) == 1, workers

    assert _sign_in(browser, OLD_PASSWORD) == 302
    token = browser.csrf_token("/account/", "password-csrf_token")
    status, headers, _page = browser.request("/account/password", {
        "password-csrf_token": token,
        "password-current_password": OLD_PASSWORD,
        "password-new_password": NEW_PASSWORD,
        "password-confirm": NEW_PASSWORD,
    })
    assert status == 302, status
    assert headers["Location"].endswith("/account/")

    # The same worker answers the next request, as the signed-in user.
    status, _headers, page = browser.request("/account/")
    assert status == 200
    assert EMAIL in page
    assert "Your password is changed" in page
    assert _children(master.pid) == workers
    assert master.poll() is None
    log = log_path.read_text()
    assert "SIGSEGV" not in log and not re.search(r"Worker \(pid:\d+\) was sent", log), log

    # The new password signs in on another browser; the old one no longer does.
    assert _sign_in(Browser(base, log_path), OLD_PASSWORD) == 400
    other = Browser(base, log_path)
    assert _sign_in(other, NEW_PASSWORD) == 302
    assert other.request("/account/")[0] == 200
    assert _children(master.pid) == workers
