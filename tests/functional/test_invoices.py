"""Pay on invoice (docs/payments.md: Invoice): terms set by staff, the checkout's
offer and refusals, the invoice order fulfilled while unpaid, the PDF, payments by
slip and by recorded transfer, the ledger and the reminders."""

from __future__ import annotations

import io
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from shop.accounts.models import RetailBuyer, User
from shop.cart import checkout
from shop.cart.services import LinesCart, StoredLine, unit_price
from shop.errors import Conflict, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.invoicing import pdf
from shop.invoicing import services as invoicing
from shop.invoicing.models import BuyerCreditTerms, Invoice, InvoicePayment, InvoiceReminder
from shop.ledger import services as ledger
from shop.ledger.models import LedgerEntry
from shop.notifications.models import OutboxMessage
from shop.orders import receipts
from shop.orders import services as order_services
from shop.orders import status as st
from shop.orders.models import Order
from tests.api_helpers import bearer
from tests.factories import MemberFactory, RetailBuyerFactory, UserFactory, VariantFactory
from tests.order_helpers import ADDRESS, make_order, slip_image

pytestmark = pytest.mark.usefixtures("app")


def _staff():
    return UserFactory(is_staff=True, display_name="Credit desk")


def _buyer(*, net_days: int = 30, limit_baht: int = 10_000, status: str = RetailBuyer.VERIFIED):
    business = RetailBuyerFactory(status=status)
    if net_days:
        invoicing.set_terms(_staff(), business.id, net_days=net_days, credit_limit=str(limit_baht))
    return business.user


def _invoice_order(buyer, lines=None, **kwargs) -> Order:
    return make_order(lines or [(VariantFactory(price_satang=100_000), 1)], user=buyer,
                      payment_method=st.PAYMENT_INVOICE, **kwargs)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _ledger_ok(app) -> None:
    assert ledger.reconcile() == []
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- terms


def test_staff_set_terms_and_who_when_is_kept(client, sign_in):
    staff = _staff()
    business = RetailBuyerFactory()
    sign_in(staff)
    response = client.post(f"/admin/retail-buyers/{business.id}/terms",
                           data={"net_days": "15", "credit_limit": "25000", "back_status": "verified"})
    assert response.status_code == 303
    terms = db.session.scalar(select(BuyerCreditTerms).where(BuyerCreditTerms.user_id == business.user_id))
    assert (terms.net_days, terms.credit_limit_satang, terms.set_by_id) == (15, 2_500_000, staff.id)
    assert terms.set_at is not None
    page = client.get("/admin/retail-buyers?status=verified").get_data(as_text=True)
    assert 'name="net_days"' in page and "25000" in page


@pytest.mark.parametrize("form, field", [
    ({"net_days": "45", "credit_limit": "1000"}, "net_days"),
    ({"net_days": "abc", "credit_limit": "1000"}, "net_days"),
    ({"net_days": "30", "credit_limit": "-5"}, "credit_limit"),
    ({"net_days": "30", "credit_limit": "0"}, "credit_limit"),
    ({"net_days": "30", "credit_limit": "99999999999"}, "credit_limit"),
    ({"net_days": "30", "credit_limit": "lots"}, "credit_limit"),
])
def test_bad_terms_are_refused_with_a_message(form, field):
    business = RetailBuyerFactory()
    with pytest.raises(ValidationFailed) as refused:
        invoicing.set_terms(_staff(), business.id, **form)
    assert field in refused.value.fields
    assert _count(BuyerCreditTerms) == 0


def test_only_staff_set_terms_and_only_for_verified_buyers(client, sign_in):
    pending = RetailBuyerFactory(status=RetailBuyer.PENDING)
    with pytest.raises(Conflict):
        invoicing.set_terms(_staff(), pending.id, net_days=30, credit_limit="1000")
    with pytest.raises(PermissionDenied):
        invoicing.set_terms(UserFactory(), pending.id, net_days=30, credit_limit="1000")
    sign_in(pending.user)
    response = client.post(f"/admin/retail-buyers/{pending.id}/terms", data={"net_days": "30", "credit_limit": "1"})
    assert response.status_code == 403
    assert _count(BuyerCreditTerms) == 0


# ---------------------------------------------------------------- the checkout


