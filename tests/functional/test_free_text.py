"""The free-text rule (``shop.text``) at the edges: NUL, BEL and the right-to-left
override in the API's address fields and in a few forms (registration, saved
address, listing, checkout note) answer 4xx with a message naming the field, and
nothing is written; Thai text with line breaks still saves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.models import Fulfilment, Order, OrderLine, SavedAddress
from shop.text import REFUSED
from tests.api_helpers import bearer
from tests.cart_helpers import ADDRESS, add, checkout_form, make_catalogue, stock_of
from tests.factories import CategoryFactory, MemberFactory, UserFactory

BAD = {"NUL": "\x00", "BEL": "\x07", "RLO": "\u202e"}
CODES = {"NUL": "U+0000", "BEL": "U+0007", "RLO": "U+202E"}
API_ADDRESS_FIELDS = ("recipient_name", "phone", "address_line", "subdistrict", "district", "province_code",
                      "postcode")
THAI_DESCRIPTION = "กาแฟคั่วมือจากดอยแม่แจ่ม\r\nปลูกใต้ร่มไม้ 🌱\r\n\r\nชงได้ทั้งร้อนและเย็น"


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))



def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("field", API_ADDRESS_FIELDS)
def test_api_address_fields_refuse_control_characters(client, field, name):
    catalogue = make_catalogue()
    buyer = UserFactory()
    address = {**ADDRESS, field: ADDRESS[field][:2] + BAD[name] + ADDRESS[field][2:]}
    before = (count(Order), count(Fulfilment), count(OrderLine))
    response = client.post("/api/v1/orders", headers=bearer(buyer, lang="en"), json={
        "lines": [{"variant_id": catalogue.rice.id, "quantity": 1}], "address": address,
        "payment_method": "promptpay_qr"})
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    message = error["fields"][f"address.{field}"]
    assert CODES[name] in message and "Delete it" in message
    assert (count(Order), count(Fulfilment), count(OrderLine)) == before
    assert stock_of(catalogue.rice.id) == 30


def test_api_message_is_in_thai_by_default(client):
    catalogue = make_catalogue()
    address = {**ADDRESS, "recipient_name": "สมหญิง\u202eใจดี"}
    response = client.post("/api/v1/orders", headers=bearer(UserFactory()), json={
        "lines": [{"variant_id": catalogue.rice.id, "quantity": 1}], "address": address,
        "payment_method": "promptpay_qr"})
    assert response.status_code == 422
    assert "ทิศทางของข้อความ" in response.get_json()["error"]["fields"]["address.recipient_name"]


def test_api_listing_keeps_thai_lines_and_refuses_a_nul_description(client):
    owner = MemberFactory()
    category = CategoryFactory()
    headers = bearer(owner.user, lang="en")
    url = f"/api/v1/seller/enterprises/{owner.enterprise_id}/products"
    body = {"name_th": "กาแฟดอย", "category_id": category.id, "description_th": "ย่อหน้า\x00แรก",
            "variants": [{"name_th": "250 กรัม", "sku": "DOI-250", "price_satang": 12000, "stock": 5}]}
    response = client.post(url, headers=headers, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "U+0000" in response.get_json()["error"]["fields"]["description_th"]
    assert count(Product) == 0
    response = client.post(url, headers=headers, json={**body, "description_th": THAI_DESCRIPTION})
    assert response.status_code == 201, response.get_data(as_text=True)
    product = db.session.scalars(select(Product)).one()
    assert product.description_th == THAI_DESCRIPTION.replace("\r\n", "\n")


# ---------------------------------------------------------------- the forms


@pytest.mark.parametrize("name", sorted(BAD))
def test_registration_name_refuses_control_characters(client, name):
    english(client)
    before = count(User)
    response = client.post("/account/register", data={
        "display_name": f"Malee{BAD[name]}", "email": "malee@example.test", "password": "a-long-enough-passphrase-2",
        "confirm": "a-long-enough-passphrase-2", "lang": "en", "accept_terms": "y"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“Your name” contains" in page and CODES[name] in page
    assert count(User) == before


@pytest.mark.parametrize("name", sorted(BAD))
def test_saved_address_form_refuses_control_characters(client, name, sign_in):
    user = UserFactory()
    sign_in(user, client=client)
    english(client)
    response = client.post("/account/addresses", data={**ADDRESS, "address_line": f"99/1{BAD[name]} Sukhumvit"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“House number, village, street” contains" in page and CODES[name] in page
    assert count(SavedAddress) == 0
    # The same address without the character is saved.
    assert client.post("/account/addresses", data=ADDRESS).status_code == 303
    assert count(SavedAddress) == 1


def _listing_form(category_id: int, **overrides) -> dict:
    data = {"name_th": "กาแฟคั่วโอ่ง", "description_th": THAI_DESCRIPTION, "category_id": str(category_id),
            "is_food": "no", "variants-0-name_th": "250 กรัม", "variants-0-sku": "MJ-250",
            "variants-0-price": "120", "variants-0-stock": "30", "variants-0-is_active": "y",
            "variants-0-moq": "1", "variants-0-case_pack": "1", "save": "1"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("field", ["name_th", "description_th", "variants-0-name_th"])
def test_listing_form_refuses_control_characters(client, field, name, sign_in):
    owner = MemberFactory()
    category = CategoryFactory()
    sign_in(owner.user, client=client)
    english(client)
    response = client.post(f"/seller/{owner.enterprise_id}/listings/new",
                           data=_listing_form(category.id, **{field: f"กาแฟ{BAD[name]}ดอย"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "contains" in page and CODES[name] in page
    assert count(Product) == 0


def test_listing_form_saves_thai_text_with_line_breaks(client, sign_in):
    owner = MemberFactory()
    category = CategoryFactory()
    sign_in(owner.user, client=client)
    response = client.post(f"/seller/{owner.enterprise_id}/listings/new", data=_listing_form(category.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    product = db.session.scalars(select(Product)).one()
    assert product.description_th == THAI_DESCRIPTION.replace("\r\n", "\n")
    assert product.name_th == "กาแฟคั่วโอ่ง"


@pytest.mark.parametrize("name", sorted(BAD))
def test_checkout_note_refuses_control_characters(client, name):
    catalogue = make_catalogue()
    english(client)
    add(client, catalogue.rice)
    response = client.post("/checkout", data=checkout_form(buyer_note=f"Please ring{BAD[name]} twice"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“Note to the enterprises (optional)” contains" in page and CODES[name] in page
    assert count(Order) == 0
    assert stock_of(catalogue.rice.id) == 30


def test_checkout_keeps_a_thai_note_with_line_breaks(client):
    catalogue = make_catalogue()
    add(client, catalogue.rice)
    response = client.post("/checkout", data=checkout_form(buyer_note="ฝากไว้ที่ป้อมยาม\r\nขอบคุณค่ะ 🙏"))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert db.session.scalars(select(Order)).one().buyer_note == "ฝากไว้ที่ป้อมยาม\nขอบคุณค่ะ 🙏"


def test_the_refused_characters_are_the_ones_documented():
    for char in ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202a", "\u202e", "\u2066", "\u2069"):
        assert REFUSED.search(char), repr(char)
    for char in ("\t", "\n", "\r", "ก", "\u200b", "\u200d", "\u200e", "🙂"):
        assert not REFUSED.search(char), repr(char)


def test_search_boxes_drop_control_characters(client, sign_in):
    """A NUL in a query parameter used in a LIKE search was a 500 on PostgreSQL."""
    owner = MemberFactory()
    sign_in(owner.user, client=client)
    for url in (f"/seller/{owner.enterprise_id}/orders?q=a%00b", f"/seller/{owner.enterprise_id}/listings?q=a%00b",
                f"/seller/{owner.enterprise_id}/orders.csv?q=a%00%E2%80%AEb"):
        assert client.get(url).status_code == 200, url
    api = client.get(f"/api/v1/seller/enterprises/{owner.enterprise_id}/products?q=a%00b",
                     headers=bearer(owner.user))
    assert api.status_code == 200, api.get_data(as_text=True)
