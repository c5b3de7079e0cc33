"""Access to the seller dashboard and the back office, walked route by route.

The walks read the URL map, so every seller page added later (listings, photos,
stock, feeds) is covered without touching this file:

* a member of enterprise A gets 404 for every ``/seller/<B>/…`` page and action,
  exactly as for an enterprise that does not exist;
* guests are sent to sign in;
* another enterprise's photo, member or invitation id under A's URL gives 404;
* a posted ``enterprise_id`` is ignored;
* owner-only actions answer 403 to staff members;
* every ``/admin`` route sends guests to sign in and answers 403 to non-staff.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from werkzeug.routing import IntegerConverter

from shop import create_app
from shop.catalog import status
from shop.catalog.models import Enterprise, EnterpriseMember, EnterprisePhoto
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.sellers.models import EnterpriseInvitation
from shop.sellers.services import hash_token
from tests.factories import EnterpriseFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory


def _rules(prefix: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            converters = {name: isinstance(conv, IntegerConverter) for name, conv in rule._converters.items()}
            found.append(pytest.param(rule.endpoint, method, converters, id=f"{method} {rule.rule}"))
    return found


SELLER_ENTERPRISE_ROUTES = [p for p in _rules("/seller/") if "enterprise_id" in p.values[2]]
ADMIN_ROUTES = _rules("/admin")

OWNER_ONLY = [
    ("/seller/{a}/members/invite", {"email": "new@example.test", "role": "staff"}),
    ("/seller/{a}/members/{owner_member}/remove", {}),
    ("/seller/{a}/members/{owner_member}/role", {"role": "staff"}),
    ("/seller/{a}/invitations/{invitation}/revoke", {}),
    ("/seller/{a}/resubmit", {}),
]


@pytest.fixture
def world(app):
    """Two enterprises with an owner each, and objects of B to aim at."""
    a_owner = MemberFactory(enterprise__name_en="Enterprise A")
    b_owner = MemberFactory(enterprise__name_en="Enterprise B")
    a, b = a_owner.enterprise, b_owner.enterprise
    b_photo = EnterprisePhoto(enterprise_id=b.id, image_key="b" * 32, width=10, height=10, position=0)
    b_invitation = EnterpriseInvitation(enterprise_id=b.id, email="x@example.test", role="staff",
                                        token_hash=hash_token("b-token"), expires_at=utcnow().replace(year=2999))
    db.session.add_all([b_photo, b_invitation])
    db.session.commit()
    b_variant = VariantFactory(product=ProductFactory(enterprise=b))
    return {
        "a": a, "b": b, "a_owner": a_owner, "b_owner": b_owner,
        "ids": {"photo_id": b_photo.id, "member_id": b_owner.id, "invitation_id": b_invitation.id,
                "product_id": b_variant.product_id, "variant_id": b_variant.id},
    }


def _fill(endpoint: str, converters: dict, enterprise_id: int, ids: dict) -> str:
    """The URL of ``endpoint`` with the enterprise given and other ids taken from
    ``ids`` (1 when unknown; ``x`` for string arguments)."""
    from flask import current_app

    values = {}
    for name, is_int in converters.items():
        if name == "enterprise_id":
            values[name] = enterprise_id
        else:
            values[name] = ids.get(name, 1 if is_int else "x")
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _call(client, method: str, url: str):
    data = {"enterprise_id": "1", "name_th": "ถูกแก้", "email": "x@example.test", "role": "owner",
            "move": "cover", "reason": "x"}
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data=data)


@pytest.mark.parametrize("endpoint, method, converters", SELLER_ENTERPRISE_ROUTES)
def test_member_of_another_enterprise_gets_404(app, client, world, endpoint, method, converters, sign_in):
    sign_in(world["a_owner"].user)
    url = _fill(endpoint, converters, world["b"].id, world["ids"])
    response = _call(client, method, url)
    assert response.status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Enterprise, world["b"].id).name_th != "ถูกแก้"
    assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 2


@pytest.mark.parametrize("endpoint, method, converters", SELLER_ENTERPRISE_ROUTES)
def test_unknown_enterprise_gets_404_too(app, client, world, endpoint, method, converters, sign_in):
    sign_in(world["a_owner"].user)
    url = _fill(endpoint, converters, 999_999, world["ids"])
    assert _call(client, method, url).status_code == 404


@pytest.mark.parametrize("endpoint, method, converters", SELLER_ENTERPRISE_ROUTES)
def test_guest_is_sent_to_sign_in(app, client, world, endpoint, method, converters):
    url = _fill(endpoint, converters, world["a"].id, world["ids"])
    response = _call(client, method, url)
    assert response.status_code in (302, 401), url
    if response.status_code == 302:
        assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("path, method", [
    ("/seller/{a}/photos/{photo_id}/move", "POST"),
    ("/seller/{a}/photos/{photo_id}/delete", "POST"),
    ("/seller/{a}/members/{member_id}/remove", "POST"),
    ("/seller/{a}/members/{member_id}/role", "POST"),
    ("/seller/{a}/invitations/{invitation_id}/revoke", "POST"),
])
def test_other_enterprises_objects_under_own_url_give_404(app, client, world, path, method, sign_in):
    sign_in(world["a_owner"].user)
    url = path.format(a=world["a"].id, **world["ids"])
    response = client.open(url, method=method, data={"move": "cover", "role": "staff"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 2
    assert db.session.scalar(select(func.count(EnterprisePhoto.id))) == 1
    assert db.session.scalars(select(EnterpriseInvitation)).one().revoked_at is None
    assert db.session.get(EnterpriseMember, world["b_owner"].id).role == status.MEMBER_OWNER


def test_posted_enterprise_id_is_ignored(app, client, world, sign_in):
    a, b = world["a"], world["b"]
    sign_in(world["a_owner"].user)
    form = {"enterprise_id": str(b.id), "name_th": "ชื่อใหม่ของเอ", "province_code": "50",
            "contact_phone": "0812345678", "promptpay_id": "0812345678"}
    assert client.post(f"/seller/{a.id}/profile", data=form).status_code == 302
    invite = client.post(f"/seller/{a.id}/members/invite",
                         data={"enterprise_id": str(b.id), "email": "new@example.test", "role": "staff"})
    assert invite.status_code == 302
    db.session.expire_all()
    assert db.session.get(Enterprise, a.id).name_th == "ชื่อใหม่ของเอ"
    assert db.session.get(Enterprise, b.id).name_th != "ชื่อใหม่ของเอ"
    new = db.session.scalars(select(EnterpriseInvitation).where(EnterpriseInvitation.email == "new@example.test")).one()
    assert new.enterprise_id == a.id


@pytest.mark.parametrize("path, data", OWNER_ONLY, ids=[p for p, _ in OWNER_ONLY])
def test_staff_member_cannot_do_owner_actions(app, client, world, path, data, sign_in):
    a = world["a"]
    # An application that was turned down, with members and an invitation already: no
    # move of the enterprise machine leads from approved to rejected, so the set-up
    # writes the state directly (a plain UPDATE, no history); the test is about what a
    # staff member may do then, not about the move.
    db.session.execute(update(Enterprise).where(Enterprise.id == a.id).values(status=status.ENTERPRISE_REJECTED))
    db.session.refresh(a)
    invitation = EnterpriseInvitation(enterprise_id=a.id, email="y@example.test", role="staff",
                                      token_hash=hash_token("a-token"), expires_at=utcnow().replace(year=2999))
    db.session.add(invitation)
    db.session.commit()
    staff = MemberFactory(enterprise=a, role=status.MEMBER_STAFF)
    sign_in(staff.user)
    url = path.format(a=a.id, owner_member=world["a_owner"].id, invitation=invitation.id)
    assert client.post(url, data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(EnterpriseMember, world["a_owner"].id).role == status.MEMBER_OWNER
    assert db.session.get(EnterpriseInvitation, invitation.id).revoked_at is None
    assert db.session.get(Enterprise, a.id).status == status.ENTERPRISE_REJECTED
    assert db.session.scalar(select(func.count(EnterpriseInvitation.id))) == 2


def test_staff_member_can_use_member_pages(app, client, world, sign_in):
    staff = MemberFactory(enterprise=world["a"], role=status.MEMBER_STAFF)
    sign_in(staff.user)
    for page in ("/", "/profile", "/members"):
        assert client.get(f"/seller/{world['a'].id}{page}").status_code == 200


def _csrf_client(app_config, make_user, sign_in):
    """A client of an app with CSRF checks on, signed in as ``make_user()``."""
    import re

    app_config["WTF_CSRF_ENABLED"] = True
    app = create_app(app_config)
    with app.app_context():
        user, extra = make_user()
        email = user.email
        db.session.remove()
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    sign_in(email, client=client, csrf_token=token)
    return app, client, extra


def test_seller_forms_need_a_csrf_token(app, app_config, sign_in):
    def owner():
        member = MemberFactory()
        return member.user, member.enterprise_id

    csrf_app, client, enterprise_id = _csrf_client(app_config, owner, sign_in)
    response = client.post(f"/seller/{enterprise_id}/members/invite", data={"email": "x@example.test", "role": "staff"})
    assert response.status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count(EnterpriseInvitation.id))) == 0
        db.session.remove()


# ---------------------------------------------------------------- back office


@pytest.mark.parametrize("endpoint, method, converters", ADMIN_ROUTES)
def test_admin_sends_guests_to_sign_in(app, client, world, endpoint, method, converters):
    url = _fill(endpoint, converters, world["b"].id, {"buyer_id": 1})
    response = _call(client, method, url)
    assert response.status_code == 302, url
    assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["shopper", "enterprise_owner", "mentor"])
@pytest.mark.parametrize("endpoint, method, converters", ADMIN_ROUTES)
def test_admin_refuses_non_staff(app, client, world, who, endpoint, method, converters, sign_in):
    user = {"shopper": UserFactory, "mentor": lambda: UserFactory(is_mentor=True),
            "enterprise_owner": lambda: world["b_owner"].user}[who]()
    sign_in(user)
    url = _fill(endpoint, converters, world["b"].id, {"buyer_id": 1})
    assert _call(client, method, url).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Enterprise, world["b"].id).status == status.ENTERPRISE_APPROVED


def test_staff_reach_every_admin_page(app, client, world, sign_in):
    from tests.order_helpers import make_order

    staff = UserFactory(is_staff=True)
    variant = VariantFactory(product__enterprise=world["b"], stock=5)
    order = make_order([(variant, 1)], paid=True)
    from shop.ledger.services import open_payout_batch

    batch = open_payout_batch(staff)  # what the paid order earned enterprise B
    ids = {"public_id": order.public_id, "fid": order.fulfilments[0].id, "batch_id": batch.id}
    # An order on invoice with a slip the buyer sent, for the invoice pages.
    from shop.accounts.models import RetailBuyer
    from shop.invoicing import services as invoicing
    from shop.orders import status as st
    from tests.factories import RetailBuyerFactory
    from tests.order_helpers import slip_image

    business = RetailBuyerFactory(status=RetailBuyer.VERIFIED)
    invoicing.set_terms(staff, business.id, net_days=30, credit_limit="50000")
    on_invoice = make_order([(variant, 1)], user=business.user, payment_method=st.PAYMENT_INVOICE)
    invoice = invoicing.invoice_of_order(on_invoice)
    payment = invoicing.submit_slip(invoice, slip_image(), amount="100", actor=business.user)
    ids |= {"invoice_id": invoice.id, "payment_id": payment.id, "size": "thumb", "table": "months"}
    # A partner organisation and a programme, for their edit pages.
    from shop.catalog.models import PartnerOrganisation, Programme

    partner = PartnerOrganisation(name_th="สมาคมเพื่อนชุมชน", kind="association")
    db.session.add(partner)
    db.session.flush()
    programme = Programme(slug="civ-lampang", name_th="หมู่บ้านอุตสาหกรรมสร้างสรรค์", partner_id=partner.id)
    db.session.add(programme)
    db.session.commit()
    ids |= {"partner_id": partner.id, "programme_id": programme.id}
    sign_in(staff)
    for endpoint, method, converters in (p.values for p in ADMIN_ROUTES):
        if method != "GET":
            continue
        url = _fill(endpoint, converters, world["b"].id, ids)
        assert client.get(url).status_code == 200, url


def test_admin_actions_need_a_csrf_token(app, app_config, sign_in):
    def staff():
        return UserFactory(is_staff=True), EnterpriseFactory(status=status.ENTERPRISE_PENDING, approved_at=None).id

    csrf_app, client, pending_id = _csrf_client(app_config, staff, sign_in)
    assert client.post(f"/admin/enterprises/{pending_id}/approve").status_code == 400
    with csrf_app.app_context():
        assert db.session.get(Enterprise, pending_id).status == status.ENTERPRISE_PENDING
        db.session.remove()


# ---------------------------------------------------------------- mentors

#: Every seller page (GET) of one enterprise, which the enterprise's assigned mentor may
#: read. A new seller route fails ``test_every_seller_page_has_a_mentor_rule`` until it
#: is listed here (a read) or it is a write (any other method: the mentor gets 403).
MENTOR_READS = {
    "documents.seller_receipt", "experiences.seller_check_in", "experiences.seller_edit",
    "experiences.seller_guests", "experiences.seller_guests_csv", "experiences.seller_list", "experiences.seller_new",
    "experiences.seller_sessions", "ledger.seller_money", "mentoring.seller_notes", "payments.seller_queue",
    "payments.seller_refund_page", "quotes.seller_detail", "quotes.seller_list", "reviews.seller_reviews",
    "sellers.costs", "sellers.dashboard", "sellers.feed_download", "sellers.feeds_page", "sellers.listing_costs",
    "sellers.listing_edit", "sellers.listing_new", "sellers.listing_photos", "sellers.listing_preview",
    "sellers.listings", "sellers.listings_export", "sellers.listings_import", "sellers.members",
    "sellers.order_detail", "sellers.orders", "sellers.orders_csv", "sellers.packing_slip", "sellers.profile",
    "sellers.shipping", "sellers.shipping_edit", "sellers.shipping_new", "sellers.stock", "track.evidence",
    "track.seller_checklist",
}


def test_every_seller_page_has_a_mentor_rule():
    reads = {p.values[0] for p in SELLER_ENTERPRISE_ROUTES if p.values[1] == "GET"}
    assert reads == MENTOR_READS


@pytest.fixture
def mentored(world):
    from datetime import timedelta

    """Enterprise B coached by a mentor (with an order, a shipping option and a request
    for quote to look at); another mentor coaches A only."""
    from shop.catalog.models import MentorAssignment, Variant
    from shop.mentoring.models import CoachingNote, NextStep
    from shop.orders.models import ShippingOption
    from shop.quotes import services as quotes
    from tests.factories import RetailBuyerFactory
    from tests.order_helpers import make_order

    b = world["b"]
    mentor, other = UserFactory(is_mentor=True), UserFactory(is_mentor=True)
    db.session.add_all([MentorAssignment(mentor_id=mentor.id, enterprise_id=b.id),
                        MentorAssignment(mentor_id=other.id, enterprise_id=world["a"].id)])
    variant = db.session.get(Variant, world["ids"]["variant_id"])
    variant.stock = 500
    option = ShippingOption(enterprise_id=b.id, name_th="ไปรษณีย์", base_fee_satang=5000)
    db.session.add(option)
    note = CoachingNote(enterprise_id=b.id, author_id=mentor.id, author_role="mentor", kind="note", body="ดีมาก")
    db.session.add(note)
    db.session.flush()
    step = NextStep(note_id=note.id, enterprise_id=b.id, text="ถ่ายรูปสินค้าใหม่")
    db.session.add(step)
    db.session.commit()
    order = make_order([(variant, 1)], paid=True)
    buyer = RetailBuyerFactory(status="verified").user
    req = quotes.request_quote(buyer, variant.id, quantity=12, target_unit_satang=None,
                               delivery_date=quotes.bangkok_today() + timedelta(days=20), message="ขอราคา")
    ids = dict(world["ids"], fulfilment_id=order.fulfilments[0].id, option_id=option.id, request_id=req.id,
               step_id=step.id, channel="facebook.csv")
    return {"mentor": mentor, "other": other, "ids": ids}


@pytest.mark.parametrize("endpoint, method, converters", SELLER_ENTERPRISE_ROUTES)
def test_the_assigned_mentor_reads_every_page_and_changes_nothing(app, client, world, mentored, endpoint, method,
                                                                   converters, sign_in):
    sign_in(mentored["mentor"])
    url = _fill(endpoint, converters, world["b"].id, mentored["ids"])
    response = _call(client, method, url)
    if method == "GET":
        known = all(name in mentored["ids"] or name == "enterprise_id" for name in converters)
        assert response.status_code == (200 if known else response.status_code), url
        assert response.status_code not in (403, 500), url
    else:
        assert response.status_code == 403, url
        db.session.expire_all()
        assert db.session.get(Enterprise, world["b"].id).name_th != "ถูกแก้"
        assert db.session.scalar(select(func.count(EnterpriseMember.id))) == 2


@pytest.mark.parametrize("endpoint, method, converters", SELLER_ENTERPRISE_ROUTES)
def test_a_mentor_of_another_enterprise_gets_404(app, client, world, mentored, endpoint, method, converters,
                                                 sign_in):
    sign_in(mentored["other"])
    url = _fill(endpoint, converters, world["b"].id, mentored["ids"])
    assert _call(client, method, url).status_code == 404, url
