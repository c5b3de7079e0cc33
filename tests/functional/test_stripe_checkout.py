"""Checkout with Stripe (docs/product.md: Payment): the method is offered when
configured, the order goes to a Checkout Session built from its lines (recorded by the
fake Stripe), a Stripe failure leaves the order unpaid with a retry button,
``POST /pay`` resumes (reusing an open session), and the return page waits for the
webhook."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from shop.dbtypes import utcnow
from shop.extensions import db
from shop.orders import status as st
from shop.orders.access import order_token
from shop.orders.models import Order
from shop.orders.services import apply_paid
from shop.payments.models import PAYMENT_EXPIRED, PAYMENT_PENDING, Payment
from tests.cart_helpers import add, checkout_form, english_client, make_catalogue


@pytest.fixture
def client(app):
    return english_client(app)


@pytest.fixture
def catalogue(app):
    return make_catalogue()


def only_order() -> Order:
    orders = list(db.session.scalars(select(Order).execution_options(populate_existing=True)))
    assert len(orders) == 1
    return orders[0]


def payments() -> list[Payment]:
    return list(db.session.scalars(select(Payment).order_by(Payment.id).execution_options(populate_existing=True)))


def place_stripe_order(client, catalogue):
    add(client, catalogue.coffee, 2)
    add(client, catalogue.rice, 1)
    return client.post("/checkout", data=checkout_form(payment_method=st.PAYMENT_STRIPE))


# ---------------------------------------------------------------- offering the method


def test_checkout_offers_stripe_first_when_configured(app, client, catalogue, fake_stripe):
    add(client, catalogue.coffee, 1)
    html = client.get("/checkout").get_data(as_text=True)
    assert "Card or PromptPay (Stripe)" in html and "PromptPay QR or bank transfer" in html
    assert html.index('value="stripe"') < html.index('value="promptpay_qr"')
    stripe_input = next(tag for tag in html.split("<input") if 'value="stripe"' in tag.split(">")[0])
    assert "checked" in stripe_input.split(">")[0]  # the default


def test_without_keys_stripe_is_neither_offered_nor_accepted(app, client, catalogue):
    app.config.update(STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)
    add(client, catalogue.coffee, 1)
    html = client.get("/checkout").get_data(as_text=True)
    assert "Card or PromptPay (Stripe)" not in html
    response = client.post("/checkout", data=checkout_form(payment_method=st.PAYMENT_STRIPE))
    assert response.status_code == 422
    assert "Choose a payment method from the list." in response.get_data(as_text=True)
    assert db.session.scalar(select(Order.id)) is None


# ---------------------------------------------------------------- placing a Stripe order


def test_a_stripe_order_goes_to_checkout(app, client, catalogue, fake_stripe):
    before = utcnow()
    response = place_stripe_order(client, catalogue)
    assert response.status_code == 303
    order = only_order()
    assert order.payment_method == st.PAYMENT_STRIPE and order.status == st.ORDER_PENDING_PAYMENT
    [payment] = payments()
    assert response.headers["Location"] == payment.redirect_url
    assert payment.redirect_url.startswith("https://checkout.stripe.test/c/pay/cs_")
    assert (payment.status, payment.amount_satang, payment.currency) == (PAYMENT_PENDING, order.total_satang, "thb")

    [req] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    p = req.params
    assert (p["mode"], p["currency"], p["payment_method_types"]) == ("payment", "thb", ["card", "promptpay"])
    assert p["client_reference_id"] == order.public_id
    assert p["metadata"] == {"order_id": order.public_id}
    assert p["customer_email"] == "guest@example.test"
    assert p["locale"] == "en"
    names = [i["price_data"]["product_data"]["name"] for i in p["line_items"]]
    amounts = [(int(i["price_data"]["unit_amount"]), int(i["quantity"])) for i in p["line_items"]]
    # ฿120 × 2 coffee, ฿85 × 1 rice, two ฿50 shipping lines: 42,500 satang.
    assert sorted(amounts) == sorted([(12000, 2), (5000, 1), (8500, 1), (5000, 1)])
    assert sum(a * q for a, q in amounts) == order.total_satang == 42500
    assert sum(1 for n in names if n.startswith("Shipping from")) == 2
    # The session lives as long as the order's hold, at least Stripe's 30 minutes.
    expires = int(p["expires_at"])
    assert expires == int(order.expires_at.timestamp())
    assert expires >= int((before + timedelta(minutes=30)).timestamp())
    # Back to the return page with the guest's signed link.
    success = urlsplit(p["success_url"])
    assert success.path == f"/orders/{order.public_id}/payment-return"
    assert parse_qs(success.query)["t"] == [order_token(order)]
    assert parse_qs(urlsplit(p["cancel_url"]).query)["cancelled"] == ["1"]
    # Deterministic per order attempt.
    assert req.idempotency_key == f"checkout-{order.public_id}-1-{expires}"


def test_stripe_down_at_checkout_keeps_the_order_and_offers_a_retry(app, client, catalogue, fake_stripe):
    fake_stripe.timeout_once("/v1/checkout/sessions", processed=True)
    response = place_stripe_order(client, catalogue)
    order = only_order()
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == f"/orders/{order.public_id}"
    assert order.status == st.ORDER_PENDING_PAYMENT and payments() == []

    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "the payment page could not be opened just now" in page

    # The retry sends the same request with the same key: Stripe's first session back.
    retry = client.post(f"/orders/{order.public_id}/pay", data={"t": order_token(order)})
    assert retry.status_code == 303
    first, second = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert first.idempotency_key == second.idempotency_key and first.body == second.body
    assert len(fake_stripe.sessions) == 1
    [payment] = payments()
    assert retry.headers["Location"] == payment.redirect_url


def test_stripe_refusing_shows_a_clear_message(app, client, catalogue, fake_stripe):
    fake_stripe.fail_once("/v1/checkout/sessions", status=400, error_type="invalid_request_error")
    response = place_stripe_order(client, catalogue)
    order = only_order()
    assert response.status_code == 303 and order.status == st.ORDER_PENDING_PAYMENT
    fake_stripe.fail_once("/v1/checkout/sessions", status=500)
    retry = client.post(f"/orders/{order.public_id}/pay", data={"t": order_token(order)})
    assert retry.status_code == 303
    page = client.get(retry.headers["Location"]).get_data(as_text=True)
    assert "We could not open the payment page just now." in page
    assert payments() == []


# ---------------------------------------------------------------- resuming


def test_pay_reuses_an_open_session(app, client, catalogue, fake_stripe):
    place_stripe_order(client, catalogue)
    order = only_order()
    [payment] = payments()
    response = client.post(f"/orders/{order.public_id}/pay", data={"t": order_token(order)})
    assert response.status_code == 303 and response.headers["Location"] == payment.redirect_url
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1
    assert fake_stripe.last().method == "GET"
    assert len(payments()) == 1


def test_pay_after_the_session_expired_starts_a_new_one(app, client, catalogue, fake_stripe):
    place_stripe_order(client, catalogue)
    order = only_order()
    [old] = payments()
    fake_stripe.set_session(old.provider_ref, status="expired", url=None)
    response = client.post(f"/orders/{order.public_id}/pay", data={"t": order_token(order)})
    assert response.status_code == 303
    old_row, new_row = payments()
    assert old_row.status == PAYMENT_EXPIRED and new_row.status == PAYMENT_PENDING
    assert response.headers["Location"] == new_row.redirect_url
    first, second = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert first.idempotency_key != second.idempotency_key
    assert second.idempotency_key.startswith(f"checkout-{order.public_id}-2-")


def test_pay_on_a_session_complete_but_unconfirmed_goes_to_the_return_page(app, client, catalogue, fake_stripe):
    place_stripe_order(client, catalogue)
    order = only_order()
    [payment] = payments()
    fake_stripe.set_session(payment.provider_ref, status="complete", payment_status="unpaid")
    response = client.post(f"/orders/{order.public_id}/pay", data={"t": order_token(order)})
    assert urlsplit(response.headers["Location"]).path == f"/orders/{order.public_id}/payment-return"
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1


def test_pay_on_a_paid_order_does_nothing(app, client, catalogue, fake_stripe):
    place_stripe_order(client, catalogue)
    order = only_order()
    apply_paid(order, actor=None, role=st.ROLE_SYSTEM)
    db.session.commit()
    calls = len(fake_stripe.requests)
    response = client.post(f"/orders/{order.public_id}/pay", data={"t": order_token(order)})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == f"/orders/{order.public_id}"
    assert len(fake_stripe.requests) == calls


def test_pay_needs_access_to_the_order(app, client, catalogue, fake_stripe):
    place_stripe_order(client, catalogue)
    order = only_order()
    stranger = english_client(app)
    assert stranger.post(f"/orders/{order.public_id}/pay", data={"t": "forged"}).status_code == 404
    assert stranger.post("/orders/CMNOPE/pay").status_code == 404


def test_the_order_page_shows_the_pay_panel_of_the_providers_capability(app, client, catalogue, fake_stripe,
                                                                         monkeypatch):
    """The pay panel follows ``hosted_checkout``, not the name "stripe"."""
    from shop.payments.providers import ProviderCapabilities
    from shop.payments.providers.promptpay_qr import PromptPayQRProvider
    from tests.order_helpers import make_order

    order = make_order([(catalogue.coffee, 1)], email="buyer@example.test")
    assert order.payment_method == st.PAYMENT_PROMPTPAY_QR
    page = f"/orders/{order.public_id}?t={order_token(order)}"
    html = client.get(page).get_data(as_text=True)
    assert 'class="promptpay-qr"' in html and "pay-panel--stripe" not in html

    monkeypatch.setattr(PromptPayQRProvider, "capabilities", ProviderCapabilities(hosted_checkout=True))
    html = client.get(page).get_data(as_text=True)
    assert "pay-panel--stripe" in html and 'class="promptpay-qr"' not in html


# ---------------------------------------------------------------- the return page


def test_return_page_waits_for_the_webhook_then_goes_to_the_order(app, client, catalogue, fake_stripe):
    place_stripe_order(client, catalogue)
    order = only_order()
    url = f"/orders/{order.public_id}/payment-return?t={order_token(order)}&session_id=cs_x"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Confirming your payment" in html
    assert '<meta http-equiv="refresh" content="3;url=' in html
    assert "n=1" in html and "<script>" not in html

    slow = client.get(url + "&n=25").get_data(as_text=True)
    assert "taking longer than usual" in slow and 'content="15;url=' in slow

    apply_paid(order, actor=None, role=st.ROLE_SYSTEM)  # what the webhook does
    db.session.commit()
    done = client.get(url)
    assert done.status_code == 303
    assert urlsplit(done.headers["Location"]).path == f"/orders/{order.public_id}"
    assert "Your payment is confirmed" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_return_page_after_cancel_offers_to_pay_again(app, client, catalogue, fake_stripe):
    place_stripe_order(client, catalogue)
    order = only_order()
    html = client.get(f"/orders/{order.public_id}/payment-return?t={order_token(order)}&cancelled=1").get_data(
        as_text=True)
    assert "You left the payment page" in html
    assert f'action="/orders/{order.public_id}/pay"' in html
    assert "http-equiv" not in html


def test_return_page_with_bad_input(app, client, catalogue, fake_stripe):
    place_stripe_order(client, catalogue)
    order = only_order()
    ok = client.get(f"/orders/{order.public_id}/payment-return?t={order_token(order)}&n=lots")
    assert ok.status_code == 200
    stranger = english_client(app)
    assert stranger.get(f"/orders/{order.public_id}/payment-return?t=forged").status_code == 404
    assert stranger.get(f"/orders/{order.public_id}/payment-return").status_code == 404


def test_return_page_in_thai(app, catalogue, fake_stripe):
    thai = app.test_client()
    add(thai, catalogue.coffee, 1)
    response = thai.post("/checkout", data=checkout_form(payment_method=st.PAYMENT_STRIPE))
    assert response.status_code == 303
    order = only_order()
    assert fake_stripe.last("POST", "/v1/checkout/sessions").params["locale"] == "th"
    html = thai.get(f"/orders/{order.public_id}/payment-return?t={order_token(order)}").get_data(as_text=True)
    assert "Confirming your payment" not in html  # translated


def test_pages_that_post_to_stripe_let_the_redirect_through_the_csp(app, client, catalogue, fake_stripe):
    add(client, catalogue.coffee, 1)
    csp = client.get("/checkout").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.test" in csp
    client.post("/checkout", data=checkout_form(payment_method=st.PAYMENT_STRIPE))
    order = only_order()
    page = client.get(f"/orders/{order.public_id}/payment-return?t={order_token(order)}&cancelled=1")
    assert "form-action 'self' https://checkout.stripe.test" in page.headers["Content-Security-Policy"]


def test_without_stripe_the_csp_is_unchanged(app, client, catalogue):
    add(client, catalogue.coffee, 1)
    assert "form-action 'self';" in client.get("/checkout").headers["Content-Security-Policy"]