def test_invoice_is_offered_only_to_verified_buyers_with_terms():
    with_terms = _buyer()
    assert st.PAYMENT_INVOICE in checkout.offered_methods(with_terms)
    assert st.PAYMENT_INVOICE not in checkout.offered_methods(_buyer(net_days=0))
    assert st.PAYMENT_INVOICE not in checkout.offered_methods(UserFactory())
    assert st.PAYMENT_INVOICE not in checkout.offered_methods(None)
    # Verification withdrawn: the terms stay recorded but no longer count.
    business = with_terms.retail_buyer
    business.status = RetailBuyer.REJECTED
    db.session.commit()
    assert st.PAYMENT_INVOICE not in checkout.offered_methods(with_terms)
    with pytest.raises(ValidationFailed) as refused:
        _invoice_order(with_terms)
    assert "payment_method" in refused.value.fields


def test_checkout_page_shows_the_option_with_the_credit_left(client, sign_in):
    buyer = _buyer(limit_baht=5000)
    _invoice_order(buyer, [(VariantFactory(price_satang=100_000), 1)])
    variant = VariantFactory(price_satang=20_000)
    sign_in(buyer)
    client.post("/cart/add", data={"variant_id": variant.id, "quantity": 1})
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="invoice"' in page
    # 5,000 limit, 1,000 + 50 shipping owed.
    assert "3,950" in page and "5,000" in page
    assert 'name="po_number"' in page
    assert "ชำระภายในวันครบกำหนดของใบแจ้งหนี้" in page  # no payment window for an invoice order


def test_an_order_over_the_credit_limit_is_refused_with_what_is_left():
    buyer = _buyer(limit_baht=1500)
    _invoice_order(buyer, [(VariantFactory(price_satang=100_000), 1)])  # 1,050 with shipping
    orders_before = _count(Order)
    variant = VariantFactory(price_satang=50_000, stock=20)
    with pytest.raises(ValidationFailed) as refused:
        _invoice_order(buyer, [(variant, 1)])
    message = str(refused.value.fields["payment_method"])
    assert "450" in message and "1,500" in message
    assert _count(Order) == orders_before and _count(Invoice) == 1
    assert db.session.get(type(variant), variant.id).stock == 20


def test_no_invoice_order_while_an_invoice_is_overdue(app):
    buyer = _buyer(net_days=7)
    first = _invoice_order(buyer)
    invoice = invoicing.invoice_of_order(first)
    invoice.due_on = invoicing.bangkok_date() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        _invoice_order(buyer)
    message = str(refused.value.fields["payment_method"])
    assert invoice.number in message
    assert _count(Invoice) == 1
    # Another method is still fine.
    make_order([(VariantFactory(), 1)], user=buyer)


