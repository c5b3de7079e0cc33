"""``flask demo load`` and ``flask demo generate``."""

from __future__ import annotations

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo and benchmark catalogues.")
