"""Requests for quote through the pages (docs/product.md: Wholesale, Requests for
quote): a verified retail buyer asks, the enterprise quotes, both write, the buyer
accepts and the order is placed at the quoted price with its stock held; declining,
withdrawing, expiry by the sweeper and at accept time; bad input on every form."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import RetailBuyer, User
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.notifications.services import SendReport, run_pending_jobs
from shop.orders import status as st
from shop.orders.addresses import save_address
from shop.orders.models import Order, OrderLine
from shop.quotes import demo
from shop.quotes import services as svc
from shop.quotes.models import ACCEPTED, DECLINED, EXPIRED, QUOTED, REQUESTED, WITHDRAWN, QuoteMessage, QuoteRequest
from shop.statemachine import StatusChangeLog
from tests.cart_helpers import ADDRESS, count, english_client, stock_of
from tests.factories import (
    EnterpriseFactory,
    InDays,
    MemberFactory,
    ProductFactory,
    RetailBuyerFactory,
    UserFactory,
    VariantFactory,
    WholesaleTierFactory,
    with_dates,
)


@pytest.fixture
def client(app):
    return english_client(app)


class Shop:
    """Mae Jaem coffee, 250 g bags at ฿180 retail (tiers from ฿150), packed by 6,
    200 in stock; its owner; a verified buyer, a shopper and a buyer waiting for review."""

    def __init__(self):
        self.enterprise = EnterpriseFactory(name_en="Mae Jaem Coffee")
        self.owner = MemberFactory(enterprise=self.enterprise, user__email="owner@example.test").user
        self.other = EnterpriseFactory(name_en="Ban Na Rice")
        self.other_owner = MemberFactory(enterprise=self.other, user__email="rice@example.test").user
        product = ProductFactory(enterprise=self.enterprise, name_en="Medium roast", name_th="กาแฟคั่วกลาง")
        self.bag = VariantFactory(product=product, sku="MJ-250", name_en="250 g", name_th="250 กรัม",
                                  price_satang=18000, stock=200, moq=6, case_pack=6)
        WholesaleTierFactory(variant=self.bag, min_quantity=6, unit_price_satang=15000)
        self.buyer = RetailBuyerFactory(status=RetailBuyer.VERIFIED, user__email="cafe@example.test").user
        self.second_buyer = RetailBuyerFactory(status=RetailBuyer.VERIFIED, user__email="hotel@example.test").user
        self.pending = RetailBuyerFactory(status=RetailBuyer.PENDING, user__email="new@example.test").user
        self.shopper = UserFactory(email="somsri@example.test")
        db.session.commit()


@pytest.fixture
def shop(app):
    return Shop()


def future(days: int) -> str:
    return (svc.bangkok_today() + timedelta(days=days)).isoformat()


def ask(client, shop, **overrides):
    data = {"quantity": "120", "target_unit_price": "140", "delivery_date": future(20),
            "message": "For our three cafés, monthly."}
    data.update(overrides)
    return client.post(f"/quotes/new?variant={shop.bag.id}", data=with_dates(data, future))


def quote_form(**overrides) -> dict:
    data = {"unit_price": "142.50", "quantity": "120", "shipping": "300", "valid_until": future(7),
            "lead_time_days": "5", "note": "Roasted to order."}
    data.update(overrides)
    return with_dates(data, future)


def make_request(shop, buyer=None) -> QuoteRequest:
    return svc.request_quote(buyer or shop.buyer, shop.bag.id, quantity=120, target_unit_satang=14000,
                             delivery_date=svc.bangkok_today() + timedelta(days=20), message="Monthly order")


def make_quote(shop, req=None, **overrides) -> QuoteRequest:
    req = req or make_request(shop)
    values = dict(unit_satang=14250, quantity=120, shipping_satang=30000,
                  valid_until=svc.bangkok_today() + timedelta(days=7), lead_time_days=5, note=None)
    values.update(overrides)
    return svc.answer_quote(shop.owner, req, **values)


def reload(req: QuoteRequest) -> QuoteRequest:
    return db.session.get(QuoteRequest, req.id, populate_existing=True)


def seller_url(shop, req, tail: str = "") -> str:
    return f"/seller/{shop.enterprise.id}/quotes/{req.id}{tail}"


def mails_to(address: str) -> list[OutboxMessage]:
    run_pending_jobs(SendReport())  # "order placed" is a job the sender renders
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)
                                   .order_by(OutboxMessage.id)))


def test_request_quote_message_accept_places_the_order_at_the_quoted_price(client, shop, sign_in):
    product_page = client.get(f"/products/{shop.bag.product.slug}")
    assert "Request a quote" not in product_page.get_data(as_text=True)

    sign_in(shop.buyer)
    page = client.get(f"/products/{shop.bag.product.slug}").get_data(as_text=True)
    assert f"/quotes/new?variant={shop.bag.id}" in page
    assert client.get(f"/quotes/new?variant={shop.bag.id}").status_code == 200
    response = ask(client, shop)
    assert response.status_code == 303
    req = db.session.scalars(select(QuoteRequest)).one()
    assert (req.status, req.quantity, req.target_unit_satang) == (REQUESTED, 120, 14000)
    asked = [m for m in mails_to("owner@example.test") if m.kind == "quote_requested"]
    assert len(asked) == 1 and asked[0].subject.endswith(req.reference)
    assert req.message in asked[0].body_text and f"/seller/{shop.enterprise.id}/quotes/{req.id}" in asked[0].body_text
    assert "RFQ-" in client.get("/account/quotes").get_data(as_text=True)

    seller = sign_in(shop.owner, client=english_client(client.application))
    listing = seller.get(f"/seller/{shop.enterprise.id}/quotes?show=to_answer").get_data(as_text=True)
    assert req.reference in listing
    assert seller.get(seller_url(shop, req)).status_code == 200
    response = seller.post(seller_url(shop, req, "/quote"), data=quote_form())
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    req = reload(req)
    assert (req.status, req.quoted_unit_satang, req.quoted_quantity, req.quoted_shipping_satang) == (
        QUOTED, 14250, 120, 30000)
    assert any(m.kind == "quote_quoted" for m in mails_to("cafe@example.test"))

    assert seller.post(seller_url(shop, req, "/messages"), data={"body": "We can print your logo."}).status_code == 303
    assert client.post(f"/account/quotes/{req.id}/messages", data={"body": "Great, thanks!"}).status_code == 303
    assert [m.author_role for m in db.session.scalars(select(QuoteMessage))] == ["seller", "buyer"]
    assert any(m.kind == "quote_message" for m in mails_to("cafe@example.test"))
    assert any(m.kind == "quote_message" for m in mails_to("owner@example.test"))

    detail = client.get(f"/account/quotes/{req.id}").get_data(as_text=True)
    assert "Accept and place the order" in detail and "We can print your logo." in detail
    response = client.post(f"/account/quotes/{req.id}/accept",
                           data={**ADDRESS, "payment_method": st.PAYMENT_PROMPTPAY_QR, "po_number": "PO-77"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    order = db.session.scalars(select(Order)).one()
    line = db.session.scalars(select(OrderLine)).one()
    assert (line.unit_price_satang, line.quantity, line.line_total_satang) == (14250, 120, 14250 * 120)
    assert (order.subtotal_satang, order.shipping_satang, order.total_satang) == (1710000, 30000, 1740000)
    assert (order.status, order.po_number, order.user_id) == (st.ORDER_PENDING_PAYMENT, "PO-77", shop.buyer.id)
    assert order.fulfilments[0].enterprise_id == shop.enterprise.id
    assert stock_of(shop.bag.id) == 80
    req = reload(req)
    assert (req.status, req.order_id) == (ACCEPTED, order.id)
    assert any(m.kind == "order_placed" for m in mails_to("cafe@example.test"))
    assert any(m.kind == "quote_accepted" for m in mails_to("owner@example.test"))
    # The usual order page answers.
    assert client.get(response.headers["Location"]).status_code == 200
    history = [(c.from_status, c.to_status, c.actor_role) for c in db.session.scalars(
        select(StatusChangeLog).where(StatusChangeLog.machine == "quote_request").order_by(StatusChangeLog.id))]
    assert history == [(None, REQUESTED, "buyer"), (REQUESTED, QUOTED, "seller"), (QUOTED, ACCEPTED, "buyer")]

    # Accepting again is refused, nothing more is written.
    again = client.post(f"/account/quotes/{req.id}/accept", data={**ADDRESS, "payment_method": "promptpay_qr"})
    assert again.status_code == 409
    assert count(Order) == 1 and stock_of(shop.bag.id) == 80


def test_accept_on_invoice_issues_the_invoice_within_the_credit_left(client, shop, sign_in):
    from shop.invoicing import services as invoicing
    from shop.invoicing.models import Invoice

    staff = UserFactory(is_staff=True)
    invoicing.set_terms(staff, shop.buyer.retail_buyer.id, net_days=30, credit_limit="15000")
    big = make_quote(shop)  # 120 × ฿142.50 + ฿300 = ฿17,400: over the ฿15,000 limit
    sign_in(shop.buyer)
    refused = client.post(f"/account/quotes/{big.id}/accept", data={**ADDRESS, "payment_method": st.PAYMENT_INVOICE})
    assert refused.status_code == 422
    assert "15,000" in refused.get_data(as_text=True)
    assert count(Order) == 0 and count(Invoice) == 0 and reload(big).status == QUOTED and stock_of(shop.bag.id) == 200

    small = make_quote(shop, quantity=60)  # 60 × ฿142.50 + ฿300 = ฿8,850
    response = client.post(f"/account/quotes/{small.id}/accept",
                           data={**ADDRESS, "payment_method": st.PAYMENT_INVOICE, "po_number": "PO-78"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    order = db.session.scalars(select(Order)).one()
    assert (order.status, order.total_satang, order.po_number) == (st.ORDER_INVOICED, 885000, "PO-78")
    invoice = invoicing.invoice_of_order(order)
    assert invoice is not None and invoice.due_on == invoicing.bangkok_date(invoice.issued_at) + timedelta(days=30)
    assert order.buyer_company == shop.buyer.retail_buyer.company_name
    assert any(m.kind == "invoice_issued" for m in mails_to("cafe@example.test"))
    assert not any(m.kind == "order_placed" for m in mails_to("cafe@example.test"))
    assert invoicing.credit_of(shop.buyer).available_satang == 1_500_000 - 885000
    assert stock_of(shop.bag.id) == 140


def test_accept_with_a_saved_address(client, shop, sign_in):
    req = make_quote(shop)
    saved = save_address(shop.buyer, dict(ADDRESS, recipient_name="ร้านกาแฟ"))
    sign_in(shop.buyer)
    page = client.get(f"/account/quotes/{req.id}").get_data(as_text=True)
    assert "ร้านกาแฟ" in page
    response = client.post(f"/account/quotes/{req.id}/accept",
                           data={"saved_address": str(saved.id), "payment_method": "promptpay_qr"})
    assert response.status_code == 303
    assert db.session.scalars(select(Order)).one().recipient_name == "ร้านกาแฟ"


def test_someone_elses_saved_address_is_not_found(client, shop, sign_in):
    req = make_quote(shop)
    theirs = save_address(shop.second_buyer, ADDRESS)
    sign_in(shop.buyer)
    response = client.post(f"/account/quotes/{req.id}/accept",
                           data={"saved_address": str(theirs.id), "payment_method": "promptpay_qr"})
    assert response.status_code == 404
    assert count(Order) == 0 and reload(req).status == QUOTED


def test_decline_and_withdraw(client, shop, sign_in):
    declined = make_request(shop)
    sign_in(shop.owner)
    response = client.post(seller_url(shop, declined, "/decline"), data={"reason": ""})
    assert response.status_code == 422 and "reason" in response.get_data(as_text=True).lower()
    assert reload(declined).status == REQUESTED
    assert client.post(seller_url(shop, declined, "/decline"), data={"reason": "Sold out this season"}).status_code == 303
    declined = reload(declined)
    assert (declined.status, declined.decline_reason) == (DECLINED, "Sold out this season")
    assert any(m.kind == "quote_declined" for m in mails_to("cafe@example.test"))
    # Closed: no quote, no message.
    assert client.post(seller_url(shop, declined, "/quote"), data=quote_form()).status_code == 409
    assert client.post(seller_url(shop, declined, "/messages"), data={"body": "Hello"}).status_code == 409

    withdrawn = make_quote(shop)
    buyer = sign_in(shop.buyer, client=english_client(client.application))
    assert buyer.post(f"/account/quotes/{withdrawn.id}/withdraw", data={"reason": "Found another"}).status_code == 303
    assert reload(withdrawn).status == WITHDRAWN
    assert any(m.kind == "quote_withdrawn" for m in mails_to("owner@example.test"))
    assert buyer.post(f"/account/quotes/{withdrawn.id}/accept",
                      data={**ADDRESS, "payment_method": "promptpay_qr"}).status_code == 409
    assert count(Order) == 0


def test_enterprise_revises_its_quote_while_quoted(client, shop, sign_in):
    req = make_quote(shop)
    sign_in(shop.owner)
    assert client.post(seller_url(shop, req, "/quote"), data=quote_form(unit_price="139")).status_code == 303
    assert reload(req).quoted_unit_satang == 13900
    assert any(m.kind == "quote_revised" for m in mails_to("cafe@example.test"))


def test_expiry_by_the_sweeper_and_at_accept_time(app, client, shop, sign_in):
    lapsed = make_quote(shop)
    unanswered = make_request(shop, shop.second_buyer)
    fresh = make_quote(shop, make_request(shop))
    yesterday = svc.bangkok_today() - timedelta(days=1)
    db.session.execute(QuoteRequest.__table__.update().where(QuoteRequest.id == lapsed.id)
                       .values(valid_until=yesterday))
    db.session.execute(QuoteRequest.__table__.update().where(QuoteRequest.id == unanswered.id)
                       .values(delivery_date=yesterday))
    db.session.commit()

    # Before the sweeper runs, the page shows it expired and accepting is refused.
    sign_in(shop.buyer)
    assert "Expired" in client.get(f"/account/quotes/{lapsed.id}").get_data(as_text=True)
    response = client.post(f"/account/quotes/{lapsed.id}/accept", data={**ADDRESS, "payment_method": "promptpay_qr"})
    assert response.status_code == 409
    assert "no longer valid" in response.get_data(as_text=True)
    assert count(Order) == 0 and stock_of(shop.bag.id) == 200

    result = app.test_cli_runner().invoke(args=["orders", "sweep"])
    assert result.exit_code == 0, result.output
    assert "expired 2 requests for quote" in result.output
    assert (reload(lapsed).status, reload(unanswered).status, reload(fresh).status) == (EXPIRED, EXPIRED, QUOTED)
    assert any(m.kind == "quote_expired" for m in mails_to("hotel@example.test"))
    assert app.test_cli_runner().invoke(args=["orders", "sweep"]).output.count("expired 0 requests") == 1


def test_only_verified_retail_buyers_may_ask(client, shop, sign_in):
    assert client.get(f"/quotes/new?variant={shop.bag.id}").status_code in (302, 303)
    for user in (shop.shopper, shop.pending):
        other = sign_in(user, client=english_client(client.application))
        page = other.get(f"/products/{shop.bag.product.slug}").get_data(as_text=True)
        assert "/quotes/new" not in page
        response = other.get(f"/quotes/new?variant={shop.bag.id}")
        assert response.status_code == 403
        assert "verified retail buyers" in response.get_data(as_text=True)
        assert ask(other, shop).status_code == 403
    assert count(QuoteRequest) == 0


@pytest.mark.parametrize(("overrides", "field", "text"), [
    ({"quantity": "0"}, "quantity", "at least 1"),
    ({"quantity": "-5"}, "quantity", "at least 1"),
    ({"quantity": "99999999999999"}, "quantity", "too large"),
    ({"quantity": "100000"}, "quantity", "At most"),
    ({"quantity": "abc"}, "quantity", "whole number"),
    ({"target_unit_price": "0"}, "target_unit_price", "more than zero"),
    ({"target_unit_price": "-1"}, "target_unit_price", "more than zero"),
    ({"target_unit_price": "2000000"}, "target_unit_price", "at most"),
    ({"target_unit_price": "1.234"}, "target_unit_price", "amount in baht"),
    ({"delivery_date": ""}, "delivery_date", "required"),
    ({"delivery_date": "tomorrow"}, "delivery_date", "Enter a date"),
    ({"delivery_date": InDays(0)}, "delivery_date", "from tomorrow"),
    ({"delivery_date": InDays(-3)}, "delivery_date", "from tomorrow"),
    ({"delivery_date": InDays(400)}, "delivery_date", "within"),
    ({"message": "   "}, "message", "Tell the enterprise"),
    ({"message": "x" * 2001}, "message", "at most 2000"),
    ({"message": "bad \u202e text"}, "message", ""),
])
def test_request_form_refuses_bad_input(client, shop, sign_in, overrides, field, text):
    sign_in(shop.buyer)
    response = ask(client, shop, **overrides)
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    assert count(QuoteRequest) == 0


@pytest.mark.parametrize("variant", ["0", "-1", "abc", "99999999999", "424242"])
def test_request_for_an_unknown_variant(client, shop, sign_in, variant):
    sign_in(shop.buyer)
    response = client.get(f"/quotes/new?variant={variant}")
    assert response.status_code in (404, 422)


@pytest.mark.parametrize(("overrides", "text"), [
    ({"unit_price": "0"}, "more than zero"),
    ({"unit_price": "-10"}, "more than zero"),
    ({"unit_price": "abc"}, "amount in baht"),
    ({"unit_price": "99999999999999"}, "too large"),
    ({"quantity": "0"}, "at least 1"),
    ({"quantity": "-6"}, "at least 1"),
    ({"quantity": "125"}, "multiple of 6, e.g. 126"),
    ({"quantity": "1000000"}, "At most"),
    ({"quantity": "1.5"}, "whole number"),
    ({"shipping": "-1"}, "cannot be negative"),
    ({"shipping": "200000"}, "at most"),
    ({"valid_until": InDays(-1)}, "at least until today"),
    ({"valid_until": InDays(91)}, "at most 90 days"),
    ({"valid_until": "31/12/2026"}, "Enter a date"),
    ({"lead_time_days": "-1"}, "from 0 to 365"),
    ({"lead_time_days": "1000"}, "from 0 to 365"),
    ({"unit_price": "999999", "quantity": "9996"}, "too large for one order"),
])
def test_quote_form_refuses_bad_input(client, shop, sign_in, overrides, text):
    req = make_request(shop)
    sign_in(shop.owner)
    response = client.post(seller_url(shop, req, "/quote"), data=quote_form(**overrides))
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    assert reload(req).status == REQUESTED and reload(req).quoted_unit_satang is None


def test_someone_elses_request_is_not_found(client, shop, sign_in):
    req = make_quote(shop)
    # Another enterprise's member, under their own enterprise or under ours.
    sign_in(shop.other_owner)
    assert client.get(f"/seller/{shop.other.id}/quotes/{req.id}").status_code == 404
    assert client.post(f"/seller/{shop.other.id}/quotes/{req.id}/quote", data=quote_form()).status_code == 404
    assert client.post(f"/seller/{shop.other.id}/quotes/{req.id}/decline", data={"reason": "x"}).status_code == 404
    assert client.get(seller_url(shop, req)).status_code == 404
    assert client.get(f"/seller/{shop.enterprise.id}/quotes").status_code == 404
    # Another buyer.
    other = sign_in(shop.second_buyer, client=english_client(client.application))
    assert other.get(f"/account/quotes/{req.id}").status_code == 404
    assert other.post(f"/account/quotes/{req.id}/accept", data={**ADDRESS}).status_code == 404
    assert other.post(f"/account/quotes/{req.id}/withdraw", data={}).status_code == 404
    assert other.post(f"/account/quotes/{req.id}/messages", data={"body": "hi"}).status_code == 404
    assert other.get("/account/quotes/99999999999").status_code == 404
    assert reload(req).status == QUOTED and count(QuoteMessage) == 0


@pytest.mark.parametrize(("data", "status", "text"), [
    ({**ADDRESS, "postcode": "123"}, 422, ""),
    ({**ADDRESS, "recipient_name": ""}, 422, ""),
    ({**ADDRESS, "payment_method": "cash_on_delivery"}, 422, "payment method"),
    ({**ADDRESS, "po_number": "P" * 65}, 422, "at most 64"),
])
def test_accept_form_refuses_bad_input(client, shop, sign_in, data, status, text):
    req = make_quote(shop)
    sign_in(shop.buyer)
    response = client.post(f"/account/quotes/{req.id}/accept", data={"payment_method": "promptpay_qr", **data})
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert count(Order) == 0 and reload(req).status == QUOTED and stock_of(shop.bag.id) == 200


def test_accept_refused_when_stock_is_short_or_off_sale_or_unverified(client, shop, sign_in):
    req = make_quote(shop)
    sign_in(shop.buyer)
    form = {**ADDRESS, "payment_method": "promptpay_qr"}
    shop.bag.stock = 50
    db.session.commit()
    response = client.post(f"/account/quotes/{req.id}/accept", data=form)
    assert response.status_code == 409 and "only 50" in response.get_data(as_text=True)
    assert count(Order) == 0 and reload(req).status == QUOTED and stock_of(shop.bag.id) == 50

    shop.bag.stock = 200
    shop.bag.is_active = False
    db.session.commit()
    response = client.post(f"/account/quotes/{req.id}/accept", data=form)
    assert response.status_code == 409 and "no longer on sale" in response.get_data(as_text=True)

    shop.bag.is_active = True
    shop.buyer.retail_buyer.status = RetailBuyer.REJECTED
    db.session.commit()
    response = client.post(f"/account/quotes/{req.id}/accept", data=form)
    assert response.status_code == 403 and "not verified" in response.get_data(as_text=True)
    assert count(Order) == 0 and reload(req).status == QUOTED


def test_message_form_refuses_bad_input(client, shop, sign_in):
    req = make_request(shop)
    sign_in(shop.buyer)
    assert client.post(f"/account/quotes/{req.id}/messages", data={"body": "  "}).status_code == 422
    assert client.post(f"/account/quotes/{req.id}/messages", data={"body": "x" * 2001}).status_code == 422
    assert count(QuoteMessage) == 0


@pytest.mark.slow
def test_two_accepts_at_once_place_one_order(app, shop):
    """Two accepts of one quote racing (two threads, each its own session): exactly
    one order, one stock take; the other is refused."""
    req = make_quote(shop)
    request_id, buyer_id, bag_id = req.id, shop.buyer.id, shop.bag.id
    db.session.remove()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        with app.app_context():
            start.wait()
            try:
                # Read inside the attempt: on SQLite a read opens the write transaction.
                buyer = db.session.get(User, buyer_id)
                row = db.session.get(QuoteRequest, request_id)
                svc.accept(buyer, row, address=ADDRESS, payment_method="promptpay_qr")
                outcomes.append("placed")
            except Exception as exc:  # noqa: BLE001 - the refusal is what we check
                outcomes.append(getattr(exc, "code", repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["placed", "quote_changed"], outcomes
    assert count(Order) == 1
    assert stock_of(bag_id) == 80
    assert db.session.get(QuoteRequest, request_id).status == ACCEPTED


def test_demo_request_for_quote(app):
    buyer = RetailBuyerFactory(status=RetailBuyer.VERIFIED, user__email=demo.DEMO_BUYER).user
    variant = VariantFactory(product=ProductFactory(slug=demo.DEMO_PRODUCT), moq=6, case_pack=6, price_satang=18000)
    for _ in range(2):  # loading again adds nothing
        demo.add_to_demo(now=utcnow(), summary=None)
        db.session.commit()
    req = db.session.scalars(select(QuoteRequest)).one()
    assert (req.buyer_id, req.variant_id, req.status, req.quantity, req.target_unit_satang) == (
        buyer.id, variant.id, REQUESTED, 60, 14400)