def test_the_api_takes_invoice_orders_under_the_same_rules(client):
    buyer = _buyer(limit_baht=1000)
    variant = VariantFactory(price_satang=50_000)
    headers = bearer(buyer, lang="en")
    body = {"lines": [{"variant_id": variant.id, "quantity": 1}], "address": dict(ADDRESS),
            "payment_method": "invoice"}
    response = client.post("/api/v1/orders", headers=headers, json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert data["status"] == "invoiced" and data["payment"] is None
    invoice = invoicing.invoice_of_order(db.session.scalar(select(Order)))
    assert data["invoice"]["number"] == invoice.number
    assert data["invoice"]["due_on"] == invoice.due_on.isoformat()
    assert data["invoice"]["amount_due"]["satang"] == 55_000
    assert f"/orders/{data['id']}/invoice.pdf" in data["invoice"]["pdf_url"]
    # 450 baht of credit left: a second order of 550 is refused with the reason.
    response = client.post("/api/v1/orders", headers=headers, json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "฿450 of ฿1,000" in error["fields"]["payment_method"]
    assert _count(Order) == 1
    # A buyer without terms cannot choose it.
    response = client.post("/api/v1/orders", headers=bearer(UserFactory(), lang="en"), json=body)
    assert response.status_code == 422 and "payment_method" in response.get_json()["error"]["fields"]


def test_two_orders_at_once_cannot_both_use_the_last_of_the_credit(app):
    buyer = _buyer(limit_baht=1000)
    variant = VariantFactory(price_satang=55_000, stock=10)  # 600 baht with shipping
    buyer_id, variant_id = buyer.id, variant.id
    price = unit_price(variant, 1, buyer)
    db.session.remove()
    start = threading.Barrier(2)
    results: list[str] = []

    def place() -> None:
        with app.app_context():
            try:
                start.wait(30)
                me = db.session.get(User, buyer_id)
                checkout.place_order(LinesCart([StoredLine(variant_id, 1, price)]), buyer=me, address=ADDRESS,
                                     payment_method=st.PAYMENT_INVOICE)
                results.append("placed")
            except ValidationFailed as exc:
                results.append("refused" if "payment_method" in exc.fields else f"other: {exc.message}")
            except Exception as exc:  # noqa: BLE001 - the assertion below shows it
                results.append(f"{type(exc).__name__}: {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=place) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == ["placed", "refused"], results
    assert _count(Order) == 1 and invoicing.outstanding_satang(buyer_id) == 60_000


# ---------------------------------------------------------------- the order


def test_an_invoice_order_is_confirmed_and_fulfilled_while_unpaid(app):
    buyer = _buyer()
    order = _invoice_order(buyer, fulfilment_status=st.FULFILMENT_NEW)
    assert order.status == st.ORDER_INVOICED
    assert order.expires_at is None and order.paid_at is None
    assert order.buyer_company == buyer.retail_buyer.company_name
    invoice = invoicing.invoice_of_order(order)
    assert invoice.number.startswith("BL") and invoice.due_on == invoice.issued_on + timedelta(days=30)
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage))]
    assert "invoice_issued" in kinds and "order_placed" not in kinds
    # The sweeper never releases it.
    assert order_services.release_lapsed_orders(datetime.now(UTC) + timedelta(days=90)) == 0
    fulfilment = order.fulfilments[0]
    member = UserFactory(is_staff=True)
    order_services.accept_fulfilment(fulfilment, actor=member, role=st.ROLE_STAFF)
    order_services.pack_fulfilment(fulfilment, actor=member, role=st.ROLE_STAFF)
    order_services.ship_fulfilment(fulfilment, actor=member, role=st.ROLE_STAFF, carrier="kerry",
                                   tracking_number="KEX123456789")
    assert fulfilment.status == st.FULFILMENT_SHIPPED
    assert db.session.get(Order, order.id).status == st.ORDER_INVOICED
    assert _count(LedgerEntry) == 0
    _ledger_ok(app)


def test_staff_cancel_an_invoice_order_without_payments_and_the_stock_returns():
    buyer = _buyer()
    variant = VariantFactory(stock=5, price_satang=10_000)
    order = _invoice_order(buyer, [(variant, 2)])
    assert db.session.get(type(variant), variant.id).stock == 3
    order_services.cancel_order(order, actor=_staff(), role=st.ROLE_STAFF, reason="duplicate")
    assert order.status == st.ORDER_CANCELLED
    assert db.session.get(type(variant), variant.id).stock == 5
    assert invoicing.outstanding_satang(buyer.id) == 0


