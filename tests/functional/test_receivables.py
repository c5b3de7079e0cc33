"""``/admin/receivables``: open invoices aged current / 1–30 / 31–60 / 60+ days past
due, totals per bucket and per buyer, filters, the CSV; staff only."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from shop.accounts.models import RetailBuyer
from shop.extensions import db
from shop.invoicing import services as invoicing
from shop.orders import status as st
from tests.factories import RetailBuyerFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order

pytestmark = pytest.mark.usefixtures("app")

AS_OF = date(2026, 6, 30)


def _buyer(company: str):
    business = RetailBuyerFactory(company_name=company, status=RetailBuyer.VERIFIED)
    invoicing.set_terms(UserFactory(is_staff=True), business.id, net_days=30, credit_limit="1000000")
    return business.user


def _invoice(buyer, *, price_satang: int):
    """An invoice order of ``price_satang`` + 50 baht shipping."""
    order = make_order([(VariantFactory(price_satang=price_satang), 1)], user=buyer,
                       payment_method=st.PAYMENT_INVOICE)
    return invoicing.invoice_of_order(order)


def _due(invoice, due_on: date) -> None:
    invoice.due_on = due_on
    invoice.issued_on = due_on - timedelta(days=30)


@pytest.fixture
def book():
    hotel, cafe = _buyer("Riverside Hotel"), _buyer("Café Doi")
    # Placed first, then dated back (an overdue invoice stops new invoice orders).
    prices = {"current": (hotel, 100_000, 0), "d1": (hotel, 200_000, 1), "d30": (cafe, 300_000, 30),
              "d31": (cafe, 400_000, 31), "d60": (hotel, 500_000, 60), "d61": (cafe, 600_000, 61),
              "paid": (cafe, 10_000, 90)}
    invoices = {key: _invoice(buyer, price_satang=price) for key, (buyer, price, _days) in prices.items()}
    for key, spec in prices.items():
        _due(invoices[key], AS_OF - timedelta(days=spec[2]))  # day 0: due on the date itself, current
    db.session.commit()
    # A partial payment counts only what is left; a paid invoice is not a receivable.
    staff = UserFactory(is_staff=True)
    invoicing.record_transfer(staff, invoices["d1"].id, amount="500", paid_on=date.today(), reference="P1")
    invoicing.record_transfer(staff, invoices.pop("paid").id, amount="150", paid_on=date.today(), reference="P2")
    return {"hotel": hotel, "cafe": cafe, **invoices}


def test_ageing_buckets_at_a_known_date(book):
    report = invoicing.receivables(AS_OF)
    buckets = {row.invoice.number: (row.bucket, row.days_overdue, row.outstanding_satang) for row in report.rows}
    assert buckets == {
        book["current"].number: ("current", 0, 105_000),
        book["d1"].number: ("1-30", 1, 155_000),
        book["d30"].number: ("1-30", 30, 305_000),
        book["d31"].number: ("31-60", 31, 405_000),
        book["d60"].number: ("31-60", 60, 505_000),
        book["d61"].number: ("60+", 61, 605_000),
    }
    assert report.by_bucket == {"current": 105_000, "1-30": 460_000, "31-60": 910_000, "60+": 605_000}
    assert report.total_satang == 2_080_000
    by_buyer = {b.name: (b.by_bucket, b.total_satang) for b in report.by_buyer}
    assert by_buyer["Riverside Hotel"] == ({"current": 105_000, "1-30": 155_000, "31-60": 505_000, "60+": 0},
                                           765_000)
    assert by_buyer["Café Doi"][1] == 1_315_000
    # Oldest due first.
    assert [row.invoice.number for row in report.rows][0] == book["d61"].number


def test_the_page_filters_and_totals(client, sign_in, book):
    sign_in(UserFactory(is_staff=True))
    page = client.get(f"/admin/receivables?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    for key in ("current", "d1", "d30", "d31", "d60", "d61"):
        assert book[key].number in page
    assert "20,800" in page  # the grand total
    filtered = client.get(f"/admin/receivables?as_of={AS_OF.isoformat()}&bucket=60%2B").get_data(as_text=True)
    assert book["d61"].number in filtered and book["d60"].number not in filtered
    by_buyer = client.get(f"/admin/receivables?as_of={AS_OF.isoformat()}&buyer={book['hotel'].id}")
    text = by_buyer.get_data(as_text=True)
    assert book["d60"].number in text and book["d61"].number not in text
    for bad in ("bucket=90", "buyer=abc", "as_of=yesterday"):
        assert client.get(f"/admin/receivables?{bad}").status_code == 422


def test_the_csv(client, sign_in, book):
    sign_in(UserFactory(is_staff=True))
    response = client.get(f"/admin/receivables.csv?as_of={AS_OF.isoformat()}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 7
    row = next(r for r in rows if r[0] == book["d31"].number)
    assert row[1] == "Café Doi" and row[4] == (AS_OF - timedelta(days=31)).isoformat()
    assert row[7] == "4050.00" and row[8] == "31" and row[9] == "31-60"


def test_staff_only(client, sign_in, book):
    assert client.get("/admin/receivables").status_code == 302  # guests sign in first
    sign_in(book["hotel"])
    assert client.get("/admin/receivables").status_code == 403
    assert client.get("/admin/receivables.csv").status_code == 403
    assert client.get(f"/admin/invoices/{book['d1'].id}").status_code == 403
