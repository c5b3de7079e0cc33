"""The access helpers other areas use: staff_required and enterprise membership."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from shop.accounts.access import login_required, staff_required
from shop.catalog import status
from shop.catalog.access import enterprise_membership, require_membership
from shop.errors import NotFound, PermissionDenied
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory


@pytest.fixture
def guarded_app(app):
    app.add_url_rule("/_test/staff", "staff_only", staff_required(lambda: "staff page"))
    app.add_url_rule("/_test/member", "members_only", login_required(lambda: "member page"))
    return app


@pytest.mark.fresh_app  # adds routes to the app
def test_staff_required_sends_guests_to_sign_in(guarded_app):
    response = guarded_app.test_client().get("/_test/staff")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


@pytest.mark.fresh_app  # adds routes to the app
def test_staff_required_refuses_other_users(guarded_app, sign_in):
    client = guarded_app.test_client()
    sign_in(UserFactory(), client=client)
    assert client.get("/_test/staff").status_code == 403


@pytest.mark.fresh_app  # adds routes to the app
def test_staff_required_lets_staff_in(guarded_app, sign_in):
    client = guarded_app.test_client()
    sign_in(UserFactory(is_staff=True), client=client)
    response = client.get("/_test/staff")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "staff page"


@pytest.mark.fresh_app  # adds routes to the app
def test_login_required_reexport(guarded_app):
    assert guarded_app.test_client().get("/_test/member").status_code == 302


def test_membership_of_a_member_and_of_a_stranger(app):
    owner = MemberFactory(role=status.MEMBER_OWNER)
    other_enterprise = EnterpriseFactory()
    assert enterprise_membership(owner.user, owner.enterprise_id) == owner
    assert enterprise_membership(owner.user, other_enterprise.id) is None
    assert enterprise_membership(owner.user, 999_999) is None
    assert enterprise_membership(AnonymousUserMixin(), owner.enterprise_id) is None
    assert enterprise_membership(None, owner.enterprise_id) is None


def test_require_membership_hides_other_enterprises_with_404(app):
    member = MemberFactory(role=status.MEMBER_STAFF)
    stranger = UserFactory()
    assert require_membership(member.user, member.enterprise_id) == member
    with pytest.raises(NotFound) as caught:
        require_membership(stranger, member.enterprise_id)
    assert caught.value.status_code == 404
    with pytest.raises(NotFound):
        require_membership(member.user, 999_999)


def test_require_membership_as_owner(app):
    owner = MemberFactory(role=status.MEMBER_OWNER)
    staff = MemberFactory(role=status.MEMBER_STAFF, enterprise=owner.enterprise)
    assert require_membership(owner.user, owner.enterprise_id, owner=True) == owner
    with pytest.raises(PermissionDenied):
        require_membership(staff.user, staff.enterprise_id, owner=True)


def test_programme_staff_are_not_members_by_default(app):
    enterprise = EnterpriseFactory()
    with pytest.raises(NotFound):
        require_membership(UserFactory(is_staff=True), enterprise.id)