def test_staff_cancel_from_the_order_page_only_while_nothing_was_received(client, sign_in):
    buyer = _buyer()
    order = _invoice_order(buyer, [(VariantFactory(price_satang=10_000), 1)])  # 150.00
    sign_in(buyer)
    assert "/cancel" not in client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    staff = _staff()
    invoicing.record_transfer(staff, invoicing.invoice_of_order(order).id, amount="50", paid_on=date.today(),
                              reference="R-50")
    sign_in(staff)
    response = client.post(f"/orders/{order.public_id}/cancel", data={"reason": "wrong order"})
    assert response.status_code == 409
    assert "Payments have been received" in response.get_data(as_text=True) or \
        "มีการรับชำระเงินแล้ว" in response.get_data(as_text=True)
    assert db.session.get(Order, order.id).status == st.ORDER_INVOICED
    other = _invoice_order(buyer, [(VariantFactory(price_satang=10_000), 1)])
    assert f"/orders/{other.public_id}/cancel" in client.get(f"/orders/{other.public_id}").get_data(as_text=True)
    assert client.post(f"/orders/{other.public_id}/cancel", data={"reason": "wrong order"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, other.id).status == st.ORDER_CANCELLED


def test_a_part_cannot_be_cancelled_down_to_what_was_received():
    buyer = _buyer()
    first, second = VariantFactory(price_satang=10_000), VariantFactory(price_satang=20_000)
    order = _invoice_order(buyer, [(first, 1), (second, 1)])  # 150 + 250 = 400.00
    invoicing.record_transfer(_staff(), invoicing.invoice_of_order(order).id, amount="250", paid_on=date.today(),
                              reference="R-250")
    small = next(f for f in order.fulfilments if f.enterprise_id == first.enterprise_id)
    large = next(f for f in order.fulfilments if f.enterprise_id == second.enterprise_id)
    with pytest.raises(Conflict):
        order_services.cancel_fulfilment(small, actor=_staff(), role=st.ROLE_STAFF, reason="sold out")
    assert db.session.get(Order, order.id).total_satang == 40_000
    with pytest.raises(Conflict):
        order_services.cancel_fulfilment(large, actor=_staff(), role=st.ROLE_STAFF, reason="sold out")
    # With nothing received, a part comes off the invoice's total.
    other = _invoice_order(buyer, [(first, 1), (second, 1)])
    part = next(f for f in other.fulfilments if f.enterprise_id == first.enterprise_id)
    order_services.cancel_fulfilment(part, actor=_staff(), role=st.ROLE_STAFF, reason="sold out")
    assert db.session.get(Order, other.id).total_satang == 25_000
    assert invoicing.invoice_of_order(other).due_satang == 25_000


# ---------------------------------------------------------------- the PDF


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(receipts.join_sara_am("\n".join(page.extract_text() for page in reader.pages)).split())


def test_the_invoice_pdf_has_dates_po_number_and_how_to_pay(client, sign_in, app):
    buyer = _buyer(net_days=15)
    variant = VariantFactory(price_satang=123_400)
    order = checkout.place_order(LinesCart([StoredLine(variant.id, 1, unit_price(variant, 1, buyer))]),
                                 buyer=buyer, address=ADDRESS, payment_method=st.PAYMENT_INVOICE,
                                 po_number="PO-7788")
    invoice = invoicing.invoice_of_order(order)
    sign_in(buyer)
    response = client.get(f"/orders/{order.public_id}/invoice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert invoice.number in text and "PO-7788" in text and order.public_id in text
    assert receipts.format_document_date(invoice.due_on, ("th",)) in text
    assert str(invoice.due_on.year + 543) in text
    assert app.config["PLATFORM_BANK_ACCOUNT_NUMBER"] in text and app.config["PLATFORM_BANK_NAME"] in text
    assert "1,284.00" in text  # 1,234 + 50 shipping, the amount due
    assert "ใบแจ้งหนี้" in text
    assert buyer.retail_buyer.tax_id in text
    page = client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert f"/orders/{order.public_id}/invoice.pdf" in page


def test_the_invoice_pdf_in_english(app):
    order = _invoice_order(_buyer(net_days=7), [(VariantFactory(price_satang=10_000), 2)])
    invoice = invoicing.invoice_of_order(order)
    with app.test_request_context():
        text = _pdf_text(pdf.invoice_pdf(invoice, locale="en").data)
    assert "Invoice" in text and "Due date" in text and "Net 7 days" in text
    assert receipts.format_document_date(invoice.due_on, ("en",)) in text
    assert "250.00" in text and "How to pay" in text


def test_someone_elses_invoice_is_not_found(client, sign_in):
    order = _invoice_order(_buyer())
    sign_in(_buyer())
    assert client.get(f"/orders/{order.public_id}/invoice.pdf").status_code == 404
    assert client.get(f"/orders/{order.public_id}/invoice").status_code == 404
    assert client.post(f"/orders/{order.public_id}/invoice/slip", data={"amount": "10"}).status_code == 404
    # An order paid another way has no invoice.
    other = make_order([(VariantFactory(), 1)], user=UserFactory())
    sign_in(other.user)
    assert client.get(f"/orders/{other.public_id}/invoice.pdf").status_code == 404


def test_staff_download_any_invoice(client, sign_in):
    order = _invoice_order(_buyer())
    invoice = invoicing.invoice_of_order(order)
    sign_in(_staff())
    assert client.get(f"/admin/invoices/{invoice.id}/invoice.pdf").status_code == 200
    assert client.get(f"/orders/{order.public_id}/invoice.pdf").status_code == 200


# ---------------------------------------------------------------- payments and the ledger


def test_partial_and_full_payments_by_slip_and_transfer_with_the_ledger(client, sign_in, app):
    buyer = _buyer()
    variant = VariantFactory(price_satang=100_000)
    enterprise_id = variant.enterprise_id
    order = _invoice_order(buyer, [(variant, 1)])  # 1,050.00
    invoice = invoicing.invoice_of_order(order)
    _ledger_ok(app)
    assert ledger.balance(enterprise_id) == 0
    assert invoicing.invoiced_pending_for_enterprise(enterprise_id) == 105_000

    # The buyer sends a slip for 300 baht; staff confirm it.
    sign_in(buyer)
    response = client.post(f"/orders/{order.public_id}/invoice/slip",
                           data={"amount": "300", "slip": (io.BytesIO(slip_image()), "slip.png")})
    assert response.status_code == 303
    slip = db.session.scalar(select(InvoicePayment))
    assert slip.status == "submitted" and slip.amount_satang == 30_000
    staff = _staff()
    sign_in(staff)
    queue = client.get("/admin/receivables").get_data(as_text=True)
    assert f"/admin/invoices/{invoice.id}" in queue and "฿300" in queue
    assert client.post(f"/admin/invoices/{invoice.id}/payments/{slip.id}/confirm").status_code == 303
    db.session.expire_all()
    assert invoicing.get_invoice(invoice.id).paid_satang == 30_000
    assert db.session.get(Order, order.id).status == st.ORDER_INVOICED
    _ledger_ok(app)
    assert ledger.balance(enterprise_id) == 0

    # Overpayment, zero, negative, huge and nonsense are refused, nothing written.
    for amount in ("750.01", "0", "-5", "99999999999", "abc"):
        response = client.post(f"/admin/invoices/{invoice.id}/transfers",
                               data={"amount": amount, "paid_on": date.today().isoformat(), "reference": "X1"})
        assert response.status_code == 422, amount
    assert "750.00" in response.get_data(as_text=True) or "750" in response.get_data(as_text=True)
    assert _count(InvoicePayment) == 1

    # Staff record the rest as a bank transfer: the order is paid.
    response = client.post(f"/admin/invoices/{invoice.id}/transfers",
                           data={"amount": "750", "paid_on": date.today().isoformat(), "reference": "KTB-998877"})
    assert response.status_code == 303
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_PAID and order.paid_at is not None
    assert invoicing.get_invoice(invoice.id).paid_satang == 105_000
    share = 105_000 - ledger.fee_for(order.fulfilments[0].enterprise, 105_000)
    assert ledger.balance(enterprise_id) == share
    assert invoicing.invoiced_pending_for_enterprise(enterprise_id) == 0
    assert order.fulfilments[0].document_no
    _ledger_ok(app)
    # Paid: nothing more can be recorded.
    with pytest.raises(Conflict):
        invoicing.record_transfer(staff, invoice.id, amount="1", paid_on=date.today(), reference="again")


def test_money_pages_show_invoiced_sales_as_pending_and_the_receivables(client, sign_in):
    member = MemberFactory()
    variant = VariantFactory(product__enterprise=member.enterprise, price_satang=100_000)
    order = _invoice_order(_buyer(), [(variant, 2)])  # 2,050.00
    sign_in(member.user)
    page = client.get(f"/seller/{member.enterprise_id}/money").get_data(as_text=True)
    assert "฿2,050" in page
    assert "ผู้ซื้อยังไม่ได้ชำระ" in page and ledger.balance(member.enterprise_id) == 0
    sign_in(_staff())
    page = client.get("/admin/ledger").get_data(as_text=True)
    assert "฿2,050" in page and "/admin/receivables" in page
    invoicing.record_transfer(_staff(), invoicing.invoice_of_order(order).id, amount="2050",
                              paid_on=date.today(), reference="FULL")
    sign_in(member.user)
    page = client.get(f"/seller/{member.enterprise_id}/money").get_data(as_text=True)
    share = 205_000 - ledger.fee_for(member.enterprise, 205_000)
    assert ledger.balance(member.enterprise_id) == share
    assert "฿2,050" in page  # now as the sale, and the pending line is gone
    assert "ผู้ซื้อยังไม่ได้ชำระ" not in page


def test_a_slip_for_more_than_is_due_is_refused(client, sign_in):
    buyer = _buyer()
    order = _invoice_order(buyer, [(VariantFactory(price_satang=10_000), 1)])  # 150.00
    sign_in(buyer)
    response = client.post(f"/orders/{order.public_id}/invoice/slip",
                           data={"amount": "150.01", "slip": (io.BytesIO(slip_image()), "slip.png")})
    assert response.status_code == 422
    assert "150" in response.get_data(as_text=True)
    assert _count(InvoicePayment) == 0


def test_a_rejected_slip_counts_nothing_and_tells_the_buyer(client, sign_in):
    buyer = _buyer()
    order = _invoice_order(buyer)
    payment = invoicing.submit_slip(invoicing.invoice_of_order(order), slip_image(), amount="100", actor=buyer)
    invoicing.reject_slip(_staff(), payment.id, "Blurred")
    assert payment.status == "rejected"
    assert invoicing.invoice_of_order(order).paid_satang == 0
    assert "invoice_slip_rejected" in [m.kind for m in db.session.scalars(select(OutboxMessage))]


def test_two_staff_recording_at_once_do_not_double_count(app, database_url):
    buyer = _buyer()
    order = _invoice_order(buyer, [(VariantFactory(price_satang=100_000), 1)])  # 1,050.00
    invoice_id = invoicing.invoice_of_order(order).id
    staff_ids = [_staff().id, _staff().id]
    db.session.remove()
    start = threading.Barrier(2)
    results: list[str] = []

    def record(staff_id: int) -> None:
        with app.app_context():
            try:
                start.wait(30)
                # Loaded after the barrier: on SQLite the first read takes the write
                # lock (BEGIN IMMEDIATE) that the other clerk then queues on.
                actor = db.session.get(User, staff_id)
                invoicing.record_transfer(actor, invoice_id, amount="800", paid_on=date.today(),
                                          reference=f"REF{staff_id}")
                results.append("ok")
            except (ValidationFailed, Conflict) as exc:
                results.append(type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - the assertion below shows it
                results.append(f"{type(exc).__name__}: {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record, args=(staff_id,)) for staff_id in staff_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == ["ValidationFailed", "ok"]
    assert invoicing.get_invoice(invoice_id).paid_satang == 80_000
    assert _count(InvoicePayment) == 1


# ---------------------------------------------------------------- reminders


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok


def test_reminders_go_out_once_each_on_their_days():
    buyer = _buyer(net_days=30)
    buyer.locale = "en"
    db.session.commit()
    order = _invoice_order(buyer)
    invoice = invoicing.invoice_of_order(order)
    due = invoice.due_on

    def sent() -> list[str]:
        return [r.kind for r in db.session.scalars(select(InvoiceReminder).order_by(InvoiceReminder.id))]

    assert invoicing.send_reminders(_at(due - timedelta(days=4))) == 0
    assert invoicing.send_reminders(_at(due - timedelta(days=3))) == 1
    assert invoicing.send_reminders(_at(due - timedelta(days=2))) == 0
    assert invoicing.send_reminders(_at(due)) == 1
    assert invoicing.send_reminders(_at(due)) == 0
    assert invoicing.send_reminders(_at(due + timedelta(days=6))) == 0
    assert invoicing.send_reminders(_at(due + timedelta(days=7))) == 1
    assert invoicing.send_reminders(_at(due + timedelta(days=30))) == 1
    assert invoicing.send_reminders(_at(due + timedelta(days=45))) == 0
    assert sent() == ["before_3", "due", "after_7", "after_30"]
    subjects = [m.subject for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind.like("invoice_reminder%")).order_by(OutboxMessage.id))]
    assert subjects[0] == f"Invoice {invoice.number} is due in 3 days"
    assert subjects[-1] == f"Invoice {invoice.number} is 30 days overdue"


def test_paid_invoices_get_no_reminders():
    buyer = _buyer(net_days=7)
    order = _invoice_order(buyer, [(VariantFactory(price_satang=10_000), 1)])
    invoice = invoicing.invoice_of_order(order)
    invoicing.record_transfer(_staff(), invoice.id, amount="150", paid_on=date.today(), reference="R1")
    assert invoicing.send_reminders(_at(invoice.due_on)) == 0


def test_the_sweeper_sends_the_reminders(app):
    buyer = _buyer(net_days=7)
    order = _invoice_order(buyer)
    invoice = invoicing.invoice_of_order(order)
    invoice.due_on = invoicing.bangkok_date()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["orders", "sweep"])
    assert result.exit_code == 0, result.output
    assert "queued 1 invoice reminders" in result.output
    assert db.session.scalar(select(InvoiceReminder.kind)) == "due"
