"""Who may see what: small helpers every area uses for its access checks.

* ``login_required``: guests are sent to the sign-in page (with ``next=``).
* ``staff_required``: programme staff only; other users get 403, guests sign in.

Whether a user may act for an enterprise is the catalogue's question
(``shop.catalog.access``), since enterprises and their members are catalogue rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask_login import current_user, login_required

from shop.errors import PermissionDenied
from shop.extensions import login_manager

__all__ = ["login_required", "staff_required"]

View = TypeVar("View", bound=Callable[..., Any])


def staff_required(view: View) -> View:
    """Programme staff only: guests are asked to sign in, other users get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_staff:
            raise PermissionDenied()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
