"""Hooks: how a lower area lets the areas above it take part in its work without
importing them (docs/architecture.md: Layers).

The lower area declares a ``Hook`` where something happens (an order is paid, a
refund succeeds) and calls it there; ``create_app`` connects the upper areas'
handlers on the app it builds (``shop/__init__.py``, ``register_hooks``), as areas
register their health checks with ``shop.core.health.register_check``. A hook with
nothing connected does nothing, so a lower area's tests run without the areas above.

Handlers run in the order they were connected, in the caller's transaction, and
their answers come back as a list; an exception from a handler reaches the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

_EXTENSION_KEY = "chumchon_hooks"


class Hook:
    """One point where the areas above may act; ``name`` is unique in the app."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Hook({self.name!r})"

    def connect(self, app: Flask, handler: Callable[..., Any]) -> None:
        app.extensions.setdefault(_EXTENSION_KEY, {}).setdefault(self.name, []).append(handler)

    def handlers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(current_app.extensions.get(_EXTENSION_KEY, {}).get(self.name, ()))

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        return [handler(*args, **kwargs) for handler in self.handlers()]
