"""The purchase-order number at web checkout (docs/product.md: Wholesale): asked of
verified retail buyers only, kept on the order, shown on the buyer's, the seller's
and staff's pages and printed on the receipt or tax invoice."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from shop.accounts.models import RetailBuyer
from shop.extensions import db
from shop.orders import receipts
from shop.orders.models import Order
from tests.cart_helpers import add, checkout_form, count, english_client
from tests.factories import MemberFactory, RetailBuyerFactory, UserFactory, VariantFactory
from tests.order_helpers import pay_by_slip

PO = "PO-2026/0417"


@pytest.fixture
def client(app):
    return english_client(app)


@pytest.fixture
def coffee(app):
    return VariantFactory(price_satang=12000, stock=50)


@pytest.fixture
def verified(app):
    return RetailBuyerFactory(status=RetailBuyer.VERIFIED, company_name="Chiang Mai Café Co.").user


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return receipts.join_sara_am("\n".join(page.extract_text() for page in reader.pages))


def place(client, **form) -> Order | None:
    response = client.post("/checkout", data=checkout_form(**form))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return db.session.scalars(select(Order).order_by(Order.id.desc())).first()


def test_the_checkout_asks_verified_buyers_only(app, client, sign_in, coffee, verified):
    add(client, coffee, 1)
    assert 'name="po_number"' not in client.get("/checkout").get_data(as_text=True)
    shopper_client = sign_in(UserFactory(), client=english_client(app))
    add(shopper_client, coffee, 1)
    assert 'name="po_number"' not in shopper_client.get("/checkout").get_data(as_text=True)
    sign_in(verified)
    assert 'name="po_number"' in client.get("/checkout").get_data(as_text=True)


def test_the_po_number_is_kept_shown_and_printed(app, client, sign_in, coffee, verified):
    sign_in(verified)
    add(client, coffee, 2)
    order = place(client, po_number=f"  {PO} ")
    assert order.po_number == PO

    # The buyer's order page and order list.
    assert PO in client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert PO in client.get("/account/orders").get_data(as_text=True)
    # Staff's view of the order.
    staff_client = sign_in(UserFactory(is_staff=True), client=english_client(app))
    assert PO in staff_client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    # The seller's order page and packing slip.
    member = MemberFactory(enterprise=coffee.product.enterprise)
    seller_client = sign_in(member.user, client=english_client(app))
    part = order.fulfilments[0]
    base = f"/seller/{part.enterprise_id}/orders/{part.id}"
    assert PO in seller_client.get(base).get_data(as_text=True)
    assert PO in seller_client.get(f"{base}/packing-slip").get_data(as_text=True)

    # Once paid, the receipt carries it, for the buyer and for the seller.
    pay_by_slip(order, buyer=verified)
    buyer_pdf = client.get(f"/orders/{order.public_id}/fulfilments/{part.id}/receipt.pdf")
    assert buyer_pdf.status_code == 200
    text = pdf_text(buyer_pdf.data)
    assert PO in text and "Purchase order" in text
    assert PO in pdf_text(seller_client.get(f"{base}/receipt.pdf").data)


def test_a_tax_invoice_prints_it_in_thai(app, sign_in, coffee, verified):
    enterprise = coffee.product.enterprise
    enterprise.vat_registered, enterprise.tax_id = True, "0994000165030"
    db.session.commit()
    client = sign_in(verified, client=app.test_client())
    add(client, coffee, 1)
    order = place(client, po_number=PO)
    pay_by_slip(order, buyer=verified)
    part = order.fulfilments[0]
    text = pdf_text(client.get(f"/orders/{order.public_id}/fulfilments/{part.id}/receipt.pdf").data)
    assert "ใบกำกับภาษี" in text and PO in text


def test_no_po_number_prints_nothing(app, client, sign_in, coffee, verified):
    sign_in(verified)
    add(client, coffee, 1)
    order = place(client, po_number="  ")
    assert order.po_number is None
    pay_by_slip(order, buyer=verified)
    part = order.fulfilments[0]
    text = pdf_text(client.get(f"/orders/{order.public_id}/fulfilments/{part.id}/receipt.pdf").data)
    assert "Purchase order" not in text
    assert "Purchase order" not in client.get(f"/orders/{order.public_id}").get_data(as_text=True)


def test_a_po_number_from_anyone_else_is_refused_and_nothing_is_ordered(app, client, sign_in, coffee):
    sign_in(UserFactory())
    add(client, coffee, 1)
    response = client.post("/checkout", data=checkout_form(po_number=PO))
    assert response.status_code == 422
    assert count(Order) == 0


@pytest.mark.parametrize(("value", "words"), [
    ("P" * 65, "Use at most 64 characters."),
    ("PO\u202e123", "changes the direction of the text (U+202E)"),
])
def test_a_bad_po_number_is_refused_with_a_message(app, client, sign_in, coffee, verified, value, words):
    sign_in(verified)
    add(client, coffee, 1)
    response = client.post("/checkout", data=checkout_form(po_number=value))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="po_number-error"' in page and words in page
    assert count(Order) == 0
