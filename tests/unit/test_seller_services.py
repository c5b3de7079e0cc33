"""Unit tests of the seller services and checks: identifiers, the enterprise status
workflow (every forbidden change walked), invitations and membership rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop import roles
from shop.catalog import status
from shop.catalog.access import get_member_enterprise_or_404
from shop.catalog.models import EnterpriseMember
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.sellers import services
from shop.sellers import validation as v
from shop.sellers.models import EnterpriseEvent
from tests.factories import EnterpriseFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory

# ---------------------------------------------------------------- identifiers


@pytest.mark.parametrize("typed, stored", [
    ("1-12-34-56/7-8901", "1-12-34-56/7-8901"),
    ("112345678901", "1-12-34-56/7-8901"),
    (" 1 12 34 56/7 8901 ", "1-12-34-56/7-8901"),
    ("๑-๑๒-๓๔-๕๖/๗-๘๙๐๑", "1-12-34-56/7-8901"),
    ("5-50-01/1-0001", "5-50-01/1-0001"),
])
def test_registration_numbers_are_normalised(typed, stored):
    assert v.registration_no_problem(typed) is None
    assert v.normalize_registration_no(typed) == stored


@pytest.mark.parametrize("typed", ["", "abc", "1-2-3", "1" * 17, "12-34-56-78/9<script>", "1.12.34.56.7.8901"])
def test_bad_registration_numbers(typed):
    assert v.registration_no_problem(typed) is not None


@pytest.mark.parametrize("typed, stored", [
    ("0812345678", "0812345678"), ("081-234-5678", "0812345678"), ("+66812345678", "0812345678"),
    ("0105561234560", "0105561234560"), ("0-1055-61234-56-0", "0105561234560"), ("1103700123458", "1103700123458"),
])
def test_promptpay_ids(typed, stored):
    assert v.promptpay_problem(typed) is None
    assert v.normalize_promptpay_id(typed) == stored


@pytest.mark.parametrize("typed", ["1812345678", "0105561234567", "12345", "08123456789", "abcdefghij", "081234567๘x"])
def test_bad_promptpay_ids(typed):
    assert v.promptpay_problem(typed) is not None


@pytest.mark.parametrize("line_id, ok", [("@maejaem", True), ("mae.jaem_01", True), ("ab", False), ("a b c", False),
                                         ("ชื่อไทย", False)])
def test_line_ids(line_id, ok):
    assert (v.line_id_problem(line_id) is None) is ok


# ---------------------------------------------------------------- details


def details(**changes) -> services.EnterpriseDetails:
    values = {"name_th": "กลุ่มทดสอบ", "province_code": "50", "contact_phone": "081 234 5678",
              "promptpay_id": "0812345678"}
    values.update(changes)
    return services.EnterpriseDetails(**values)


def test_check_details_normalises(app):
    cleaned = services.check_details(details(name_th="  กลุ่ม  ", contact_email="A@Example.TEST", line_id="@Group",
                                             vat_registered=True, tax_id="0-1055-61234-56-0"))
    assert cleaned.name_th == "กลุ่ม"
    assert cleaned.contact_phone == "0812345678"
    assert cleaned.contact_email == "a@example.test"
    assert cleaned.line_id == "@group"
    assert cleaned.tax_id == "0105561234560"


def test_check_details_names_every_bad_field(app):
    with pytest.raises(ValidationFailed) as caught:
        services.check_details(details(name_th="", province_code="00", contact_phone="1", promptpay_id="1",
                                       vat_registered=True))
    assert set(caught.value.fields) == {"name_th", "province_code", "contact_phone", "promptpay_id", "tax_id"}


def test_apply_requires_verified_email(app):
    user = UserFactory(email_verified_at=None)
    with pytest.raises(PermissionDenied):
        services.apply_for_enterprise(user, registration_no="112345678901", details=details())


def test_apply_reports_duplicate_together_with_other_problems(app):
    EnterpriseFactory(registration_no="1-12-34-56/7-8901")
    with pytest.raises(ValidationFailed) as caught:
        services.apply_for_enterprise(UserFactory(), registration_no="112345678901",
                                      details=details(promptpay_id="1"))
    assert {"registration_no", "promptpay_id"} <= set(caught.value.fields)


# ---------------------------------------------------------------- the status workflow

ALL_CHANGES = [(a, b) for a in status.ENTERPRISE_STATUSES for b in status.ENTERPRISE_STATUSES if a != b]
FORBIDDEN = [pair for pair in ALL_CHANGES if pair not in services.ENTERPRISE_TRANSITIONS]


@pytest.mark.parametrize("old, new", FORBIDDEN)
@pytest.mark.parametrize("role", roles.ROLES)
def test_forbidden_status_changes_are_refused(app, old, new, role):
    enterprise = EnterpriseFactory(status=old)
    with pytest.raises(Conflict):
        services.transition_enterprise(enterprise, new, actor=UserFactory(is_staff=True), role=role, reason="x")
    db.session.rollback()
    assert db.session.scalar(select(func.count(EnterpriseEvent.id))) == 0


@pytest.mark.parametrize("change, allowed", services.ENTERPRISE_TRANSITIONS.items())
def test_allowed_changes_only_by_the_right_role(app, change, allowed):
    old, new = change
    enterprise = EnterpriseFactory(status=old)
    for wrong in sorted(set(roles.ROLES) - allowed):
        with pytest.raises(PermissionDenied):
            services.transition_enterprise(enterprise, new, actor=UserFactory(), role=wrong, reason="x")
    (role,) = allowed
    services.transition_enterprise(enterprise, new, actor=UserFactory(), role=role, reason="because")
    db.session.commit()
    assert enterprise.status == new
    event = db.session.scalars(select(EnterpriseEvent)).one()
    assert (event.from_value, event.to_value) == (old, new)


@pytest.mark.parametrize("change", sorted(services.TRANSITIONS_NEEDING_REASON))
def test_refusals_need_a_reason(app, change):
    enterprise = EnterpriseFactory(status=change[0])
    with pytest.raises(ValidationFailed):
        services.transition_enterprise(enterprise, change[1], actor=UserFactory(is_staff=True), role=roles.PROGRAMME_STAFF,
                                       reason="  ")
    assert enterprise.status == change[0]


# ---------------------------------------------------------------- membership


def test_get_member_enterprise_or_404(app):
    member = MemberFactory(role=status.MEMBER_STAFF)
    other = EnterpriseFactory()
    enterprise, membership = get_member_enterprise_or_404(member.user, member.enterprise_id)
    assert (enterprise.id, membership.id) == (member.enterprise_id, member.id)
    with pytest.raises(NotFound):
        get_member_enterprise_or_404(member.user, other.id)
    with pytest.raises(NotFound):
        get_member_enterprise_or_404(member.user, 999_999)
    with pytest.raises(PermissionDenied):
        get_member_enterprise_or_404(member.user, member.enterprise_id, owner=True)


def test_services_check_membership_themselves(app):
    outsider = UserFactory()
    enterprise = EnterpriseFactory()
    with pytest.raises(NotFound):
        services.update_profile(outsider, enterprise, details())
    with pytest.raises(NotFound):
        services.invite_member(outsider, enterprise, email="x@example.test", role="staff")


def test_last_owner_cannot_be_removed_or_demoted(app):
    owner = MemberFactory()
    with pytest.raises(Conflict):
        services.remove_member(owner.user, owner.enterprise, owner.id)
    with pytest.raises(Conflict):
        services.change_member_role(owner.user, owner.enterprise, owner.id, status.MEMBER_STAFF)
    db.session.rollback()
    assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 1


def test_invitation_is_single_use_and_expires(app):
    owner = MemberFactory()
    invitee = UserFactory(email="new@example.test")
    sent = services.invite_member(owner.user, owner.enterprise, email="NEW@example.test", role="staff")
    assert sent.invitation.token_hash == services.hash_token(sent.token)
    membership = services.accept_invitation(invitee, sent.token)
    assert membership.role == status.MEMBER_STAFF
    with pytest.raises(services.InvitationUsed):
        services.accept_invitation(invitee, sent.token)
    with pytest.raises(services.InvitationInvalid):
        services.invitation_for_token(sent.token + "x")

    late = services.invite_member(owner.user, owner.enterprise, email="late@example.test", role="owner")
    late.invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(services.InvitationExpired):
        services.accept_invitation(UserFactory(email="late@example.test"), late.token)


def test_an_acceptance_failing_after_its_claim_leaves_the_invitation_open(app, monkeypatch):
    owner = MemberFactory()
    invitee = UserFactory(email="new@example.test")
    sent = services.invite_member(owner.user, owner.enterprise, email="new@example.test", role="staff")

    def broken(user, enterprise_id):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "find_membership", broken)  # runs after the claiming UPDATE
    with pytest.raises(RuntimeError):
        services.accept_invitation(invitee, sent.token)
    monkeypatch.undo()
    services.invite_member(owner.user, owner.enterprise, email="other@example.test", role="staff")  # commits

    assert services.invitation_for_token(sent.token).accepted_at is None
    assert services.accept_invitation(invitee, sent.token).role == status.MEMBER_STAFF


def test_an_acceptance_losing_the_race_to_join_claims_nothing(app, monkeypatch):
    owner = MemberFactory()
    invitee = UserFactory(email="new@example.test")
    sent = services.invite_member(owner.user, owner.enterprise, email="new@example.test", role="owner")
    MemberFactory(enterprise=owner.enterprise, user=invitee, role=status.MEMBER_STAFF)  # joined meanwhile
    monkeypatch.setattr(services, "find_membership", lambda user, enterprise_id: None)  # looked before that

    with pytest.raises(services.InvitationUsed):
        services.accept_invitation(invitee, sent.token)

    db.session.expire_all()
    assert services.invitation_for_token(sent.token).accepted_by_id is None
    assert [m.role for m in db.session.scalars(select(EnterpriseMember).where(
        EnterpriseMember.user_id == invitee.id))] == [status.MEMBER_STAFF]


def test_only_owners_invite(app):
    staff = MemberFactory(role=status.MEMBER_STAFF)
    with pytest.raises(PermissionDenied):
        services.invite_member(staff.user, staff.enterprise, email="x@example.test", role="staff")


# ---------------------------------------------------------------- dashboard


def test_dashboard_summary_counts(app):
    enterprise = EnterpriseFactory()
    VariantFactory(product=ProductFactory(enterprise=enterprise), stock=2)   # live, low
    VariantFactory(product=ProductFactory(enterprise=enterprise), stock=50)  # live
    ProductFactory(enterprise=enterprise, status=status.PENDING_REVIEW)
    ProductFactory(enterprise=enterprise, status=status.DRAFT)
    VariantFactory(product=ProductFactory(enterprise=enterprise, status=status.ARCHIVED), stock=0)  # not counted
    VariantFactory(stock=0)  # another enterprise's
    summary = services.dashboard_summary(enterprise)
    assert (summary.live, summary.pending_review, summary.drafts, summary.low_stock) == (2, 1, 1, 1)
