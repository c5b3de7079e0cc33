"""Who may do what on the listing pages, walked route by route, and the staff review.

* Under their own enterprise's URL, a member who names another enterprise's product
  or photo gets 404 on every listing route, and nothing changes.
* A posted ``enterprise_id`` is ignored: a new product lands in the URL's enterprise.
* Staff-only: the review queue, the review page and the decisions; members and guests
  are refused, and a member cannot approve their own listing from the seller side.
* Approving puts the listing on the storefront and e-mails the owners; sending back
  needs a reason, which the owners receive.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.catalog import status
from shop.catalog.listing_models import ListingStatusChange
from shop.catalog.models import Product, ProductPhoto, Variant
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from tests.factories import CategoryFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory
from tests.status_helpers import move_listing


def _listing_rules():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("sellers.") and "<int:product_id>" in rule.rule:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append(pytest.param(rule.rule, method, id=f"{method} {rule.rule}"))
    return found


PRODUCT_ROUTES = _listing_rules()


@pytest.fixture
def world(app):
    a_owner = MemberFactory()
    b_product = ProductFactory(enterprise=MemberFactory().enterprise, status=status.DRAFT, name_th="ของบี")
    b_variant = VariantFactory(product=b_product, stock=9)
    b_photo = ProductPhoto(product_id=b_product.id, image_key="b" * 32, width=10, height=10, position=0)
    db.session.add(b_photo)
    db.session.commit()
    a_product = ProductFactory(enterprise=a_owner.enterprise, status=status.DRAFT)
    VariantFactory(product=a_product)
    return {"a_owner": a_owner, "a_product": a_product, "b_product": b_product, "b_variant": b_variant,
            "b_photo": b_photo}


def test_every_listing_route_with_a_product_is_walked():
    assert len(PRODUCT_ROUTES) >= 9


@pytest.mark.parametrize("rule, method", PRODUCT_ROUTES)
def test_another_enterprises_product_under_own_url_is_404(app, client, world, rule, method, sign_in):
    sign_in(world["a_owner"].user)
    url = (rule.replace("<int:enterprise_id>", str(world["a_owner"].enterprise_id))
           .replace("<int:product_id>", str(world["b_product"].id))
           .replace("<int:photo_id>", str(world["b_photo"].id)))
    data = {"name_th": "ถูกแก้", "to_status": "pending_review", "action": "delete",
            "variants-0-id": str(world["b_variant"].id), "variants-0-sku": "X", "variants-0-name_th": "x",
            "variants-0-price": "1", "variants-0-stock": "1", "rows-0-variant_id": str(world["b_variant"].id),
            "rows-0-materials": "1"}
    response = client.get(url) if method == "GET" else client.open(url, method=method, data=data)
    assert response.status_code == 404, url
    db.session.expire_all()
    b = db.session.get(Product, world["b_product"].id)
    assert (b.name_th, b.status) == ("ของบี", status.DRAFT)
    assert db.session.get(ProductPhoto, world["b_photo"].id) is not None
    assert db.session.get(Variant, world["b_variant"].id).cost_materials_satang is None


def test_another_enterprises_photo_under_own_product_is_404(app, client, world, sign_in):
    sign_in(world["a_owner"].user)
    a = world["a_owner"].enterprise_id
    url = f"/seller/{a}/listings/{world['a_product'].id}/photos/{world['b_photo'].id}"
    assert client.post(url, data={"action": "delete"}).status_code == 404
    assert db.session.get(ProductPhoto, world["b_photo"].id) is not None


def test_posted_enterprise_id_is_ignored(app, client, world, sign_in):
    sign_in(world["a_owner"].user)
    category = CategoryFactory()
    a, b = world["a_owner"].enterprise_id, world["b_product"].enterprise_id
    response = client.post(f"/seller/{a}/listings/new", data={
        "enterprise_id": str(b), "name_th": "ใหม่", "category_id": str(category.id), "variants-0-name_th": "ชิ้น",
        "variants-0-sku": "NEW-1", "variants-0-price": "10", "variants-0-stock": "1", "variants-0-is_active": "y",
        "save": "1"})
    assert response.status_code == 302
    product = db.session.scalars(select(Product).where(Product.name_th == "ใหม่")).one()
    assert product.enterprise_id == a
    assert product.variants[0].enterprise_id == a


def test_guest_is_sent_to_sign_in(app, client, world):
    a = world["a_owner"].enterprise_id
    for url in (f"/seller/{a}/listings", f"/seller/{a}/stock", f"/seller/{a}/feeds/google.xml"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


# ------------------------------------------------------------------ staff review


@pytest.fixture
def pending(app, world):
    product = world["a_product"]
    move_listing(product, status.PENDING_REVIEW)
    db.session.commit()
    return product


ADMIN_CALLS = [
    ("GET", "/admin/listings", None),
    ("GET", "/admin/listings/{pid}", None),
    ("POST", "/admin/listings/{pid}/review", {"decision": "approve"}),
]


@pytest.mark.parametrize("method, path, data", ADMIN_CALLS, ids=[f"{m} {p}" for m, p, _ in ADMIN_CALLS])
@pytest.mark.parametrize("who", ["guest", "owner", "shopper"])
def test_review_is_staff_only(app, client, world, pending, method, path, data, who, sign_in):
    if who == "owner":
        sign_in(world["a_owner"].user)
    elif who == "shopper":
        sign_in(UserFactory())
    url = path.format(pid=pending.id)
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    assert response.status_code == (302 if who == "guest" else 403)
    db.session.expire_all()
    assert db.session.get(Product, pending.id).status == status.PENDING_REVIEW


def test_staff_approves_and_the_owners_are_told(app, client, world, pending, sign_in):
    staff = UserFactory(is_staff=True)
    sign_in(staff)
    queue = client.get("/admin/listings").get_data(as_text=True)
    assert pending.name_th in queue
    page = client.get(f"/admin/listings/{pending.id}?lang=en")
    assert page.status_code == 200 and "Approve" in page.get_data(as_text=True)
    response = client.post(f"/admin/listings/{pending.id}/review", data={"decision": "approve"})
    assert response.status_code == 303
    db.session.expire_all()
    product = db.session.get(Product, pending.id)
    assert product.status == status.LIVE and product.published_at is not None
    # The fixture's submission (draft → pending_review) is on the record too.
    change = db.session.scalars(select(ListingStatusChange).where(ListingStatusChange.actor_id == staff.id)).one()
    assert (change.actor_id, change.actor_role, change.to_status) == (staff.id, "staff", "live")
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.to_address == world["a_owner"].user.email
    assert f"/products/{product.slug}" in mail.body_text
    assert client.get(f"/products/{product.slug}").status_code == 200


def test_send_back_needs_a_reason_and_mails_it(app, client, world, pending, sign_in):
    sign_in(UserFactory(is_staff=True))
    response = client.post(f"/admin/listings/{pending.id}/review", data={"decision": "send_back", "reason": " "})
    assert response.status_code == 422
    assert 'id="reason-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, pending.id).status == status.PENDING_REVIEW
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    response = client.post(f"/admin/listings/{pending.id}/review",
                           data={"decision": "send_back", "reason": "The photo shows another product."})
    assert response.status_code == 303
    db.session.expire_all()
    product = db.session.get(Product, pending.id)
    assert product.status == status.DRAFT and product.status_reason == "The photo shows another product."
    assert "The photo shows another product." in db.session.scalars(select(OutboxMessage)).one().body_text
    sign_in(world["a_owner"].user)
    edit = client.get(f"/seller/{product.enterprise_id}/listings/{product.id}/edit").get_data(as_text=True)
    assert "The photo shows another product." in edit


def test_staff_cannot_approve_a_draft_or_take_down_without_reason(app, client, world, sign_in):
    sign_in(UserFactory(is_staff=True))
    draft = world["a_product"]
    assert client.post(f"/admin/listings/{draft.id}/review", data={"decision": "approve"}).status_code == 409
    move_listing(draft, status.LIVE)
    db.session.commit()
    assert client.post(f"/admin/listings/{draft.id}/review", data={"decision": "take_down"}).status_code == 422
    assert client.post(f"/admin/listings/{draft.id}/review",
                       data={"decision": "take_down", "reason": "Fake FDA number"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, draft.id).status == status.PAUSED
    assert client.post(f"/admin/listings/{draft.id}/review", data={"decision": "delete"}).status_code == 422


def test_unknown_listing_is_404_for_staff(app, client, world, sign_in):
    sign_in(UserFactory(is_staff=True))
    assert client.get("/admin/listings/999999").status_code == 404
    assert client.get("/admin/listings?status=bogus").status_code == 200
