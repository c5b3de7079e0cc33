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

Each seller view calls ``get_member_enterprise_or_404`` first.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.catalog import status
from shop.catalog.models import Enterprise, EnterpriseMember
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


def find_membership(user: Any, enterprise_id: int) -> EnterpriseMember | None:
    """The user's membership of that enterprise, or None (also for guests)."""
    return enterprise_membership(user, enterprise_id)


def get_member_enterprise_or_404(
    user: Any, enterprise_id: int, *, owner: bool = False
) -> tuple[Enterprise, EnterpriseMember]:
    """The enterprise and the user's membership of it.

    Raises ``NotFound`` (404) when the enterprise does not exist or the user is not a
    member of it, and ``PermissionDenied`` (403) when ``owner=True`` and the member is
    not an owner.
    """
    membership = require_membership(user, enterprise_id, owner=owner)
    return membership.enterprise, membership
