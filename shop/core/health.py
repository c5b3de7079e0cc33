"""Health checks that areas register (database here, the search index in ``search``)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

HealthCheck = Callable[[], dict]


def register_check(app, name: str, check: HealthCheck) -> None:
    app.extensions.setdefault("chumchon_health", {})[name] = check


def run_checks() -> dict:
    from shop.core.views import database_check

    checks: dict[str, HealthCheck] = {"database": database_check}
    checks.update(current_app.extensions.get("chumchon_health", {}))
    results = {name: check() for name, check in checks.items()}
    ok = all(result.get("ok") for result in results.values())
    return {"status": "ok" if ok else "degraded", **results}
