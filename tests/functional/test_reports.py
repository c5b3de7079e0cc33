"""Programme reports and the impact page (docs/impact.md): a known set of orders (paid by
PromptPay slip, Stripe and invoice, from an accepted quote, a partial refund, an unpaid
cancellation, an enterprise with its own fee, two programmes), every total checked
against numbers computed by hand and against the ledger."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from shop.accounts.models import RetailBuyer
from shop.admin import services as admin_services
from shop.catalog.models import EnterpriseProgramme, Programme
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.i18n import BANGKOK
from shop.invoicing import services as invoicing
from shop.ledger import services as ledger
from shop.orders import status as st
from shop.orders.models import Order
from shop.quotes import services as quotes
from shop.reports import services as reports
from shop.reports.services import Filters
from tests.factories import (
    EnterpriseFactory,
    MemberFactory,
    RetailBuyerFactory,
    UserFactory,
    VariantFactory,
    WholesaleTierFactory,
)
from tests.order_helpers import ADDRESS, make_order, refund_part

SHIP = 5000  # the shop's default shipping per part


def previous_month_noon(today: date) -> datetime:
    first = today.replace(day=1) - timedelta(days=1)
    return datetime(first.year, first.month, 1, 12, tzinfo=BANGKOK).astimezone(UTC)


class Market:
    """Three enterprises and six orders, with the income each leaves (satang):

    * Mae Jaem (Lampang 52, networking, own fee 3 %, programmes CIV and EEC):
      O1 guest, slip, 2 × ฿100 + ฿50 = 25,000, fee 750 → 24,250 (paid last month);
      O4 retail buyer, slip, part 1 × ฿100 + ฿50 = 15,000, fee 450 → 14,550.
    * Ban Chae Khon (Rayong 21, foundation, fee 5 %, programme CIV):
      O2 shopper, Stripe, ฿300 + ฿50 = 35,000, fee 1,750, refund 10,000 with 500 of the
      fee back → 23,750.
    * Ban Paen Tai (Phetchabun 67, advancing, fee 5 %, no programme):
      O3 invoice, ฿1,000 + ฿50 = 105,000, fee 5,250 → 99,750;
      O4 retail buyer, part ฿50 + ฿50 = 10,000, fee 500 → 9,500;
      O6 accepted quote, 120 × ฿142.50 + ฿300 = 1,740,000, fee 87,000 → 1,653,000.
    * O5 unpaid, cancelled by the buyer: nothing.
    """

    def __init__(self, app, fake_stripe):
        self.civ = Programme(slug="civ-lampang", name_th="หมู่บ้านอุตสาหกรรมสร้างสรรค์", name_en="Creative Industry Villages")
        self.eec = Programme(slug="eec-connect", name_th="อีอีซี คอนเน็กต์", name_en="EEC Connect")
        db.session.add_all([self.civ, self.eec])
        self.mae_jaem = EnterpriseFactory(name_th="บ้านแม่แจ๋ม", name_en="Ban Mae Jaem", province_code="52",
                                          track_stage="advancing", platform_fee_bps=300, village="บ้านแม่แจ๋ม",
                                          story_th="กาแฟคั่วโอ่งแห่งเดียวในโลก", story_en="Coffee roasted in clay jars.")
        self.chae_khon = EnterpriseFactory(name_th="บ้านแจ้คอน", name_en="Ban Chae Khon", province_code="21",
                                           track_stage="foundation", village="บ้านแจ้คอน")
        self.paen_tai = EnterpriseFactory(name_th="บ้านแป้นใต้", name_en="Ban Paen Tai", province_code="67",
                                          track_stage="advancing", village="บ้านแป้นใต้")
        db.session.flush()
        db.session.add_all([
            EnterpriseProgramme(enterprise_id=self.mae_jaem.id, programme_id=self.civ.id),
            EnterpriseProgramme(enterprise_id=self.mae_jaem.id, programme_id=self.eec.id),
            EnterpriseProgramme(enterprise_id=self.chae_khon.id, programme_id=self.civ.id),
        ])
        self.owner = MemberFactory(enterprise=self.paen_tai).user
        coffee = VariantFactory(product__enterprise=self.mae_jaem, price_satang=10_000, stock=100)
        rice = VariantFactory(product__enterprise=self.chae_khon, price_satang=30_000, stock=100)
        lime = VariantFactory(product__enterprise=self.paen_tai, price_satang=100_000, stock=100)
        juice = VariantFactory(product__enterprise=self.paen_tai, price_satang=5_000, stock=100)
        powder = VariantFactory(product__enterprise=self.paen_tai, price_satang=18_000, stock=500, moq=6, case_pack=6)
        WholesaleTierFactory(variant=powder, min_quantity=6, unit_price_satang=15_000)
        self.staff = UserFactory(is_staff=True)
        self.business = RetailBuyerFactory(status=RetailBuyer.VERIFIED, company_name="คาเฟ่ริมน้ำ",
                                           verified_at=utcnow() - timedelta(days=3))
        self.buyer = self.business.user
        self.shopper = UserFactory()
        db.session.commit()

        self.o1 = make_order([(coffee, 2)], paid=True)
        db.session.execute(update(Order).where(Order.id == self.o1.id)
                           .values(paid_at=previous_month_noon(reports.bangkok_today())))
        self.o2 = make_order([(rice, 1)], user=self.shopper, paid=True, payment_method=st.PAYMENT_STRIPE)
        refund_part(self.o2.fulfilments[0], 10_000)
        invoicing.set_terms(self.staff, self.business.id, net_days=30, credit_limit="50000")
        self.o3 = make_order([(lime, 1)], user=self.buyer, payment_method=st.PAYMENT_INVOICE)
        invoicing.record_transfer(self.staff, invoicing.invoice_of_order(self.o3).id, amount="1050",
                                  paid_on=date.today(), reference="KTB-1")
        self.o4 = make_order([(coffee, 1), (juice, 1)], user=self.buyer, paid=True)
        self.o5 = make_order([(coffee, 3)], user=self.shopper, status=st.ORDER_CANCELLED)
        req = quotes.request_quote(self.buyer, powder.id, quantity=120, target_unit_satang=14_000,
                                   delivery_date=quotes.bangkok_today() + timedelta(days=20), message="Monthly")
        quotes.answer_quote(self.owner, req, unit_satang=14_250, quantity=120, shipping_satang=30_000,
                            valid_until=quotes.bangkok_today() + timedelta(days=7), lead_time_days=5, note=None)
        self.o6 = quotes.accept(self.buyer, req, address=ADDRESS, payment_method=st.PAYMENT_PROMPTPAY_QR)
        from tests.order_helpers import pay_by_slip

        pay_by_slip(self.o6, buyer=self.buyer)
        admin_services.move_track_stage(self.staff, self.mae_jaem.id, "networking", note="First online sales")
        db.session.commit()
        db.session.expire_all()


@pytest.fixture
def market(app, fake_stripe):
    return Market(app, fake_stripe)


MAE_JAEM = 24_250 + 14_550
CHAE_KHON = 23_750
PAEN_TAI = 99_750 + 9_500 + 1_653_000
TOTAL = MAE_JAEM + CHAE_KHON + PAEN_TAI


def by_key(rows):
    return {row.key: row for row in rows}


def test_every_total_matches_the_hand_computed_figures_and_the_ledger(market):
    report = reports.build_report(Filters(), "en")
    assert report.total.income_satang == TOTAL == 1_824_800
    assert report.total.sales_satang == 25_000 + 15_000 + 35_000 + 105_000 + 10_000 + 1_740_000
    assert report.total.fees_satang == -(750 + 450 + 1_750 - 500 + 5_250 + 500 + 87_000)
    assert report.total.refunds_satang == -10_000
    # The ledger says the same, in all and per enterprise.
    assert report.ledger_total_satang == TOTAL
    balances = {row.enterprise.id: row for row in ledger.balances()}
    enterprises = by_key(report.enterprises)
    for enterprise, expected in ((market.mae_jaem, MAE_JAEM), (market.chae_khon, CHAE_KHON),
                                 (market.paen_tai, PAEN_TAI)):
        row = balances[enterprise.id]
        assert enterprises[str(enterprise.id)].figures.income_satang == expected
        assert row.earned_satang + row.fees_satang + row.refunds_satang == expected
    assert enterprises[str(market.mae_jaem.id)].figures.orders == 2
    assert enterprises[str(market.paen_tai.id)].figures.orders == 3
    assert [row.key for row in report.enterprises] == [str(market.paen_tai.id), str(market.mae_jaem.id),
                                                       str(market.chae_khon.id)]

    provinces = by_key(report.provinces)
    assert {code: row.figures.income_satang for code, row in provinces.items()} == {
        "52": MAE_JAEM, "21": CHAE_KHON, "67": PAEN_TAI}

    programmes = by_key(report.programmes)
    assert programmes[str(market.civ.id)].figures.income_satang == MAE_JAEM + CHAE_KHON
    assert programmes[str(market.eec.id)].figures.income_satang == MAE_JAEM
    assert programmes[str(reports.NO_PROGRAMME)].figures.income_satang == PAEN_TAI
    assert report.programme_rows_total == TOTAL + MAE_JAEM  # Mae Jaem counts in both
    assert report.multi_programme == 1

    stages = by_key(report.stages)  # stage today: Mae Jaem moved to networking
    assert stages["networking"].figures.income_satang == MAE_JAEM
    assert stages["foundation"].figures.income_satang == CHAE_KHON
    assert stages["advancing"].figures.income_satang == PAEN_TAI
    assert stages["expansion"].figures.income_satang == 0

    channels = by_key(report.channels)
    assert channels["online"].figures.income_satang == 24_250 + 23_750
    assert channels["invoice"].figures.income_satang == 99_750
    assert channels["retail_buyer"].figures.income_satang == 14_550 + 9_500
    assert channels["quote"].figures.income_satang == 1_653_000

    this_month = reports.month_key(reports.bangkok_today())
    months = by_key(report.months)
    last_month = reports.previous_month(this_month)
    assert months[last_month].figures.income_satang == 24_250
    assert months[this_month].figures.income_satang == TOTAL - 24_250
    assert months[this_month].previous_satang == 24_250
    assert months[this_month].growth == round((TOTAL - 24_250 - 24_250) * 100 / 24_250, 1)
    assert sum(row.figures.income_satang for row in report.years) == TOTAL

    counts = by_key(report.orders)
    assert counts["all"].values == {"orders": 5, "customers": 3}  # guest, shopper, buyer
    assert counts[this_month].values == {"orders": 4, "customers": 2}
    assert by_key(report.stage_counts)["networking"].enterprises == 1
    assert [(m.from_stage, m.to_stage, m.moves) for m in report.stage_moves] == [("advancing", "networking", 1)]
    assert by_key(report.retail_buyers)[this_month].values == {"buyers": 1} or \
        by_key(report.retail_buyers)[last_month].values == {"buyers": 1}


def test_filters_narrow_every_table(market):
    lampang = reports.build_report(Filters(province_code="52"), "th")
    assert lampang.total.income_satang == MAE_JAEM and lampang.ledger_total_satang is None
    eec = reports.build_report(Filters(programme_id=market.eec.id), "th")
    assert eec.total.income_satang == MAE_JAEM
    quotes_only = reports.build_report(Filters(channel="quote"), "th")
    assert quotes_only.total.income_satang == 1_653_000
    assert by_key(quotes_only.orders)["all"].values == {"orders": 1, "customers": 1}
    today = reports.bangkok_today()
    this_month = reports.build_report(Filters(start=today.replace(day=1), end=today), "th")
    assert this_month.total.income_satang == TOTAL - 24_250
    assert [row.key for row in this_month.months] == [reports.month_key(today)]
    assert this_month.months[0].previous_satang == 24_250  # the whole previous month
    foundation = reports.build_report(Filters(stage="foundation"), "th")
    assert foundation.total.income_satang == CHAE_KHON


def test_staff_page_and_csv_files(market, client, sign_in):
    sign_in(market.staff)
    page = client.get("/admin/reports?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "฿18,248" in html and "The report matches the ledger." in html
    assert "<svg" in html and "cdn" not in html.lower()
    thai = client.get("/admin/reports?lang=th").get_data(as_text=True)
    assert "รายงานโครงการ" in thai
    for table in ("months", "years", "enterprises", "provinces", "programmes", "stages", "channels",
                  "stage_counts", "stage_moves", "retail_buyers", "orders"):
        response = client.get(f"/admin/reports/{table}.csv?lang=en")
        assert response.status_code == 200, table
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert len(rows) >= 2, table
    enterprises = list(csv.reader(io.StringIO(client.get("/admin/reports/enterprises.csv?lang=en")
                                              .get_data(as_text=True).lstrip("\ufeff"))))
    assert enterprises[1][0] == "Ban Paen Tai" and enterprises[1][-1] == "17622.50"
    assert client.get("/admin/reports/nothing.csv").status_code == 404


@pytest.mark.parametrize("query, field_name", [
    ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-05-02&to=2026-05-01", "to"),
    ("programme=abc", "programme"), ("programme=99999", "programme"), ("province=99", "province"),
    ("stage=galaxy", "stage"), ("channel=fax", "channel"), ("from=1066-10-14", "from"),
])
def test_bad_filters_are_refused_with_a_message(app, client, sign_in, query, field_name):
    sign_in(UserFactory(is_staff=True))
    for lang, word in (("en", ""), ("th", "")):
        response = client.get(f"/admin/reports?{query}&lang={lang}")
        assert response.status_code == 422
        assert 'role="alert"' in response.get_data(as_text=True) and word in response.get_data(as_text=True)
        assert client.get(f"/admin/reports/months.csv?{query}&lang={lang}").status_code == 422
    assert f'id="f-{field_name}-error"' in response.get_data(as_text=True)


def test_reports_are_staff_only(app, client, sign_in):
    assert client.get("/admin/reports").status_code in (302, 303)
    sign_in(UserFactory())
    assert client.get("/admin/reports").status_code == 403
    assert client.get("/admin/reports/months.csv").status_code == 403


def test_public_impact_page_json_and_csv(market, client):
    page = client.get("/impact?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "฿18,248" in html and "Ban Mae Jaem" in html and "Coffee roasted in clay jars." in html
    assert f"/enterprises/{market.mae_jaem.slug}" in html
    assert "ลำปาง" not in html and "Lampang" in html
    thai = client.get("/impact?lang=th").get_data(as_text=True)
    assert "รายได้ถึงชุมชน" in thai and "ลำปาง" in thai
    data = client.get("/impact.json?lang=en").get_json()
    assert data["income_total_satang"] == TOTAL and data["income_total_baht"] == "18248.00"
    assert data["enterprises_reached"] == 3 and data["provinces_reached"] == 3 and data["villages_reached"] == 3
    assert data["retail_buyers"] == 1 and data["enterprises_on_market"] == 3
    this_year = TOTAL if previous_month_noon(reports.bangkok_today()).astimezone(BANGKOK).year == data["year"] \
        else TOTAL - 24_250
    assert data["income_this_year_satang"] == this_year
    assert [p["code"] for p in data["provinces"]] == ["67", "52", "21"]
    assert data["provinces"][0]["income_satang"] == PAEN_TAI
    story = data["stories"][0]
    assert (story["slug"], story["from_stage"], story["to_stage"]) == (market.mae_jaem.slug, "advancing", "networking")
    assert set(data) >= {"definition", "generated_at", "cache_seconds", "currency", "year", "stories", "provinces"}
    rows = list(csv.reader(io.StringIO(client.get("/impact.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:4] == ["67", "เพชรบูรณ์", "Phetchabun", "17622.50"]
    assert ["total"] == [rows[-8][0]] and rows[-8][3] == "18248.00"
    assert rows[-1][0] == "guests_hosted" and rows[-1][4] == "0"


def test_impact_figures_are_cached_for_a_while(app, client):
    app.config["IMPACT_CACHE_SECONDS"] = 300
    assert client.get("/impact.json").get_json()["income_total_satang"] == 0
    make_order([(VariantFactory(price_satang=10_000), 1)], paid=True)
    assert client.get("/impact.json").get_json()["income_total_satang"] == 0  # kept
    app.config["IMPACT_CACHE_SECONDS"] = 0
    assert client.get("/impact.json").get_json()["income_total_satang"] == 14_250


def test_empty_market_pages(app, client, sign_in):
    assert client.get("/impact").status_code == 200
    assert client.get("/impact.csv").status_code == 200
    sign_in(UserFactory(is_staff=True))
    assert client.get("/admin/reports").status_code == 200
    assert client.get("/admin/reports?from=2026-01-01&to=2026-03-31").status_code == 200


def test_each_csv_file_computes_its_table_alone_and_the_same(app, market):
    from shop.reports import exports

    with app.test_request_context("/?lang=en"):
        full = reports.build_report(Filters(), "en")
        for table in exports.TABLES:
            alone = reports.build_report(Filters(), "en", only=table)
            assert exports.report_csv(alone, table) == exports.report_csv(full, table), table


def _income() -> int:
    return reports.build_report(Filters(), "en").total.income_satang


def test_cancelled_parts_count_as_the_ledger_says(app):
    """A part cancelled before payment never counts; a paid part cancelled later counts
    until its refund succeeds, then nothing of it is left (the whole fee given back)."""
    from tests.order_helpers import cancel_part, pay_by_slip

    rice = VariantFactory(price_satang=20_000, stock=10)
    coffee = VariantFactory(price_satang=10_000, stock=10)
    before = make_order([(rice, 1), (coffee, 1)])
    cancel_part(next(f for f in before.fulfilments if f.enterprise_id == coffee.enterprise_id))
    pay_by_slip(before)
    assert _income() == 25_000 - 1_250  # only the rice part: (200 + 50) less 5 %
    after = make_order([(rice, 1), (coffee, 1)], paid=True)
    part = next(f for f in after.fulfilments if f.enterprise_id == coffee.enterprise_id)
    cancel_part(part)
    assert _income() == 2 * (25_000 - 1_250) + (15_000 - 750)  # cancelled, not refunded yet
    refund_part(part, 15_000)
    assert _income() == 2 * (25_000 - 1_250)
    assert reports.build_report(Filters(), "en").ledger_total_satang == _income()


def test_guests_hosted_count_checked_in_or_paid_bookings_of_past_sessions(app, client, sign_in):
    from datetime import timedelta

    from shop.experiences import cancellation
    from shop.experiences import services as experiences
    from shop.experiences.models import ExperienceSession
    from tests.experience_helpers import book, make_host
    from tests.order_helpers import pay_by_slip

    host = make_host(seats=20)
    held = host.session
    pay_by_slip(book(held.id, adults=2, children=1))  # 3 guests
    book(held.id, adults=4, email="unpaid@example.test")  # never paid: not hosted
    cancellation.cancel_booking(pay_and_return(book(held.id, adults=5, email="gone@example.test")), None)
    later = experiences.add_session(host.experience, day=(held.day + timedelta(days=1)).isoformat(),
                                    start_time="09:00", seats="5")
    pay_by_slip(book(later.id, adults=1, email="soon@example.test"))  # its session is still to come
    called_off = experiences.add_session(host.experience, day=(held.day + timedelta(days=2)).isoformat(),
                                         start_time="09:00", seats="5")
    pay_by_slip(book(called_off.id, adults=2, email="off@example.test"))
    experiences.cancel_session(called_off, actor=host.owner)
    today = reports.bangkok_today()
    held_day = today - timedelta(days=2)  # the first (and the cancelled one) move into the past
    db.session.get(ExperienceSession, held.id).day = held_day
    db.session.get(ExperienceSession, called_off.id).day = held_day - timedelta(days=1)
    db.session.commit()
    assert reports.guests_hosted(today=today) == 3
    assert reports.guests_hosted(reports.Filters(province_code=host.enterprise.province_code), today=today) == 3
    other_province = "10" if host.enterprise.province_code != "10" else "50"
    assert reports.guests_hosted(reports.Filters(province_code=other_province), today=today) == 0
    assert reports.guests_hosted(reports.Filters(start=held_day, end=held_day), today=today) == 3
    assert reports.guests_hosted(reports.Filters(start=held_day + timedelta(days=1)), today=today) == 0
    assert reports.guests_hosted(reports.Filters(channel="online"), today=today) == 3
    assert reports.guests_hosted(reports.Filters(channel="quote"), today=today) == 0

    assert reports.guests_hosted(today=held_day) == 0  # not held yet on its own day
    data = client.get("/impact.json").get_json()
    assert data["guests_hosted"] == 3
    assert "Guests hosted" in client.get("/impact?lang=en").get_data(as_text=True)
    sign_in(UserFactory(is_staff=True))
    page = client.get("/admin/reports?lang=en").get_data(as_text=True)
    assert "Guests hosted" in page


def pay_and_return(order):
    from tests.order_helpers import pay_by_slip

    pay_by_slip(order)
    return order
