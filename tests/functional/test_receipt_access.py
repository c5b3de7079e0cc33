"""Who may download a receipt or tax invoice: the buyer (signed in, or a guest with the
signed link or the session that placed the order), staff, and members of the
enterprise whose part it is. Everyone else gets 404, and an unpaid order 409."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from shop.orders import receipts
from shop.orders.access import GUEST_ORDERS_KEY, order_token
from shop.orders.status import ORDER_CANCELLED
from tests.factories import EnterpriseFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order


def _variant(enterprise, price=25000):
    return VariantFactory(product=ProductFactory(enterprise=enterprise), price_satang=price, stock=50)


@pytest.fixture
def world(app):
    """A shopper's paid order from a VAT-registered coffee group and a small rice group."""
    coffee_group = EnterpriseFactory(vat_registered=True, tax_id="0994000165030")
    rice_group = EnterpriseFactory()
    shopper = UserFactory(email="shopper@example.test")
    order = make_order([(_variant(coffee_group), 2), (_variant(rice_group, 18000), 1)], user=shopper, paid=True)
    coffee_part, rice_part = sorted(order.fulfilments, key=lambda f: f.enterprise_id != coffee_group.id)
    return {
        "order": order, "shopper": shopper, "coffee": coffee_group, "rice": rice_group,
        "coffee_part": coffee_part, "rice_part": rice_part,
        "coffee_owner": MemberFactory(enterprise=coffee_group).user,
        "rice_owner": MemberFactory(enterprise=rice_group).user,
    }


def _buyer_url(order, fulfilment, token=None):
    url = f"/orders/{order.public_id}/fulfilments/{fulfilment.id}/receipt.pdf"
    return f"{url}?t={token}" if token else url


def _seller_url(enterprise_id, fulfilment):
    return f"/seller/{enterprise_id}/orders/{fulfilment.id}/receipt.pdf"


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.data))
    return receipts.join_sara_am(" ".join(page.extract_text() for page in reader.pages))


def test_the_buyer_downloads_each_enterprises_document(client, world, sign_in):
    sign_in(world["shopper"])
    order = world["order"]
    response = client.get(_buyer_url(order, world["coffee_part"]))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="{world["coffee_part"].document_no}.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    text = _pdf_text(response)
    assert "ใบกำกับภาษี" in text and world["coffee_part"].document_no in text

    response = client.get(_buyer_url(order, world["rice_part"]))
    assert response.status_code == 200
    text = _pdf_text(response)
    assert "เอกสารนี้ไม่ใช่ใบกำกับภาษี" in text and world["rice_part"].document_no in text


def test_the_document_follows_the_readers_language(client, world, sign_in):
    sign_in(world["shopper"])
    response = client.get(_buyer_url(world["order"], world["rice_part"]) + "?lang=en")
    assert response.status_code == 200
    assert "This receipt is not a tax invoice." in _pdf_text(response)


def test_another_user_gets_404(client, world, sign_in):
    sign_in(UserFactory())
    assert client.get(_buyer_url(world["order"], world["coffee_part"])).status_code == 404


def test_a_seller_of_the_other_part_cannot_use_the_buyer_url(client, world, sign_in):
    sign_in(world["rice_owner"])
    assert client.get(_buyer_url(world["order"], world["coffee_part"])).status_code == 404


def test_guests_need_the_signed_link(client, world):
    order = world["order"]
    assert client.get(_buyer_url(order, world["coffee_part"])).status_code == 404
    assert client.get(_buyer_url(order, world["coffee_part"], token="not-a-token")).status_code == 404
    genuine = order_token(order)
    tampered = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    assert client.get(_buyer_url(order, world["coffee_part"], token=tampered)).status_code == 404
    assert client.get(_buyer_url(order, world["coffee_part"], token=genuine)).status_code == 200


def test_a_token_opens_only_its_own_order(client, world):
    other = make_order([(_variant(world["rice"]), 1)], paid=True)
    token_of_other = order_token(other)
    assert client.get(_buyer_url(world["order"], world["rice_part"], token=token_of_other)).status_code == 404
    # ... and a fulfilment id of another order under a valid link is 404 too.
    assert client.get(_buyer_url(other, world["rice_part"], token=token_of_other)).status_code == 404
    assert client.get(_buyer_url(other, other.fulfilments[0], token=token_of_other)).status_code == 200


