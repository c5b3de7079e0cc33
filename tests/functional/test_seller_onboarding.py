"""Seller onboarding through the real forms: apply, the seller home, the profile and
its photos, resubmitting, members and invitations — with bad input at each step."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask import g
from PIL import Image
from sqlalchemy import func, select

from shop.catalog import status
from shop.catalog.models import Enterprise, EnterpriseMember, EnterprisePhoto
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.sellers import services
from shop.sellers.models import EnterpriseEvent, EnterpriseInvitation
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory

VALID_TAX_ID = "0105561234560"


def application(**changes) -> dict:
    data = {
        "registration_no": "1-12-34-56/7-8901",
        "name_th": "วิสาหกิจชุมชนกาแฟบ้านแม่แจ๋ม",
        "name_en": "Ban Mae Jaem Coffee",
        "tagline_th": "กาแฟคั่วโอ่ง",
        "story_th": "เรื่องราวของเรา",
        "village": "บ้านแม่แจ๋ม",
        "subdistrict": "แม่นาจร",
        "district": "แม่แจ่ม",
        "province_code": "50",
        "contact_phone": "081 234 5678",
        "contact_email": "coffee@example.test",
        "line_id": "@maejaem",
        "promptpay_id": "0812345678",
        "tax_id": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def forget_cached_user():
    """The ``app`` fixture keeps one app context for the whole test, so ``g`` (where
    Flask-Login caches the request's user) outlives a request. Drop it when a test
    switches between two clients, so the next request loads its own user."""
    g.pop("_login_user", None)


def enterprise_count() -> int:
    return db.session.scalar(select(func.count(Enterprise.id)))


def png_bytes(size=(64, 48), color=(200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- seller home


def test_guest_is_sent_to_sign_in(client):
    response = client.get("/seller/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_user_without_enterprise_sees_how_to_apply(app, client, sign_in):
    sign_in(UserFactory())
    response = client.get("/seller/")
    assert response.status_code == 200
    assert b'href="/seller/apply"' in response.data


def test_single_approved_enterprise_opens_its_dashboard(app, client, sign_in):
    member = MemberFactory()
    sign_in(member.user)
    response = client.get("/seller/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/seller/{member.enterprise_id}/")
    # ?all shows the list, so the member can reach "apply for another".
    assert client.get("/seller/?all=1").status_code == 200


def test_member_of_several_enterprises_chooses_between_them(app, client, sign_in):
    user = UserFactory()
    first = MemberFactory(user=user, enterprise__name_en="Alpha Group")
    second = MemberFactory(user=user, role=status.MEMBER_STAFF, enterprise__name_en="Beta Group")
    sign_in(user)
    page = client.get("/seller/?lang=en")
    assert page.status_code == 200
    for membership in (first, second):
        assert f'/seller/{membership.enterprise_id}/"'.encode() in page.data
    dashboard = client.get(f"/seller/{first.enterprise_id}/")
    assert dashboard.status_code == 200
    assert f"/seller/{second.enterprise_id}/".encode() in dashboard.data  # switch link


# ---------------------------------------------------------------- applying


def test_apply_creates_pending_enterprise_and_owner_in_one_go(app, client, sign_in):
    user = UserFactory()
    sign_in(user)
    response = client.post("/seller/apply", data=application(vat_registered="y", tax_id="0-1055-61234-56-0"))
    assert response.status_code == 302
    enterprise = db.session.scalars(select(Enterprise)).one()
    assert response.headers["Location"].endswith(f"/seller/{enterprise.id}/")
    assert enterprise.status == status.ENTERPRISE_PENDING
    assert enterprise.registration_no == "1-12-34-56/7-8901"
    assert enterprise.slug == "ban-mae-jaem-coffee"
    assert enterprise.contact_phone == "0812345678"
    assert enterprise.tax_id == VALID_TAX_ID and enterprise.vat_registered is True
    assert enterprise.line_id == "@maejaem"
    membership = db.session.scalars(select(EnterpriseMember)).one()
    assert (membership.user_id, membership.role) == (user.id, status.MEMBER_OWNER)
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "seller_application_received")).one()
    assert mail.to_address == user.email
    event = db.session.scalars(select(EnterpriseEvent)).one()
    assert (event.from_value, event.to_value, event.actor_id) == (None, status.ENTERPRISE_PENDING, user.id)
    # The dashboard now says it is under review.
    assert client.get(f"/seller/{enterprise.id}/?lang=en").data.count(b"under review") >= 1


def test_application_tells_staff(app, client, sign_in):
    staff = UserFactory(is_staff=True)
    sign_in(UserFactory())
    assert client.post("/seller/apply", data=application()).status_code == 302
    to_staff = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "seller_new_application")).all()
    assert [m.to_address for m in to_staff] == [staff.email]


def test_thai_only_name_gets_slug_from_registration_number(app, client, sign_in):
    sign_in(UserFactory())
    assert client.post("/seller/apply", data=application(name_en="", registration_no="112345678901")).status_code == 302
    enterprise = db.session.scalars(select(Enterprise)).one()
    assert enterprise.registration_no == "1-12-34-56/7-8901"
    assert enterprise.slug == "ce-112345678901"


def test_same_english_name_gets_a_unique_slug(app, client, sign_in):
    EnterpriseFactory(slug="ban-mae-jaem-coffee")
    sign_in(UserFactory())
    assert client.post("/seller/apply", data=application()).status_code == 302
    assert db.session.scalar(select(Enterprise.slug).where(Enterprise.registration_no == "1-12-34-56/7-8901")) == \
        "ban-mae-jaem-coffee-2"


BAD_APPLICATIONS = [
    pytest.param({"tax_id": "0105561234567"}, "tax_id", "not valid", id="bad-tax-id-checksum"),
    pytest.param({"vat_registered": "y", "tax_id": ""}, "tax_id", "VAT-registered", id="vat-without-tax-id"),
    pytest.param({"promptpay_id": "1812345678"}, "promptpay_id", "starts with 0", id="promptpay-mobile-not-0"),
    pytest.param({"promptpay_id": "1103700123457"}, "promptpay_id", "not valid", id="promptpay-id-bad-checksum"),
    pytest.param({"promptpay_id": "12345"}, "promptpay_id", "10-digit", id="promptpay-wrong-length"),
    pytest.param({"promptpay_id": ""}, "promptpay_id", "PromptPay", id="promptpay-missing"),
    pytest.param({"province_code": "99"}, "province_code", "province", id="unknown-province"),
    pytest.param({"province_code": ""}, "province_code", "province", id="no-province"),
    pytest.param({"contact_phone": "12345"}, "contact_phone", "9 or 10 digits", id="short-phone"),
    pytest.param({"registration_no": "abc-def"}, "registration_no", "only digits", id="registration-letters"),
    pytest.param({"registration_no": "1-2-3"}, "registration_no", "too short", id="registration-short"),
    pytest.param({"registration_no": ""}, "registration_no", "registration number", id="registration-missing"),
    pytest.param({"name_th": "  "}, "name_th", "name in Thai", id="no-thai-name"),
    pytest.param({"contact_email": "not-an-email"}, "contact_email", "valid e-mail", id="bad-email"),
    pytest.param({"line_id": "a b"}, "line_id", "LINE ID", id="bad-line-id"),
    pytest.param({"name_en": "x" * 201}, "name_en", "at most 200", id="name-too-long"),
]


@pytest.mark.parametrize("changes, field, message", BAD_APPLICATIONS)
def test_bad_application_is_refused_and_nothing_written(app, client, changes, field, message, sign_in):
    sign_in(UserFactory())
    response = client.post("/seller/apply?lang=en", data=application(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert enterprise_count() == 0
    assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_every_bad_field_is_marked_at_once(app, client, sign_in):
    sign_in(UserFactory())
    response = client.post("/seller/apply?lang=en", data=application(
        registration_no="12-3", promptpay_id="12345", vat_registered="y", tax_id="", province_code="99"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("registration_no", "promptpay_id", "tax_id", "province_code"):
        assert f'id="{field}-error"' in html, field
    assert enterprise_count() == 0


def test_duplicate_registration_number_is_refused(app, client, sign_in):
    EnterpriseFactory(registration_no="1-12-34-56/7-8901")
    sign_in(UserFactory())
    # Typed another way, it is the same number.
    response = client.post("/seller/apply?lang=en", data=application(registration_no="1 12 34 56 7 8901"))
    assert response.status_code == 409
    assert "already on Chumchon Market" in response.get_data(as_text=True)
    assert enterprise_count() == 1


def test_service_refuses_duplicate_even_without_the_form(app):
    EnterpriseFactory(registration_no="1-12-34-56/7-8901")
    user = UserFactory()
    details = services.EnterpriseDetails(name_th="กลุ่ม", province_code="50", contact_phone="0812345678",
                                         promptpay_id="0812345678")
    from shop.errors import Conflict

    with pytest.raises(Conflict):
        services.apply_for_enterprise(user, registration_no="112345678901", details=details)
    assert enterprise_count() == 1


def test_unverified_user_is_asked_to_confirm_email_first(app, client, sign_in):
    sign_in(UserFactory(email_verified_at=None))
    page = client.get("/seller/apply?lang=en")
    assert page.status_code == 200
    assert "Confirm your e-mail address first" in page.get_data(as_text=True)
    assert client.post("/seller/apply", data=application()).status_code == 403
    assert enterprise_count() == 0


def test_posted_enterprise_fields_are_ignored(app, client, sign_in):
    """Status, slug and the enterprise id cannot be set through the form."""
    other = EnterpriseFactory()
    sign_in(UserFactory())
    data = application(status="approved", slug="hijack", enterprise_id=str(other.id), track_stage="expansion")
    assert client.post("/seller/apply", data=data).status_code == 302
    created = db.session.scalars(select(Enterprise).where(Enterprise.id != other.id)).one()
    assert created.status == status.ENTERPRISE_PENDING
    assert created.slug != "hijack" and created.track_stage == status.STAGE_FOUNDATION


# ---------------------------------------------------------------- profile and photos


def test_member_edits_profile_but_not_registration_number(app, client, sign_in):
    member = MemberFactory(role=status.MEMBER_STAFF)
    sign_in(member.user)
    enterprise = member.enterprise
    old_number = enterprise.registration_no
    response = client.post(f"/seller/{enterprise.id}/profile", data=application(
        name_th="ชื่อใหม่", story_en="Our new story", registration_no="9-99-99-99/9-9999", status="approved"))
    assert response.status_code == 302
    db.session.expire_all()
    enterprise = db.session.get(Enterprise, enterprise.id)
    assert enterprise.name_th == "ชื่อใหม่" and enterprise.story_en == "Our new story"
    assert enterprise.registration_no == old_number


def test_bad_profile_edit_changes_nothing(app, client, sign_in):
    member = MemberFactory()
    sign_in(member.user)
    response = client.post(f"/seller/{member.enterprise_id}/profile",
                           data=application(name_th="ชื่อใหม่", promptpay_id="123"))
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Enterprise, member.enterprise_id).name_th != "ชื่อใหม่"


def test_profile_page_shows_current_values(app, client, sign_in):
    member = MemberFactory(enterprise__village="บ้านแม่แจ๋ม")
    sign_in(member.user)
    html = client.get(f"/seller/{member.enterprise_id}/profile").get_data(as_text=True)
    assert 'value="บ้านแม่แจ๋ม"' in html


def test_photos_upload_reorder_cover_and_delete(app, client, sign_in):
    member = MemberFactory()
    sign_in(member.user)
    url = f"/seller/{member.enterprise_id}"
    response = client.post(f"{url}/photos", data={"photos": [
        (io.BytesIO(png_bytes(color=(255, 0, 0))), "a.png"),
        (io.BytesIO(png_bytes(color=(0, 255, 0))), "b.png"),
        (io.BytesIO(png_bytes(color=(0, 0, 255))), "c.png"),
    ]}, content_type="multipart/form-data")
    assert response.status_code == 302

    def order():
        db.session.expire_all()
        return list(db.session.scalars(select(EnterprisePhoto.id).where(
            EnterprisePhoto.enterprise_id == member.enterprise_id).order_by(EnterprisePhoto.position)))

    a, b, c = order()
    assert client.post(f"{url}/photos/{c}/move", data={"move": "cover"}).status_code == 302
    assert order() == [c, a, b]
    assert client.post(f"{url}/photos/{c}/move", data={"move": "down"}).status_code == 302
    assert order() == [a, c, b]
    assert client.post(f"{url}/photos/{b}/move", data={"move": "up"}).status_code == 302
    assert order() == [a, b, c]
    assert client.post(f"{url}/photos/{a}/move", data={"move": "sideways"}).status_code == 422
    key = db.session.get(EnterprisePhoto, b).image_key
    assert client.post(f"{url}/photos/{b}/delete").status_code == 302
    assert order() == [a, c]
    uploads = app.config["UPLOAD_DIR"]
    import os

    assert not any(key in name for _root, _dirs, files in os.walk(uploads) for name in files)
    page = client.get(f"{url}/profile").get_data(as_text=True)
    assert page.count('class="photo-item"') == 2


def test_bad_photo_is_refused_and_nothing_stored(app, client, sign_in):
    member = MemberFactory()
    sign_in(member.user)
    response = client.post(f"/seller/{member.enterprise_id}/photos?lang=en", data={"photos": [
        (io.BytesIO(png_bytes()), "good.png"),
        (io.BytesIO(b"%PDF-1.4 not a photo"), "evil.jpg"),
    ]}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "JPEG, PNG or WebP" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EnterprisePhoto.id))) == 0
    import os

    uploads = app.config["UPLOAD_DIR"]
    assert not any(files for _root, _dirs, files in os.walk(uploads)) if os.path.exists(uploads) else True


def test_upload_without_a_file_says_so(app, client, sign_in):
    member = MemberFactory()
    sign_in(member.user)
    response = client.post(f"/seller/{member.enterprise_id}/photos?lang=en", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose one or more photos" in response.get_data(as_text=True)


# ---------------------------------------------------------------- rejection and resubmission


def test_rejected_owner_sees_reason_edits_and_resubmits(app, client, sign_in):
    member = MemberFactory(enterprise__status=status.ENTERPRISE_REJECTED,
                           enterprise__status_reason="เลขทะเบียนไม่ตรงกับหนังสือรับรอง", enterprise__approved_at=None)
    sign_in(member.user)
    page = client.get(f"/seller/{member.enterprise_id}/").get_data(as_text=True)
    assert "เลขทะเบียนไม่ตรงกับหนังสือรับรอง" in page
    assert f"/seller/{member.enterprise_id}/resubmit" in page
    assert client.post(f"/seller/{member.enterprise_id}/resubmit").status_code == 302
    db.session.expire_all()
    assert db.session.get(Enterprise, member.enterprise_id).status == status.ENTERPRISE_PENDING
    # Twice is refused: it is no longer rejected.
    client.post(f"/seller/{member.enterprise_id}/resubmit")
    events = db.session.scalars(select(EnterpriseEvent).where(EnterpriseEvent.to_value == status.ENTERPRISE_PENDING)).all()
    assert len(events) == 1


def test_staff_member_cannot_resubmit(app, client, sign_in):
    member = MemberFactory(role=status.MEMBER_STAFF, enterprise__status=status.ENTERPRISE_REJECTED)
    sign_in(member.user)
    assert client.post(f"/seller/{member.enterprise_id}/resubmit").status_code == 403
    db.session.expire_all()
    assert db.session.get(Enterprise, member.enterprise_id).status == status.ENTERPRISE_REJECTED


# ---------------------------------------------------------------- members and invitations


def invite(client, enterprise_id, email, role="staff"):
    return client.post(f"/seller/{enterprise_id}/members/invite?lang=en", data={"email": email, "role": role})


def invitation_token() -> str:
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "seller_invitation")
                                 .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"/seller/invitations/(\S+)", message.body_text).group(1)


def test_invite_accept_and_join(app, client, sign_in):
    owner = MemberFactory()
    invitee = UserFactory(email="helper@example.test")
    sign_in(owner.user)
    assert invite(client, owner.enterprise_id, "Helper@Example.test").status_code == 302
    invitation = db.session.scalars(select(EnterpriseInvitation)).one()
    token = invitation_token()
    assert invitation.email == "helper@example.test"
    assert invitation.token_hash != token and len(invitation.token_hash) == 64  # only a digest is stored
    assert invitation.expires_at - utcnow() > timedelta(days=6, hours=23)
    members_page = client.get(f"/seller/{owner.enterprise_id}/members").get_data(as_text=True)
    assert "helper@example.test" in members_page

    client.post("/account/logout")
    guest_page = client.get(f"/seller/invitations/{token}?lang=en").get_data(as_text=True)
    assert "sign in with helper@example.test" in guest_page
    assert "/account/register?next=" in guest_page

    sign_in(invitee)
    assert client.get(f"/seller/invitations/{token}").status_code == 200
    response = client.post(f"/seller/invitations/{token}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/seller/{owner.enterprise_id}/")
    joined = db.session.scalars(select(EnterpriseMember).where(EnterpriseMember.user_id == invitee.id)).one()
    assert joined.role == status.MEMBER_STAFF
    assert client.get(f"/seller/{owner.enterprise_id}/").status_code == 200

    # Used twice: refused, and nothing more is written.
    again = client.post(f"/seller/invitations/{token}?lang=en")
    assert again.status_code == 409
    assert "already been used" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 2


def test_tampered_invitation_token_is_refused(app, client, sign_in):
    owner = MemberFactory()
    invitee = UserFactory(email="helper@example.test")
    sign_in(owner.user)
    invite(client, owner.enterprise_id, invitee.email)
    token = invitation_token()
    client.post("/account/logout")
    sign_in(invitee)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/seller/invitations/{tampered}").status_code == 404
    assert client.post(f"/seller/invitations/{tampered}").status_code == 404
    assert client.post(f"/seller/invitations/{'x' * 500}").status_code == 404
    assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 1


def test_expired_invitation_is_refused(app, client, sign_in):
    owner = MemberFactory()
    invitee = UserFactory(email="helper@example.test")
    sign_in(owner.user)
    invite(client, owner.enterprise_id, invitee.email)
    token = invitation_token()
    invitation = db.session.scalars(select(EnterpriseInvitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post("/account/logout")
    sign_in(invitee)
    response = client.post(f"/seller/invitations/{token}?lang=en")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 1


def test_invitation_needs_the_invited_address(app, client, sign_in):
    owner = MemberFactory()
    sign_in(owner.user)
    invite(client, owner.enterprise_id, "someone@example.test")
    token = invitation_token()
    client.post("/account/logout")
    sign_in(UserFactory(email="other@example.test"))
    page = client.get(f"/seller/invitations/{token}?lang=en").get_data(as_text=True)
    assert "sent to someone@example.test" in page
    assert client.post(f"/seller/invitations/{token}").status_code == 403
    assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 1
    # The invitation is still open for the right person.
    assert db.session.scalars(select(EnterpriseInvitation)).one().accepted_at is None


def test_reinviting_a_member_gives_a_clear_message(app, client, sign_in):
    owner = MemberFactory()
    staff = MemberFactory(enterprise=owner.enterprise, role=status.MEMBER_STAFF)
    sign_in(owner.user)
    response = invite(client, owner.enterprise_id, staff.user.email.upper())
    assert response.status_code == 409
    assert "already a member" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EnterpriseInvitation.id))) == 0


def test_inviting_again_replaces_the_open_invitation(app, client, sign_in):
    owner = MemberFactory()
    sign_in(owner.user)
    invite(client, owner.enterprise_id, "new@example.test")
    first = invitation_token()
    invite(client, owner.enterprise_id, "new@example.test", role="owner")
    second = invitation_token()
    assert first != second
    assert len(services.open_invitations(owner.enterprise)) == 1
    sign_in(UserFactory(email="new@example.test"))
    assert client.post(f"/seller/invitations/{first}").status_code == 409
    assert client.post(f"/seller/invitations/{second}").status_code == 302
    assert db.session.scalar(select(EnterpriseMember.role).where(EnterpriseMember.user.has(email="new@example.test"))) == "owner"


@pytest.mark.parametrize("data, message", [
    ({"email": "not-an-address", "role": "staff"}, "valid e-mail"),
    ({"email": "", "role": "staff"}, "e-mail address of the person"),
    ({"email": "x@example.test", "role": "admin"}, "owner or staff"),
])
def test_bad_invitation_form(app, client, data, message, sign_in):
    owner = MemberFactory()
    sign_in(owner.user)
    response = client.post(f"/seller/{owner.enterprise_id}/members/invite?lang=en", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EnterpriseInvitation.id))) == 0


def test_withdrawn_invitation_cannot_be_used(app, client, sign_in):
    owner = MemberFactory()
    sign_in(owner.user)
    invite(client, owner.enterprise_id, "new@example.test")
    token = invitation_token()
    invitation = db.session.scalars(select(EnterpriseInvitation)).one()
    assert client.post(f"/seller/{owner.enterprise_id}/invitations/{invitation.id}/revoke").status_code == 302
    sign_in(UserFactory(email="new@example.test"))
    assert client.post(f"/seller/invitations/{token}").status_code == 409


def test_owner_removes_member_who_loses_access_at_once(app, client, sign_in):
    owner = MemberFactory()
    staff = MemberFactory(enterprise=owner.enterprise, role=status.MEMBER_STAFF)
    staff_client = app.test_client()
    sign_in(staff.user, client=staff_client)
    assert staff_client.get(f"/seller/{owner.enterprise_id}/").status_code == 200
    sign_in(owner.user)
    assert client.post(f"/seller/{owner.enterprise_id}/members/{staff.id}/remove").status_code == 302
    forget_cached_user()
    assert staff_client.get(f"/seller/{owner.enterprise_id}/").status_code == 404
    assert staff_client.get(f"/seller/{owner.enterprise_id}/profile").status_code == 404


def test_removing_the_last_owner_is_refused(app, client, sign_in):
    owner = MemberFactory()
    MemberFactory(enterprise=owner.enterprise, role=status.MEMBER_STAFF)
    sign_in(owner.user)
    response = client.post(f"/seller/{owner.enterprise_id}/members/{owner.id}/remove?lang=en")
    assert response.status_code == 409
    assert "at least one owner" in response.get_data(as_text=True)
    # Demoting the last owner is refused the same way.
    response = client.post(f"/seller/{owner.enterprise_id}/members/{owner.id}/role?lang=en", data={"role": "staff"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(EnterpriseMember, owner.id).role == status.MEMBER_OWNER


def test_an_owner_may_leave_when_another_owner_remains(app, client, sign_in):
    owner = MemberFactory()
    co_owner = MemberFactory(enterprise=owner.enterprise)
    sign_in(owner.user)
    response = client.post(f"/seller/{owner.enterprise_id}/members/{owner.id}/remove")
    assert response.status_code == 302
    assert "/seller/?all=1" in response.headers["Location"]
    assert db.session.scalars(select(EnterpriseMember)).one().id == co_owner.id


def test_owner_promotes_staff(app, client, sign_in):
    owner = MemberFactory()
    staff = MemberFactory(enterprise=owner.enterprise, role=status.MEMBER_STAFF)
    sign_in(owner.user)
    assert client.post(f"/seller/{owner.enterprise_id}/members/{staff.id}/role", data={"role": "owner"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(EnterpriseMember, staff.id).role == status.MEMBER_OWNER
    assert client.post(f"/seller/{owner.enterprise_id}/members/{staff.id}/role",
                       data={"role": "boss"}).status_code == 422


def test_staff_member_sees_members_but_no_owner_controls(app, client, sign_in):
    owner = MemberFactory()
    staff = MemberFactory(enterprise=owner.enterprise, role=status.MEMBER_STAFF)
    sign_in(staff.user)
    page = client.get(f"/seller/{owner.enterprise_id}/members")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert owner.user.email in html
    assert "/members/invite" not in html and "/remove" not in html
