"""Listings as CSV: export, then import with a preview, per-row errors, and an
all-or-nothing apply."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from shop.catalog import status
from shop.catalog.models import Product, Variant
from shop.extensions import db
from tests.factories import CategoryFactory, MemberFactory, ProductFactory, TagFactory, VariantFactory

HEADER = ["product_slug", "sku", "product_name_th", "product_name_en", "category_slug", "tags",
          "variant_name_th", "gtin13", "weight_grams", "price_baht", "stock"]


@pytest.fixture
def owner(app, client, sign_in):
    member = MemberFactory()
    sign_in(member.user)
    client.get("/?lang=en")
    return member


@pytest.fixture
def catalogue(app, owner):
    category = CategoryFactory(slug="rice")
    product = ProductFactory(enterprise=owner.enterprise, category=category, slug="brown-rice",
                             name_th="ข้าวกล้อง", name_en="Brown rice", description_th="=cmd|' /C calc'!A0")
    TagFactory(product=product, tag="rice")
    VariantFactory(product=product, sku="RICE-1KG", name_th="1 กก.", price_satang=8000, stock=50, weight_grams=1000)
    return category, product


def make_csv(*rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client, owner, data: bytes, name="listings.csv"):
    return client.post(f"/seller/{owner.enterprise_id}/listings/import",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def token_of(html: str) -> str:
    marker = 'name="token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def snapshot():
    return [(v.sku, v.price_satang, v.stock, v.product_id) for v in
            db.session.scalars(select(Variant).order_by(Variant.sku))]


def test_export_has_every_variant_and_guards_formulas(app, client, owner, catalogue):
    response = client.get(f"/seller/{owner.enterprise_id}/listings/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["sku"], r["product_slug"], r["price_baht"], r["stock"], r["category_slug"], r["tags"]) for r in rows] == [
        ("RICE-1KG", "brown-rice", "80", "50", "rice", "rice")]
    assert rows[0]["description_th"].startswith("'=")


def test_export_then_import_unchanged_is_a_no_op(app, client, owner, catalogue):
    exported = client.get(f"/seller/{owner.enterprise_id}/listings/export.csv").get_data()
    before = snapshot()
    response = upload(client, owner, exported)
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    confirm = client.post(f"/seller/{owner.enterprise_id}/listings/import/confirm",
                          data={"token": token_of(response.get_data(as_text=True))})
    assert confirm.status_code == 303
    db.session.expire_all()
    assert snapshot() == before
    assert db.session.scalars(select(Product)).one().description_th == "=cmd|' /C calc'!A0"


def test_import_creates_updates_and_adds(app, client, owner, catalogue):
    data = make_csv(
        ["brown-rice", "RICE-1KG", "ข้าวกล้อง", "Brown rice", "rice", "rice", "1 กก.", "", "1000", "85.50", "40"],
        ["brown-rice", "RICE-5KG", "ข้าวกล้อง", "Brown rice", "rice", "rice", "5 กก.", "", "5000", "390", "10"],
        ["lime-juice", "LIME-250", "น้ำมะนาว", "Lime juice", "rice", "lime", "250 มล.", "8850123456787", "250",
         "45", "100"],
        ["lime-juice", "LIME-500", "น้ำมะนาว", "Lime juice", "rice", "lime", "500 มล.", "", "500", "80", "60"],
    )
    response = upload(client, owner, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "new product" in html and "update" in html and "new option" in html
    assert db.session.scalar(select(func.count(Variant.id))) == 1  # nothing applied yet
    confirm = client.post(f"/seller/{owner.enterprise_id}/listings/import/confirm", data={"token": token_of(html)})
    assert confirm.status_code == 303
    db.session.expire_all()
    assert snapshot() == [
        ("LIME-250", 4500, 100, snapshot()[0][3]), ("LIME-500", 8000, 60, snapshot()[0][3]),
        ("RICE-1KG", 8550, 40, catalogue[1].id), ("RICE-5KG", 39000, 10, catalogue[1].id)]
    lime = db.session.scalars(select(Product).where(Product.slug == "lime-juice")).one()
    assert lime.status == status.DRAFT and lime.enterprise_id == owner.enterprise_id
    assert lime.variants[0].gtin13 == "8850123456787"
    assert db.session.get(Product, catalogue[1].id).min_price_satang == 8550
    # The token is spent.
    again = client.post(f"/seller/{owner.enterprise_id}/listings/import/confirm", data={"token": token_of(html)})
    assert again.status_code == 303


BAD_ROWS = [
    pytest.param(["brown-rice", "RICE-1KG", "ข้าวกล้อง", "Brown rice", "rice", "rice", "1 กก.", "", "1000", "-5", "40"],
                 "price_baht", id="negative price"),
    pytest.param(["brown-rice", "RICE-1KG", "ข้าวกล้อง", "Brown rice", "rice", "rice", "1 กก.", "", "1000", "80", "-1"],
                 "stock", id="negative stock"),
    pytest.param(["new-one", "N-1", "ใหม่", "", "rice", "", "ชิ้น", "8850123456780", "1", "10", "1"],
                 "gtin13", id="bad GTIN"),
    pytest.param(["new-one", "N-1", "ใหม่", "", "rice", "", "ชิ้น", "8.85012E+12", "1", "10", "1"],
                 "gtin13", id="GTIN eaten by a spreadsheet"),
    pytest.param(["new-one", "N-1", "ใหม่", "", "nope", "", "ชิ้น", "", "1", "10", "1"], "category_slug",
                 id="unknown category"),
    pytest.param(["new-one", "N-1", "", "", "rice", "", "ชิ้น", "", "1", "10", "1"], "product_name_th",
                 id="no product name"),
    pytest.param(["new-one", "N-1", "ใหม่", "", "rice", "", "ชิ้น", "", "1", "ten", "1"], "price_baht",
                 id="price not a number"),
    pytest.param(["other-rice", "RICE-1KG", "ข้าว", "", "rice", "", "ชิ้น", "", "1", "10", "1"], "product_slug",
                 id="SKU moved to another product"),
    pytest.param(["Bad Slug!", "N-1", "ใหม่", "", "rice", "", "ชิ้น", "", "1", "10", "1"], "product_slug",
                 id="bad slug"),
    pytest.param(["new-one", "N 1", "ใหม่", "", "rice", "", "ชิ้น", "", "1", "10", "1"], "sku", id="bad SKU"),
]


@pytest.mark.parametrize("bad_row, column", BAD_ROWS)
def test_a_bad_row_blocks_the_whole_import(app, client, owner, catalogue, bad_row, column):
    good = ["fresh-lime", "LIME-1", "มะนาว", "Lime", "rice", "", "1 กก.", "", "1000", "30", "5"]
    before = snapshot()
    response = upload(client, owner, make_csv(good, bad_row))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Apply all rows" not in html
    assert f'<span class="lst-col">{column}</span>' in html, html[html.find("lst-row-errors"):][:500]
    assert "Line" in html and "1 row has an error" in html
    db.session.expire_all()
    assert snapshot() == before


def test_duplicate_sku_in_the_file(app, client, owner, catalogue):
    row = ["x", "DUP-1", "ก", "", "rice", "", "ชิ้น", "", "1", "10", "1"]
    response = upload(client, owner, make_csv(row, ["y", "dup-1", *row[2:]]))
    assert response.status_code == 422
    assert "also on line 2" in response.get_data(as_text=True)


def test_product_columns_must_agree(app, client, owner, catalogue):
    response = upload(client, owner, make_csv(
        ["z", "Z-1", "ชื่อหนึ่ง", "", "rice", "", "ก", "", "1", "10", "1"],
        ["z", "Z-2", "ชื่อสอง", "", "rice", "", "ข", "", "1", "10", "1"]))
    assert response.status_code == 422
    assert "differ from line 2" in response.get_data(as_text=True)


def test_slug_of_another_enterprise_is_refused(app, client, owner, catalogue):
    ProductFactory(slug="taken-elsewhere")
    response = upload(client, owner, make_csv(["taken-elsewhere", "T-1", "ก", "", "rice", "", "ก", "", "1", "1", "1"]))
    assert response.status_code == 422


def test_confirm_rechecks_against_the_database(app, client, owner, catalogue):
    html = upload(client, owner, make_csv(["fresh", "F-1", "ก", "", "rice", "", "ก", "", "1", "10", "1"])).get_data(
        as_text=True)
    VariantFactory(product=ProductFactory(enterprise=owner.enterprise), sku="F-1")  # taken meanwhile
    before = snapshot()
    response = client.post(f"/seller/{owner.enterprise_id}/listings/import/confirm", data={"token": token_of(html)})
    assert response.status_code == 422
    db.session.expire_all()
    assert snapshot() == before


def test_a_row_that_loses_a_race_when_written_undoes_the_whole_import(app, client, owner, catalogue, monkeypatch):
    from shop.sellers import csv_io

    html = upload(client, owner, make_csv(
        ["fresh-lime", "LIME-1", "มะนาว", "Lime", "rice", "", "1 กก.", "", "1000", "30", "5"],
        ["brown-rice", "RICE-1KG", "ข้าวกล้อง", "Brown rice", "rice", "rice", "1 กก.", "", "1000", "85", "7"],
        ["new-honey", "HONEY-1", "น้ำผึ้ง", "Honey", "rice", "", "1 ขวด", "", "500", "120", "9"],
    )).get_data(as_text=True)
    before = snapshot()

    def checked_then_taken(enterprise, preview, real=csv_io._plan):
        groups = real(enterprise, preview)
        # Another save takes the last new product's address after the checks passed.
        db.session.add(ProductFactory.build(enterprise=owner.enterprise, category=catalogue[0], slug="new-honey"))
        return groups

    monkeypatch.setattr(csv_io, "_plan", checked_then_taken)
    response = client.post(f"/seller/{owner.enterprise_id}/listings/import/confirm", data={"token": token_of(html)})

    assert response.status_code == 303
    assert "saved at the same moment" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before
    assert db.session.scalar(select(func.count(Product.id))) == 1


def test_pending_import_is_bound_to_its_user_and_enterprise(app, client, owner, catalogue, sign_in):
    html = upload(client, owner, make_csv(["fresh", "F-1", "ก", "", "rice", "", "ก", "", "1", "10", "1"])).get_data(
        as_text=True)
    token = token_of(html)
    colleague = MemberFactory(enterprise=owner.enterprise)
    sign_in(colleague.user)
    assert client.post(f"/seller/{owner.enterprise_id}/listings/import/confirm",
                       data={"token": token}).status_code == 404
    for bad in ("", "../../etc/passwd", "x" * 30):
        assert client.post(f"/seller/{owner.enterprise_id}/listings/import/confirm",
                           data={"token": bad}).status_code == 303
    assert db.session.scalar(select(func.count(Variant.id))) == 1


@pytest.mark.parametrize("content, name", [
    (b"%PDF-1.4 binary\x00\x01", "listings.csv"),
    (b"\xff\xfe\xfd not utf-8", "listings.csv"),
    (b"", "listings.csv"),
])
def test_files_that_are_not_csv(app, client, owner, content, name):
    response = upload(client, owner, content, name)
    assert response.status_code == 422
    assert "form-errors" in response.get_data(as_text=True)


def test_no_file(app, client, owner):
    response = client.post(f"/seller/{owner.enterprise_id}/listings/import", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422
