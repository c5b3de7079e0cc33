"""The background workers run as their own processes and stop cleanly on SIGTERM, as a
process manager asks (shop/workers.py, deploy/): the sweeper, the e-mail sender and the
search indexer, each in its loop mode, finish the round in hand and exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WORKERS = [
    ("sweeper", ["orders", "sweep", "--loop", "1"], "released"),
    ("mail", ["outbox", "send", "--loop", "--interval", "1"], "sent"),
    ("search", ["search", "worker", "--poll", "0.5"], "Search indexer running"),
]


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workers")
    env = {
        **os.environ,
        "APP_CONFIG": "development",
        "DATABASE_URL": f"sqlite:///{folder / 'shop.sqlite3'}",
        "SEARCH_INDEX_DIR": str(folder / "search-index"),
        "UPLOAD_DIR": str(folder / "uploads"),
        "MAIL_FILE_DIR": str(folder / "mail"),
        "SEARCH_INDEXER": "off",
        "FLASK_APP": "wsgi",
        "PYTHAINLP_DATA": os.environ.get("PYTHAINLP_DATA", str(ROOT / "instance" / "pythainlp-data")),
    }
    env.pop("TEST_DATABASE_URL", None)
    setup = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stderr[-4000:]
    return env, folder


@pytest.mark.parametrize(("name", "args", "says"), WORKERS, ids=[w[0] for w in WORKERS])
def test_a_worker_loops_and_stops_cleanly_on_sigterm(environment, name, args, says):
    env, folder = environment
    log_path = folder / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120  # a busy machine imports slowly
        while says not in log_path.read_text():
            assert process.poll() is None, log_path.read_text()[-4000:]
            assert time.monotonic() < deadline, log_path.read_text()[-4000:]
            time.sleep(0.2)
        time.sleep(1.5)  # at least one more round
        assert process.poll() is None, log_path.read_text()[-4000:]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log_path.read_text()[-4000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_deploy_files_name_real_commands_and_settings(app):
    """deploy/: every ``flask`` command of the Procfile and the systemd units exists,
    and every setting of env.example is one the app reads."""
    import re
    import shlex

    deploy = ROOT / "deploy"
    commands = []
    for line in (deploy / "Procfile").read_text().splitlines():
        if line and not line.startswith("#"):
            commands.append(line.split(":", 1)[1].strip())
    for unit in (deploy / "systemd").glob("*.service"):
        commands += [line.split("=", 1)[1] for line in unit.read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(commands) == 8
    for command in commands:
        words = shlex.split(command)
        program = Path(words[0]).name
        if program == "gunicorn":
            assert words[-1] == "wsgi:app"
            continue
        assert program == "flask", command
        group = app.cli.get_command(None, words[1])
        assert group is not None, command
        sub = group.get_command(None, words[2])
        assert sub is not None, command
        known = {opt for param in sub.params for opt in getattr(param, "opts", [])}
        assert {w for w in words[3:] if w.startswith("--")} <= known, command
    config_text = (ROOT / "config.py").read_text()
    for line in (deploy / "env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("=", 1)[0]
            assert name == "FLASK_APP" or re.search(rf'"{name}"', config_text), name
