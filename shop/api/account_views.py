"""``GET /api/v1/me``: who the token acts as, and what it may do."""

from __future__ import annotations

from typing import Literal

from flask import g
from pydantic import Field

from shop.api.routing import operation
from shop.api.schemas import ResponseModel
from shop.sellers import services as sellers


class Membership(ResponseModel):
    enterprise_id: int
    enterprise_slug: str
    enterprise_name: str
    role: str = Field(description="`owner` or `staff`.")


class Me(ResponseModel):
    id: int
    email: str
    display_name: str
    locale: str
    roles: list[Literal["shopper", "member", "retail_buyer", "mentor", "staff"]]
    memberships: list[Membership]
    token_name: str


@operation("GET", "/me", summary="The account the token acts as", tag="account", response=Me)
def me():
    user = g.api_user
    memberships = sellers.memberships_of(user, by_enterprise_id=True)
    roles = ["shopper"]
    if memberships:
        roles.append("member")
    if user.is_verified_retail_buyer:
        roles.append("retail_buyer")
    if user.is_mentor:
        roles.append("mentor")
    if user.is_staff:
        roles.append("staff")
    return Me(
        id=user.id, email=user.email, display_name=user.display_name, locale=user.locale, roles=roles,
        memberships=[Membership(enterprise_id=m.enterprise_id, enterprise_slug=m.enterprise.slug,
                                enterprise_name=m.enterprise.name_th, role=m.role) for m in memberships],
        token_name=g.api_token.name,
    )
