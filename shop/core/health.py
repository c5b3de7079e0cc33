"""Health checks that areas register (database here, the search index in ``search``),
and who may read their details.

Anyone (a load balancer, a monitor) gets ``{"status": "ok"}`` or ``"degraded"`` with
200 or 503. The per-check details (database dialect and revision, the search index's
state and paths, error names) help an attacker map the system, so they are shown
only to signed-in programme staff and to requests from the machine itself
(``127.0.0.1`` / ``::1`` as ``request.remote_addr`` sees them: behind a reverse proxy
on the same machine every request looks local, so such a deployment must set
``TRUSTED_PROXIES``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import text

from shop.database import end_read
from shop.extensions import db

HealthCheck = Callable[[], dict]
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})


def register_check(app, name: str, check: HealthCheck) -> None:
    app.extensions.setdefault("chumchon_health", {})[name] = check


def database_check() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        revision = None
        try:
            revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # the table is missing when the schema was made without migrations (tests)
            end_read()
        return {"ok": True, "dialect": db.engine.dialect.name, "revision": revision}
    except Exception as exc:  # report, never raise: the health check must answer
        current_app.logger.warning("health check: database unavailable: %s", exc)
        end_read()
        return {"ok": False, "dialect": db.engine.dialect.name, "error": type(exc).__name__}


def run_checks() -> dict:
    checks: dict[str, HealthCheck] = {"database": database_check}
    checks.update(current_app.extensions.get("chumchon_health", {}))
    results = {name: check() for name, check in checks.items()}
    ok = all(result.get("ok") for result in results.values())
    return {"status": "ok" if ok else "degraded", **results}


def may_see_details() -> bool:
    """Whether this request may read each check's details (see the module docstring)."""
    if request.remote_addr in LOCAL_ADDRESSES:
        return True
    try:
        return bool(current_user.is_authenticated and current_user.is_staff)
    except Exception:  # the database is down: the answer must still come, without details
        end_read()
        return False


def public_report(report: dict) -> dict:
    """What anyone may read of ``run_checks()``'s report."""
    return {"status": report["status"]}
