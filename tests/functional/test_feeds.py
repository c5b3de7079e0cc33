"""Channel feeds: each parses as its format, carries the fields its channel requires
for every item, holds only what the storefront shows, and links back to it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest

from shop.catalog import status
from shop.catalog.models import ProductPhoto
from shop.extensions import db
from shop.sellers import feeds
from tests.factories import MemberFactory, ProductFactory, VariantFactory
from tests.status_helpers import suspend_enterprise

G = "{http://base.google.com/ns/1.0}"
FACEBOOK_REQUIRED = ("id", "title", "description", "availability", "condition", "price", "link", "image_link", "brand")
TIKTOK_REQUIRED = ("sku_id", "title", "description", "price", "currency", "inventory", "availability", "condition",
                   "brand", "image_url", "link")
GOOGLE_REQUIRED = (f"{G}id", "title", "description", "link", f"{G}image_link", f"{G}availability", f"{G}price",
                   f"{G}brand", f"{G}condition")


def with_photo(product, key):
    db.session.add(ProductPhoto(product_id=product.id, image_key=key * 32, width=1200, height=900, position=0))
    db.session.commit()


@pytest.fixture
def shop_floor(app, client, sign_in):
    owner = MemberFactory(enterprise__name_en="Ban Paen Tai Lime", enterprise__slug="ban-paen-tai")
    enterprise = owner.enterprise
    live = ProductFactory(enterprise=enterprise, slug="lime-juice", name_th="น้ำมะนาว", name_en="Lime juice",
                          description_th="น้ำมะนาว <b>แท้</b>\nคั้นสด & หอม")
    with_photo(live, "a")
    VariantFactory(product=live, sku="LJ-250", name_th="250 มล.", price_satang=4500, stock=12, gtin13="8850123456787")
    VariantFactory(product=live, sku="LJ-500", name_th="500 มล.", price_satang=8050, stock=0)
    VariantFactory(product=live, sku="LJ-OFF", is_active=False)
    no_photo = ProductFactory(enterprise=enterprise, slug="lime-powder", name_en="Lime powder")
    VariantFactory(product=no_photo, sku="LP-1")
    draft = ProductFactory(enterprise=enterprise, slug="draft-thing", status=status.DRAFT)
    with_photo(draft, "b")
    VariantFactory(product=draft, sku="DR-1")
    elsewhere = ProductFactory(slug="someone-else")
    with_photo(elsewhere, "c")
    VariantFactory(product=elsewhere, sku="EL-1")
    sign_in(owner.user)
    return owner


def fetch(client, owner, channel):
    response = client.get(f"/seller/{owner.enterprise_id}/feeds/{channel}")
    assert response.status_code == 200
    return response


def test_facebook_csv(app, client, shop_floor):
    response = fetch(client, shop_floor, "facebook.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["id"] for r in rows] == ["LJ-250", "LJ-500"]
    for row in rows:
        for column in FACEBOOK_REQUIRED:
            assert row[column], column
        assert row["condition"] == "new" and row["item_group_id"] == "lime-juice"
        assert row["link"] == f"http://localhost/products/lime-juice?variant={row['id']}"
        assert row["image_link"].startswith("http://localhost/media/products/aaaa")
    assert (rows[0]["price"], rows[0]["availability"], rows[0]["gtin"]) == ("45.00 THB", "in stock", "8850123456787")
    assert (rows[1]["price"], rows[1]["availability"], rows[1]["gtin"]) == ("80.50 THB", "out of stock", "")
    assert rows[0]["brand"].startswith("วิสาหกิจชุมชนทดสอบ")
    assert "\n" not in rows[0]["description"] and "<b>แท้</b>" in rows[0]["description"]


def test_google_xml(app, client, shop_floor):
    response = fetch(client, shop_floor, "google.xml")
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.get_data())
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert [i.findtext(f"{G}id") for i in items] == ["LJ-250", "LJ-500"]
    for item in items:
        for name in GOOGLE_REQUIRED:
            assert (item.findtext(name) or "").strip(), name
        assert item.findtext("link") == f"http://localhost/products/lime-juice?variant={item.findtext(f'{G}id')}"
    assert items[0].findtext(f"{G}gtin") == "8850123456787" and items[0].find(f"{G}identifier_exists") is None
    assert items[1].findtext(f"{G}identifier_exists") == "no" and items[1].find(f"{G}gtin") is None
    assert items[0].findtext(f"{G}price") == "45.00 THB"
    assert items[1].findtext(f"{G}availability") == "out_of_stock"
    assert "<b>" in items[0].findtext("description")  # text, escaped in the XML


def test_a_feed_link_opens_the_product_page_on_its_variant(app, client, shop_floor):
    rows = list(csv.DictReader(io.StringIO(fetch(client, shop_floor, "facebook.csv").get_data(as_text=True))))
    client.get("/?lang=en")
    page = client.get(rows[0]["link"].removeprefix("http://localhost")).get_data(as_text=True)
    price = page.split('class="price price--large">', 1)[1].split("</p>", 1)[0]
    assert "45.00" in price or "45" in price
    assert 'class="is-selected"' in page
    other = client.get("/products/lime-juice?variant=lj-500").get_data(as_text=True)  # any case
    assert "80.50" in other.split('class="price price--large">', 1)[1].split("</p>", 1)[0]
    unknown = client.get("/products/lime-juice?variant=NOPE")
    assert unknown.status_code == 200 and 'class="is-selected"' not in unknown.get_data(as_text=True)


def test_tiktok_csv(app, client, shop_floor):
    rows = list(csv.DictReader(io.StringIO(fetch(client, shop_floor, "tiktok.csv").get_data(as_text=True))))
    assert [r["sku_id"] for r in rows] == ["LJ-250", "LJ-500"]
    for row in rows:
        for column in TIKTOK_REQUIRED:
            assert row[column] != "", column
        assert row["currency"] == "THB"
    assert (rows[0]["price"], rows[0]["inventory"]) == ("45.00", "12")


def test_english_feed(app, client, shop_floor):
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/seller/{shop_floor.enterprise_id}/feeds/facebook.csv?lang=en").get_data(as_text=True))))
    assert rows[0]["title"] == "Lime juice – 250 g"
    assert rows[0]["brand"] == "Ban Paen Tai Lime"


def test_feeds_page_lists_what_is_left_out(app, client, shop_floor):
    html = client.get(f"/seller/{shop_floor.enterprise_id}/feeds?lang=en").get_data(as_text=True)
    assert "Left out" in html
    left_out = html[html.find("Left out"):]
    assert "Lime powder" in left_out and "Lime juice" not in left_out


def test_unapproved_enterprise_has_empty_feeds(app, client, shop_floor):
    suspend_enterprise(shop_floor.enterprise)
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(fetch(client, shop_floor, "facebook.csv").get_data(as_text=True))))
    assert rows == []


def test_secret_feed_urls_work_without_a_session(app, client, shop_floor):
    assert client.post(f"/seller/{shop_floor.enterprise_id}/feeds/key").status_code == 303
    html = client.get(f"/seller/{shop_floor.enterprise_id}/feeds").get_data(as_text=True)
    secret = feeds.secret_for(shop_floor.enterprise)
    url = f"/feeds/ban-paen-tai/{secret}/google.xml"
    assert f"http://localhost{url}" in html
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert "max-age=300" in response.headers["Cache-Control"]
    assert len(ET.fromstring(response.get_data()).findall("./channel/item")) == 2
    assert anonymous.get(f"/feeds/ban-paen-tai/{secret}/facebook.csv").status_code == 200
    assert anonymous.get(f"/feeds/ban-paen-tai/{secret}/other.csv").status_code == 404
    assert anonymous.get(f"/feeds/ban-paen-tai/{'0' * 40}/google.xml").status_code == 404
    # Rotating revokes the old URL.
    client.post(f"/seller/{shop_floor.enterprise_id}/feeds/key")
    assert anonymous.get(url).status_code == 404


def test_unknown_channel_is_404(app, client, shop_floor):
    assert client.get(f"/seller/{shop_floor.enterprise_id}/feeds/ebay.csv").status_code == 404


def test_experiences_stay_out_of_the_feeds(app, client, shop_floor):
    """A published experience with open sessions is neither a product nor shipped:
    the channels' product catalogues leave it out (docs/feeds.md)."""
    from shop.experiences import services as experiences
    from tests.experience_helpers import FORM

    experience = experiences.create_experience(shop_floor.enterprise, {**FORM, "title_en": "Lime farm walk"})
    day = experiences.local_now().date() + timedelta(days=3)
    experiences.add_session(experience, day=day.isoformat(), start_time="09:00", seats="5")
    for channel in ("facebook.csv", "google.xml", "tiktok.csv"):
        body = fetch(client, shop_floor, channel).get_data(as_text=True)
        assert "Lime farm walk" not in body and experience.slug not in body and "EXP-" not in body
    rows = list(csv.DictReader(io.StringIO(fetch(client, shop_floor, "facebook.csv").get_data(as_text=True))))
    assert [r["id"] for r in rows] == ["LJ-250", "LJ-500"]