def test_the_guest_session_that_placed_the_order_opens_it(client, app):
    order = make_order([(_variant(EnterpriseFactory()), 1)], paid=True)
    with client.session_transaction() as session:
        session[GUEST_ORDERS_KEY] = [order.public_id]
    assert client.get(_buyer_url(order, order.fulfilments[0])).status_code == 200


def test_staff_may_open_any_buyers_document(client, world, sign_in):
    sign_in(UserFactory(is_staff=True))
    assert client.get(_buyer_url(world["order"], world["coffee_part"])).status_code == 200


def test_unknown_order_or_fulfilment_is_404(client, world, sign_in):
    sign_in(world["shopper"])
    assert client.get(f"/orders/CMNOSUCHORDER/fulfilments/{world['coffee_part'].id}/receipt.pdf").status_code == 404
    assert client.get(f"/orders/{world['order'].public_id}/fulfilments/999999/receipt.pdf").status_code == 404
    assert client.get(f"/orders/{world['order'].public_id}/fulfilments/abc/receipt.pdf").status_code == 404


def test_members_download_their_enterprises_part(client, world, sign_in):
    sign_in(world["coffee_owner"])
    response = client.get(_seller_url(world["coffee"].id, world["coffee_part"]))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert world["coffee_part"].document_no in _pdf_text(response)


def test_members_cannot_reach_another_enterprises_part(client, world, sign_in):
    sign_in(world["coffee_owner"])
    # Their own enterprise in the URL, another enterprise's fulfilment id.
    assert client.get(_seller_url(world["coffee"].id, world["rice_part"])).status_code == 404
    # Another enterprise's id in the URL.
    assert client.get(_seller_url(world["rice"].id, world["rice_part"])).status_code == 404
    assert client.get(_seller_url(999999, world["coffee_part"])).status_code == 404


def test_the_buyer_is_not_a_member(client, world, sign_in):
    sign_in(world["shopper"])
    assert client.get(_seller_url(world["coffee"].id, world["coffee_part"])).status_code == 404


def test_guests_are_asked_to_sign_in_on_the_seller_url(client, world):
    response = client.get(_seller_url(world["coffee"].id, world["coffee_part"]))
    assert response.status_code in (302, 303)
    assert "/account/login" in response.headers["Location"]


def test_no_document_before_payment(client, auth, app, sign_in):
    rice_group = EnterpriseFactory()
    owner = MemberFactory(enterprise=rice_group).user
    shopper = UserFactory()
    unpaid = make_order([(_variant(rice_group), 1)], user=shopper)
    cancelled = make_order([(_variant(rice_group), 1)], user=shopper, status=ORDER_CANCELLED)
    sign_in(shopper)
    for order in (unpaid, cancelled):
        response = client.get(_buyer_url(order, order.fulfilments[0]))
        assert response.status_code == 409
        assert "ใบเสร็จรับเงินจะออกให้เมื่อยืนยันการชำระเงิน" in response.get_data(as_text=True)
    auth.logout()
    sign_in(owner)
    response = client.get(_seller_url(rice_group.id, unpaid.fulfilments[0]), headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_links_appear_only_once_paid(app, world):
    from flask import render_template_string

    template = (
        '{% from "documents/_links.html" import buyer_receipt_link, seller_receipt_link %}'
        "{{ buyer_receipt_link(f) }}|{{ seller_receipt_link(f) }}"
    )
    with app.test_request_context("/"):
        html = render_template_string(template, f=world["coffee_part"])
        assert f"/orders/{world['order'].public_id}/fulfilments/{world['coffee_part'].id}/receipt.pdf?t=" in html
        assert _seller_url(world["coffee"].id, world["coffee_part"]) in html
        assert "ใบกำกับภาษี" in html
        unpaid = make_order([(_variant(world["rice"]), 1)])
        assert render_template_string(template, f=unpaid.fulfilments[0]).strip() == "|"
