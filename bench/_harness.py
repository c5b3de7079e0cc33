"""Shared benchmark plumbing: scratch catalogues, gunicorn servers, a bounded HTTP load
generator, and appending results to docs/benchmarks.md.

Load goes only to 127.0.0.1, with a bounded request count and time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask_env(instance: Path, database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi",
        INSTANCE_DIR=str(instance),
        DATABASE_URL=database_url or f"sqlite:///{instance / 'bench.sqlite3'}",
        SEARCH_INDEX_DIR=str(instance / "search-index"),
        UPLOAD_DIR=str(instance / "uploads"),
        MAIL_FILE_DIR=str(instance / "mail"),
        PYTHAINLP_DATA=str(instance / "pythainlp-data"),
        APP_CONFIG="development",
        RATELIMIT_ENABLED="0",
    )
    return env


# --- memory ---------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    """A process's resident memory (``VmRSS`` in /proc/<pid>/status), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """The pids of a process's children, grandchildren … (from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        out += children
        todo += children
    return out


class MemorySampler:
    """Samples the resident memory of a process and its descendants every
    ``interval`` seconds while it runs: ``peak_total_kb`` (the whole tree at once) and
    ``peak_process_kb`` (the largest single process)."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid = pid
        self.interval = interval
        self.peak_total_kb = 0
        self.peak_process_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = [rss_kb(p) for p in [self.pid, *descendants(self.pid)]]
            self.peak_total_kb = max(self.peak_total_kb, sum(sizes))
            self.peak_process_kb = max(self.peak_process_kb, max(sizes, default=0))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def flask_measured(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, float, MemorySampler]:
    """``flask *args`` with its wall time and its process tree's peak memory."""
    command = [str(VENV_BIN / "flask"), *args]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with MemorySampler(process.pid) as memory:
        stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{stdout}\n{stderr}")
    print(f"  $ flask {' '.join(args)}  ({elapsed:.1f} s, peak {memory.peak_total_kb / 1024:.0f} MB)", flush=True)
    return subprocess.CompletedProcess(command, 0, stdout, stderr), elapsed, memory


def flask(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    command = [str(VENV_BIN / "flask"), *args]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    print(f"  $ flask {' '.join(args)}  ({elapsed:.1f} s)", flush=True)
    return result


@contextlib.contextmanager
def gunicorn(env: dict[str, str], app: str = "wsgi:app", workers: int = 2) -> Iterator[int]:
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", app]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class LoadResult:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def rps(self) -> float:
        return self.count / self.wall_s if self.wall_s else 0.0

    def row(self, baseline: LoadResult | None = None) -> str:
        ratio = f"{self.percentile(95) / baseline.percentile(95):.1f}×" if baseline and baseline.count else "—"
        return (f"| {self.name} | {self.count} | {self.rps:.0f} | {self.percentile(50):.1f} | "
                f"{self.percentile(95):.1f} | {self.percentile(99):.1f} | {ratio} | {self.errors} |")


TABLE_HEAD = ("| page | requests | req/s | p50 ms | p95 ms | p99 ms | p95 vs baseline | errors |\n"
              "|---|---|---|---|---|---|---|---|")


def run_load(name: str, port: int, paths: Sequence[str], *, requests: int, concurrency: int = 4,
             max_seconds: float = 60.0, warmup: int = 10) -> LoadResult:
    """Send ``requests`` GETs (cycling through ``paths``) from ``concurrency`` threads."""
    result = LoadResult(name)
    lock = threading.Lock()
    counter = iter(range(requests))

    def one(path: str) -> tuple[float, bool]:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path, headers={"Accept-Language": "th"})
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except OSError:
            ok = False
        finally:
            conn.close()
        return (time.perf_counter() - started) * 1000, ok

    for i in range(warmup):
        one(paths[i % len(paths)])

    deadline = time.perf_counter() + max_seconds

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            latency, ok = one(paths[i % len(paths)])
            with lock:
                if ok:
                    result.latencies_ms.append(latency)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_s = time.perf_counter() - started
    return result


def measure_paths(env: dict[str, str], paths: dict[str, list[str]], *, requests: int, concurrency: int,
                  max_seconds: float) -> str:
    """A minimal Flask page, then each named group of paths, on gunicorn with the same
    settings; the markdown table of the figures (each p95 also as a multiple of the
    baseline's)."""
    with gunicorn(env, "bench.baseline_app:app") as port:
        baseline = run_load("baseline (minimal Flask page)", port, ["/"], requests=requests,
                            concurrency=concurrency, max_seconds=max_seconds)
    rows = [baseline.row()]
    with gunicorn(env) as port:
        for name, group in paths.items():
            result = run_load(name, port, group, requests=requests, concurrency=concurrency,
                              max_seconds=max_seconds)
            rows.append(result.row(baseline))
    return "\n".join([TABLE_HEAD, *rows])


def append_results(title: str, body: str) -> None:
    command = shlex.join([".venv/bin/python", *sys.argv])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (f"\n## {title} — {stamp}\n\n"
               f"- machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}\n"
               f"- command: `{command}`\n\n{body}\n")
    BENCHMARKS_MD.parent.mkdir(exist_ok=True)
    if not BENCHMARKS_MD.exists():
        BENCHMARKS_MD.write_text("# Benchmarks\n\nFigures appended by the scripts in `bench/`. This machine is shared and "
                                 "noisy: compare each figure with the baseline measured in the same run.\n")
    with BENCHMARKS_MD.open("a", encoding="utf-8") as handle:
        handle.write(section)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
