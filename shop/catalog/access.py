"""Which enterprise a page acts on, and whether the user may act for it.

``enterprise_membership`` / ``require_membership``: a user's membership of one
enterprise. Not being a member answers 404, not 403, so enterprise ids cannot be
probed to learn which exist.

Every seller route that concerns one enterprise (the dashboard in ``sellers``, and
the refund, money and document pages of ``payments``, ``ledger`` and ``orders``) is
URL-scoped: ``/seller/<int:enterprise_id>/…``. The enterprise always comes from the
URL, checked against the signed-in user's memberships on every request; it is never
read from a form, a query string or the session. So

* another enterprise's id in the URL (or a product/photo id that belongs to another
  enterprise, which the listing code looks up *within* the enterprise found here)
  gives 404, exactly as an id that does not exist: nobody learns which ids exist;
* an ``enterprise_id`` field posted in a form is ignored, because no view reads it;
* removing a member takes effect on their next request, since nothing is cached;
* "switching" enterprises is just following a link to another enterprise's URL.

Owner-only actions (inviting and removing members, resubmitting an application)
answer 403 to a non-owner member: they already know the enterprise exists.

A **mentor** assigned to the enterprise (``MentorAssignment``) is not a member but
reads every seller page and seller API read endpoint of it: ``require_membership``
answers a ``MentorView`` (read-only, ``role == "mentor"``) for a GET, and 403 for
anything that would change something (any other method, or an owner-only action).
A mentor not assigned to the enterprise gets 404 like anyone else.

Each seller view calls ``get_member_enterprise_or_404`` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop import roles
from shop.catalog import status
from shop.catalog.models import Enterprise, EnterpriseMember, MentorAssignment
from shop.errors import NotFound, PermissionDenied
from shop.extensions import db


def enterprise_membership(user, enterprise_id: int) -> EnterpriseMember | None:
    """The user's membership of that enterprise, or None (also for guests)."""
    if user is None or not getattr(user, "is_authenticated", False) or enterprise_id is None:
        return None
    return db.session.scalar(
        select(EnterpriseMember).where(
            EnterpriseMember.enterprise_id == enterprise_id, EnterpriseMember.user_id == user.id
        )
    )


@dataclass(frozen=True)
class MentorView:
    """A mentor's read-only access to an enterprise they coach, where a membership
    would be: it has the enterprise and ``role == "mentor"`` (never an owner)."""

    enterprise: Enterprise
    user_id: int
    role: str = roles.MENTOR
    id: None = None

    @property
    def enterprise_id(self) -> int:
        return self.enterprise.id


def is_assigned_mentor(user, enterprise_id: int | None) -> bool:
    """Whether ``user`` is a mentor assigned to coach that enterprise."""
    if user is None or not getattr(user, "is_authenticated", False) or enterprise_id is None:
        return False
    if not getattr(user, "is_mentor", False):
        return False
    return db.session.scalar(
        select(MentorAssignment.id).where(MentorAssignment.mentor_id == user.id,
                                          MentorAssignment.enterprise_id == enterprise_id)
    ) is not None


def mentor_view(user, enterprise_id: int) -> MentorView | None:
    """The read-only stand-in for a membership, for an assigned mentor; else None."""
    if not is_assigned_mentor(user, enterprise_id):
        return None
    enterprise = db.session.get(Enterprise, enterprise_id)
    return MentorView(enterprise=enterprise, user_id=user.id) if enterprise is not None else None


def _changes_something() -> bool:
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def require_membership(user, enterprise_id: int, *, owner: bool = False) -> EnterpriseMember | MentorView:
    """The membership, or NotFound (404) for a non-member.

    With ``owner=True`` a member who is not an owner gets PermissionDenied (403):
    they already know the enterprise exists. An assigned mentor gets a ``MentorView``
    for a read and PermissionDenied (403) for anything that changes something.
    """
    membership = enterprise_membership(user, enterprise_id)
    if membership is None:
        view = mentor_view(user, enterprise_id)
        if view is None:
            raise NotFound()
        if owner or _changes_something():
            raise PermissionDenied(_l("As a mentor you can read this enterprise's pages, not change them."))
        return view
    if owner and membership.role != status.MEMBER_OWNER:
        raise PermissionDenied(_l("Only an owner of this enterprise can do that."))
    return membership


def find_membership(user: Any, enterprise_id: int) -> EnterpriseMember | None:
    """The user's membership of that enterprise, or None (also for guests)."""
    return enterprise_membership(user, enterprise_id)


def get_member_enterprise_or_404(
    user: Any, enterprise_id: int, *, owner: bool = False
) -> tuple[Enterprise, EnterpriseMember | MentorView]:
    """The enterprise and the user's membership of it (an assigned mentor's
    ``MentorView`` on a read).

    Raises ``NotFound`` (404) when the enterprise does not exist or the user is not a
    member of it nor its mentor, and ``PermissionDenied`` (403) when ``owner=True`` and
    the member is not an owner, or a mentor tries to change something.
    """
    membership = require_membership(user, enterprise_id, owner=owner)
    return membership.enterprise, membership
