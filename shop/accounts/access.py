"""Who may see what: small helpers every area uses for its access checks.

* ``login_required``: guests are sent to the sign-in page (with ``next=``).
* ``staff_required``: programme staff only; other users get 403, guests sign in.
* ``enterprise_membership`` / ``require_membership``: a user's membership of one
  enterprise. Not being a member answers 404, not 403, so enterprise ids cannot be
  probed to learn which exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from shop.catalog import status
from shop.catalog.models import EnterpriseMember
from shop.errors import NotFound, PermissionDenied
from shop.extensions import db, login_manager

__all__ = ["enterprise_membership", "login_required", "require_membership", "staff_required"]

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


def enterprise_membership(user, enterprise_id: int) -> EnterpriseMember | None:
    """The user's membership of that enterprise, or None (also for guests)."""
    if user is None or not getattr(user, "is_authenticated", False) or enterprise_id is None:
        return None
    return db.session.scalar(
        select(EnterpriseMember).where(
            EnterpriseMember.enterprise_id == enterprise_id, EnterpriseMember.user_id == user.id
        )
    )


def require_membership(user, enterprise_id: int, *, owner: bool = False) -> EnterpriseMember:
    """The membership, or NotFound (404) for a non-member.

    With ``owner=True`` a member who is not an owner gets PermissionDenied (403):
    they already know the enterprise exists.
    """
    membership = enterprise_membership(user, enterprise_id)
    if membership is None:
        raise NotFound()
    if owner and membership.role != status.MEMBER_OWNER:
        raise PermissionDenied(_l("Only an owner of this enterprise can do that."))
    return membership
