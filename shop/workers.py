"""Background workers' clean stop: ``flask orders sweep --loop``, ``flask outbox send
--loop`` and ``flask search worker`` run on any number of hosts at once (each order,
message and job is claimed by one of them; each host's search index has its own
writer) and stop after the work in hand on SIGTERM or SIGINT, as a process manager
(systemd, a Procfile runner, Kubernetes) asks."""

from __future__ import annotations

import signal
import threading


def stop_on_signals(signals=(signal.SIGTERM, signal.SIGINT)) -> threading.Event:
    """An event set when one of ``signals`` arrives (main thread only, as Python
    requires for signal handlers)."""
    stop = threading.Event()
    for sig in signals:
        signal.signal(sig, lambda *_: stop.set())
    return stop
