"""The back office through its forms: review queues, approving and refusing
enterprises, suspension, the track stage, registration-number corrections and
retail-buyer verification — each refusal with a clear message and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.accounts.models import RetailBuyer
from shop.catalog import status
from shop.catalog.models import Enterprise
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.sellers.models import EnterpriseEvent
from tests.factories import EnterpriseFactory, MemberFactory, RetailBuyerFactory, UserFactory


@pytest.fixture
def staff(app, sign_in):
    user = UserFactory(is_staff=True, display_name="Khun Staff")
    sign_in(user)
    return user


@pytest.fixture
def pending(app):
    enterprise = EnterpriseFactory(status=status.ENTERPRISE_PENDING, approved_at=None,
                                   name_th="วิสาหกิจชุมชนรอตรวจ", registration_no="1-12-34-56/7-8901")
    owner = MemberFactory(enterprise=enterprise, user__email="owner@example.test")
    co_owner = MemberFactory(enterprise=enterprise, user__email="co-owner@example.test")
    MemberFactory(enterprise=enterprise, role=status.MEMBER_STAFF, user__email="helper@example.test")
    return enterprise, owner, co_owner


def mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def fresh(enterprise) -> Enterprise:
    db.session.expire_all()
    return db.session.get(Enterprise, enterprise.id)


def test_index_shows_the_queues(client, staff, pending):
    RetailBuyerFactory(status=RetailBuyer.PENDING)
    html = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "Enterprise applications to review" in html
    assert 'href="/admin/enterprises?status=pending"' in html
    assert 'href="/admin/retail-buyers?status=pending"' in html


def test_pending_list_and_filters(client, staff, pending):
    approved = EnterpriseFactory(name_th="กลุ่มผ้าย้อมคราม")
    html = client.get("/admin/enterprises?status=pending").get_data(as_text=True)
    assert "วิสาหกิจชุมชนรอตรวจ" in html and "กลุ่มผ้าย้อมคราม" not in html
    assert "กลุ่มผ้าย้อมคราม" in client.get("/admin/enterprises?status=all").get_data(as_text=True)
    assert client.get(f"/admin/enterprises/{approved.id}").status_code == 200
    assert client.get("/admin/enterprises?status=bogus").status_code == 422
    assert client.get("/admin/enterprises?page=-3").status_code == 422
    assert client.get("/admin/enterprises/999999").status_code == 404


def test_review_page_shows_every_field(client, staff, pending):
    enterprise, owner, _ = pending
    html = client.get(f"/admin/enterprises/{enterprise.id}").get_data(as_text=True)
    for text in (enterprise.registration_no, enterprise.name_th, enterprise.name_en, owner.user.email,
                 f"/admin/enterprises/{enterprise.id}/approve", f"/admin/enterprises/{enterprise.id}/reject"):
        assert text in html


def test_approve_sets_status_time_and_tells_owners(client, staff, pending):
    enterprise, owner, co_owner = pending
    response = client.post(f"/admin/enterprises/{enterprise.id}/approve")
    assert response.status_code == 302
    enterprise = fresh(enterprise)
    assert enterprise.status == status.ENTERPRISE_APPROVED and enterprise.approved_at is not None
    assert sorted(m.to_address for m in mails("seller_enterprise_approved")) == ["co-owner@example.test",
                                                                                 "owner@example.test"]
    event = db.session.scalars(select(EnterpriseEvent)).one()
    assert (event.from_value, event.to_value, event.actor_id) == ("pending", "approved", staff.id)
    # Approving twice is refused with a clear message.
    again = client.post(f"/admin/enterprises/{enterprise.id}/approve?lang=en")
    assert again.status_code == 409
    assert "not possible now" in again.get_data(as_text=True)
    assert len(mails("seller_enterprise_approved")) == 2


def test_reject_needs_a_reason(client, staff, pending):
    enterprise, *_ = pending
    response = client.post(f"/admin/enterprises/{enterprise.id}/reject?lang=en", data={"reject-reason": "   "})
    assert response.status_code == 422
    assert "Write the reason" in response.get_data(as_text=True)
    assert fresh(enterprise).status == status.ENTERPRISE_PENDING
    assert mails("seller_enterprise_rejected") == []
    assert db.session.scalar(select(func.count(EnterpriseEvent.id))) == 0


def test_reject_with_reason_tells_owners_why(client, staff, pending):
    enterprise, *_ = pending
    reason = "เลขทะเบียนไม่ตรงกับหนังสือรับรอง กรุณาตรวจสอบ"
    assert client.post(f"/admin/enterprises/{enterprise.id}/reject", data={"reject-reason": reason}).status_code == 302
    enterprise = fresh(enterprise)
    assert enterprise.status == status.ENTERPRISE_REJECTED and enterprise.status_reason == reason
    sent = mails("seller_enterprise_rejected")
    assert len(sent) == 2 and all(reason in m.body_text for m in sent)


def test_too_long_reason_is_refused(client, staff, pending):
    enterprise, *_ = pending
    response = client.post(f"/admin/enterprises/{enterprise.id}/reject", data={"reject-reason": "x" * 2001})
    assert response.status_code == 422
    assert fresh(enterprise).status == status.ENTERPRISE_PENDING


def test_suspend_and_reinstate(client, staff):
    enterprise = EnterpriseFactory()
    MemberFactory(enterprise=enterprise)
    assert client.post(f"/admin/enterprises/{enterprise.id}/suspend", data={"suspend-reason": ""}).status_code == 422
    assert fresh(enterprise).status == status.ENTERPRISE_APPROVED
    assert client.post(f"/admin/enterprises/{enterprise.id}/suspend",
                       data={"suspend-reason": "Complaints about spoiled goods"}).status_code == 302
    assert fresh(enterprise).status == status.ENTERPRISE_SUSPENDED
    # The storefront hides a suspended enterprise.
    assert client.get(f"/enterprises/{enterprise.slug}").status_code == 404
    assert client.post(f"/admin/enterprises/{enterprise.id}/reinstate").status_code == 302
    enterprise = fresh(enterprise)
    assert enterprise.status == status.ENTERPRISE_APPROVED and enterprise.status_reason is None
    assert client.post(f"/admin/enterprises/{enterprise.id}/reinstate").status_code == 409
    assert len(mails("seller_enterprise_suspended")) == 1 and len(mails("seller_enterprise_reinstated")) == 1


def test_pending_cannot_be_suspended_or_reinstated(client, staff, pending):
    enterprise, *_ = pending
    assert client.post(f"/admin/enterprises/{enterprise.id}/suspend", data={"suspend-reason": "x"}).status_code == 409
    assert client.post(f"/admin/enterprises/{enterprise.id}/reinstate").status_code == 409
    assert fresh(enterprise).status == status.ENTERPRISE_PENDING


def test_move_track_stage_with_note(client, staff, sign_in):
    enterprise = EnterpriseFactory()
    MemberFactory(enterprise=enterprise)
    response = client.post(f"/admin/enterprises/{enterprise.id}/stage",
                           data={"stage": "advancing", "note": "ต้นทุนครบแล้ว ต่อไปขอ อย."})
    assert response.status_code == 302
    assert fresh(enterprise).track_stage == status.STAGE_ADVANCING
    event = db.session.scalars(select(EnterpriseEvent).where(EnterpriseEvent.kind == "stage")).one()
    assert (event.from_value, event.to_value, event.note) == ("foundation", "advancing", "ต้นทุนครบแล้ว ต่อไปขอ อย.")
    assert len(mails("seller_stage_changed")) == 1
    # The enterprise sees the note on its dashboard.
    member_client = client.application.test_client()
    owner = db.session.scalars(select(Enterprise).where(Enterprise.id == enterprise.id)).one().members[0].user
    sign_in(owner, client=member_client)
    assert "ต้นทุนครบแล้ว" in member_client.get(f"/seller/{enterprise.id}/").get_data(as_text=True)


@pytest.mark.parametrize("stage, code", [("platinum", 422), ("foundation", 409), ("", 422)])
def test_bad_stage_move_is_refused(client, staff, stage, code):
    enterprise = EnterpriseFactory()
    response = client.post(f"/admin/enterprises/{enterprise.id}/stage", data={"stage": stage, "note": "why"})
    assert response.status_code == code
    assert fresh(enterprise).track_stage == status.STAGE_FOUNDATION
    assert db.session.scalar(select(func.count(EnterpriseEvent.id))) == 0


def test_staff_correct_the_registration_number(client, staff, pending):
    enterprise, *_ = pending
    other = EnterpriseFactory(registration_no="2-22-22-22/2-2222")
    url = f"/admin/enterprises/{enterprise.id}/registration"
    assert client.post(url, data={"registration_no": "222222222222"}).status_code == 409  # taken
    assert client.post(url, data={"registration_no": "abc"}).status_code == 422
    assert fresh(enterprise).registration_no == "1-12-34-56/7-8901"
    assert client.post(url, data={"registration_no": "3 33 33 33 3 3333"}).status_code == 302
    assert fresh(enterprise).registration_no == "3-33-33-33/3-3333"
    assert fresh(other).registration_no == "2-22-22-22/2-2222"


# ---------------------------------------------------------------- retail buyers


def test_verify_retail_buyer(client, staff):
    buyer = RetailBuyerFactory(status=RetailBuyer.PENDING, company_name="ร้านกาแฟดอย")
    html = client.get("/admin/retail-buyers?status=pending").get_data(as_text=True)
    assert "ร้านกาแฟดอย" in html
    assert client.post(f"/admin/retail-buyers/{buyer.id}/verify").status_code == 302
    db.session.expire_all()
    buyer = db.session.get(RetailBuyer, buyer.id)
    assert buyer.status == RetailBuyer.VERIFIED
    assert buyer.verified_at is not None and buyer.verified_by_id == staff.id
    assert [m.to_address for m in mails("retail_buyer_verified")] == [buyer.user.email]
    assert client.post(f"/admin/retail-buyers/{buyer.id}/verify").status_code == 409


def test_reject_retail_buyer_needs_reason(client, staff):
    buyer = RetailBuyerFactory(status=RetailBuyer.PENDING)
    response = client.post(f"/admin/retail-buyers/{buyer.id}/reject?lang=en", data={"reason": ""})
    assert response.status_code == 422
    assert "Write the reason" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RetailBuyer, buyer.id).status == RetailBuyer.PENDING
    assert client.post(f"/admin/retail-buyers/{buyer.id}/reject",
                       data={"reason": "ไม่พบเลขผู้เสียภาษีนี้"}).status_code == 302
    db.session.expire_all()
    buyer = db.session.get(RetailBuyer, buyer.id)
    assert buyer.status == RetailBuyer.REJECTED and buyer.status_reason == "ไม่พบเลขผู้เสียภาษีนี้"
    assert buyer.verified_at is None
    assert "ไม่พบเลขผู้เสียภาษีนี้" in mails("retail_buyer_rejected")[0].body_text


def test_retail_buyer_filters(client, staff):
    RetailBuyerFactory(status=RetailBuyer.VERIFIED, company_name="Verified Co")
    assert "Verified Co" not in client.get("/admin/retail-buyers").get_data(as_text=True)
    assert "Verified Co" in client.get("/admin/retail-buyers?status=verified").get_data(as_text=True)
    assert client.get("/admin/retail-buyers?status=nope").status_code == 422
    assert client.post("/admin/retail-buyers/999999/verify").status_code == 404


def test_a_stage_move_without_a_reason_is_refused(client, staff):
    enterprise = EnterpriseFactory()
    response = client.post(f"/admin/enterprises/{enterprise.id}/stage", data={"stage": "advancing", "note": "  "})
    assert response.status_code == 422
    assert fresh(enterprise).track_stage == status.STAGE_FOUNDATION
    assert db.session.scalar(select(func.count(EnterpriseEvent.id))) == 0
