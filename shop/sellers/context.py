"""Which enterprise a seller page acts on, and whether the user may act on it.

Every seller route that concerns one enterprise is URL-scoped:
``/seller/<int:enterprise_id>/…``. The enterprise always comes from the URL, checked
against the signed-in user's memberships on every request; it is never read from a
form, a query string or the session. So

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

from shop.accounts.access import enterprise_membership, require_membership
from shop.catalog.models import Enterprise, EnterpriseMember


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
