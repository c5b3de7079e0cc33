"""Storefront pages (docs/product.md: Catalogue, Contracts): home, categories, products,
enterprises, provinces.

Given a small catalogue made with the factories, when a shopper (or a retail buyer)
opens a page, then they see what is on sale, in Thai by default and in English after
``?lang=en``, and never a hidden product or a server error.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import event

from shop.accounts.models import RetailBuyer
from shop.catalog import status
from shop.dbtypes import utcnow
from shop.extensions import db
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    EnterpriseFactory,
    ProductFactory,
    RetailBuyerFactory,
    TagFactory,
    UserFactory,
    VariantFactory,
    WholesaleTierFactory,
    add_enterprise_photo,
    add_product_photo,
)

# --- helpers ------------------------------------------------------------------------


def sellable_product(**kwargs):
    """A live product of an approved enterprise with one photo and one variant in stock."""
    product = ProductFactory(**kwargs)
    add_product_photo(product)
    VariantFactory(product=product, price_satang=product.min_price_satang or 12000)
    return product


@contextlib.contextmanager
def count_queries():
    counter = {"n": 0}

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def catalogue(app):
    """Two approved enterprises in Chiang Mai and Lampang, a category, live products."""
    coffee = CategoryFactory(slug="coffee", name_th="กาแฟ", name_en="Coffee")
    mae_jaem = EnterpriseFactory(
        slug="ban-mae-jaem-coffee", name_th="วิสาหกิจชุมชนกาแฟบ้านแม่แจ่ม", name_en="Ban Mae Jaem Coffee Group",
        tagline_th="กาแฟคั่วโอ่งจากดอย", tagline_en="Jar-roasted coffee from the hills",
        story_th="ชาวบ้านแม่แจ่มปลูกกาแฟใต้ร่มไม้", story_en="The people of Mae Jaem grow coffee under the forest canopy.",
        village="บ้านแม่แจ่ม", district="แม่แจ่ม", subdistrict="ช่างเคิ่ง", province_code="50",
        track_stage=status.STAGE_NETWORKING, is_featured=True,
    )
    add_enterprise_photo(mae_jaem)
    lampang = EnterpriseFactory(slug="lampang-weavers", name_th="กลุ่มทอผ้าลำปาง", name_en="Lampang Weavers",
                                province_code="52")
    jar_coffee = ProductFactory(
        slug="jar-roasted-coffee", enterprise=mae_jaem, category=coffee, name_th="กาแฟคั่วโอ่ง",
        name_en="Jar-roasted coffee", summary_th="คั่วในโอ่งดิน", summary_en="Roasted in clay jars",
        description_th="กาแฟอาราบิกาจากดอย", description_en="Arabica from the hills", is_featured=True,
        min_price_satang=18000,
    )
    add_product_photo(jar_coffee, 0)
    add_product_photo(jar_coffee, 1)
    small = VariantFactory(product=jar_coffee, name_th="250 กรัม", name_en="250 g", price_satang=18000, stock=30)
    VariantFactory(product=jar_coffee, name_th="1 กิโลกรัม", name_en="1 kg", price_satang=62000, weight_grams=1000,
                   stock=0, position=1)
    WholesaleTierFactory(variant=small, min_quantity=50, unit_price_satang=15500)
    WholesaleTierFactory(variant=small, min_quantity=200, unit_price_satang=14250)
    CertificationFactory(enterprise=mae_jaem, product=jar_coffee, kind="fda", number="5010112345678")
    CertificationFactory(enterprise=mae_jaem, product=None, kind="otop", number=None, stars=4)
    TagFactory(product=jar_coffee, tag="arabica")
    cloth = sellable_product(slug="hand-woven-cloth", enterprise=lampang, category=CategoryFactory(slug="textiles"),
                             name_th="ผ้าทอมือ", name_en="Hand-woven cloth", min_price_satang=45000)
    return {"category": coffee, "enterprise": mae_jaem, "product": jar_coffee, "other_enterprise": lampang,
            "other_product": cloth}


# --- every page, in Thai and in English ---------------------------------------------


PAGES = [
    ("/", "กาแฟคั่วโอ่ง", "Jar-roasted coffee"),
    ("/categories", "กาแฟ", "Coffee"),
    ("/categories/coffee", "กาแฟคั่วโอ่ง", "Jar-roasted coffee"),
    ("/products/jar-roasted-coffee", "คั่วในโอ่งดิน", "Roasted in clay jars"),
    ("/enterprises", "วิสาหกิจชุมชนกาแฟบ้านแม่แจ่ม", "Ban Mae Jaem Coffee Group"),
    ("/enterprises/ban-mae-jaem-coffee", "ชาวบ้านแม่แจ่มปลูกกาแฟ", "grow coffee under the forest canopy"),
    ("/provinces", "เชียงใหม่", "Chiang Mai"),
    ("/provinces/chiang-mai", "เชียงใหม่", "Chiang Mai"),
]


@pytest.mark.parametrize(("url", "thai_text", "english_text"), PAGES)
def test_page_shows_thai_by_default_and_english_on_request(client, catalogue, url, thai_text, english_text):
    thai = client.get(url)
    assert thai.status_code == 200
    body = text_of(thai)
    assert '<html lang="th">' in body
    assert thai_text in body

    english = client.get(url + "?lang=en")
    assert english.status_code == 200
    body = text_of(english)
    assert '<html lang="en">' in body
    assert english_text in body
    assert thai_text not in body or url == "/categories"  # "กาแฟ" is also part of a Thai-only village name


def test_language_choice_is_remembered_for_the_next_request(client, catalogue):
    client.get("/?lang=en")
    body = text_of(client.get("/products/jar-roasted-coffee"))
    assert '<html lang="en">' in body
    assert "Jar-roasted coffee" in body
    assert 'href="/products/jar-roasted-coffee?lang=th"' in body  # the switch back to Thai
    client.get("/?lang=th")
    assert '<html lang="th">' in text_of(client.get("/products/jar-roasted-coffee"))


def test_language_switch_marks_the_current_language(client, catalogue):
    body = text_of(client.get("/categories/coffee?sort=price_asc"))
    assert 'href="/categories/coffee?sort=price_asc&amp;lang=th" lang="th" hreflang="th" aria-current="true"' in body
    assert 'href="/categories/coffee?sort=price_asc&amp;lang=en" lang="en" hreflang="en">' in body


def test_thai_interface_text_is_translated(client, catalogue):
    body = text_of(client.get("/"))
    assert "สินค้ามาใหม่" in body  # "New arrivals"
    assert "ซื้อตรงจากชุมชน" in body  # the hero
    body = text_of(client.get("/?lang=en"))
    assert "New arrivals" in body


def test_an_unknown_language_is_ignored(client, catalogue):
    response = client.get("/?lang=fr")
    assert response.status_code == 200
    assert "ซื้อตรงจากชุมชน" in text_of(response)  # Thai, the default, as before
    client.get("/?lang=en")
    assert "New arrivals" in text_of(client.get("/?lang=%00%ff"))


def test_security_headers_on_storefront_pages(client, catalogue):
    response = client.get("/products/jar-roasted-coffee")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # No inline scripts or style attributes, which the policy would block.
    body = text_of(response)
    assert "<script>" not in body and " style=" not in body and " onclick=" not in body


# --- home --------------------------------------------------------------------------


def test_home_shows_featured_new_categories_provinces_and_enterprises(client, catalogue):
    body = text_of(client.get("/?lang=en"))
    assert "Buy direct from Thai villages" in body
    assert "Featured products" in body and "Jar-roasted coffee" in body
    assert "Hand-woven cloth" in body  # a new arrival
    assert 'href="/categories/coffee"' in body
    assert 'href="/provinces/chiang-mai"' in body and 'href="/provinces/lampang"' in body
    assert "1 enterprise" in body
    assert "Jar-roasted coffee from the hills" in body  # the enterprise's story line


def test_home_lists_only_provinces_with_approved_enterprises(client, catalogue):
    EnterpriseFactory(province_code="10", status=status.ENTERPRISE_PENDING)  # Bangkok, not approved
    body = text_of(client.get("/?lang=en"))
    assert 'href="/provinces/bangkok"' not in body
    assert 'href="/provinces/chiang-mai"' in body


def test_home_on_an_empty_shop(client):
    response = client.get("/")
    assert response.status_code == 200


# --- visibility -------------------------------------------------------------------


@pytest.mark.parametrize("product_status", [status.DRAFT, status.PENDING_REVIEW, status.PAUSED, status.ARCHIVED])
def test_a_product_that_is_not_live_is_not_found(client, catalogue, product_status):
    hidden = sellable_product(slug="hidden-one", name_en="Hidden one", status=product_status,
                              enterprise=catalogue["enterprise"], category=catalogue["category"])
    assert client.get(f"/products/{hidden.slug}").status_code == 404
    for url in ("/?lang=en", "/categories/coffee", "/enterprises/ban-mae-jaem-coffee", "/provinces/chiang-mai"):
        assert "Hidden one" not in text_of(client.get(url))


@pytest.mark.parametrize(
    "enterprise_status",
    [status.ENTERPRISE_PENDING, status.ENTERPRISE_REJECTED, status.ENTERPRISE_SUSPENDED],
)
def test_products_and_page_of_an_enterprise_not_approved_are_not_found(client, catalogue, enterprise_status):
    enterprise = EnterpriseFactory(slug="not-approved", name_en="Not approved group", status=enterprise_status)
    product = sellable_product(slug="from-unapproved", name_en="From unapproved", enterprise=enterprise,
                               category=catalogue["category"])
    assert client.get(f"/products/{product.slug}").status_code == 404
    assert client.get("/enterprises/not-approved").status_code == 404
    for url in ("/?lang=en", "/categories/coffee", "/enterprises", "/provinces/chiang-mai"):
        body = text_of(client.get(url))
        assert "From unapproved" not in body and "Not approved group" not in body


@pytest.mark.parametrize(
    "url",
    ["/products/no-such-product", "/categories/no-such-category", "/enterprises/no-such-group",
     "/provinces/no-such-province", "/provinces/"],
)
def test_unknown_objects_are_not_found(client, catalogue, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "error-page" in text_of(response)


# --- category: sort and pagination ------------------------------------------------


def test_category_sorts_by_price_and_best_selling(client, catalogue):
    category = catalogue["category"]
    enterprise = catalogue["enterprise"]
    now = utcnow()
    sellable_product(slug="cheap", name_en="Cheap beans", min_price_satang=5000, sales_count=1,
                     enterprise=enterprise, category=category, published_at=now - timedelta(days=3))
    sellable_product(slug="dear", name_en="Dear beans", min_price_satang=99000, sales_count=50,
                     enterprise=enterprise, category=category, published_at=now - timedelta(days=2))

    def order(sort):
        body = text_of(client.get(f"/categories/coffee?sort={sort}&lang=en"))
        names = ["Cheap beans", "Dear beans", "Jar-roasted coffee"]
        return sorted(names, key=body.index)

    assert order("price_asc") == ["Cheap beans", "Jar-roasted coffee", "Dear beans"]
    assert order("price_desc") == ["Dear beans", "Jar-roasted coffee", "Cheap beans"]
    assert order("bestselling")[0] == "Dear beans"
    assert order("newest")[0] == "Jar-roasted coffee"


def test_category_paginates_24_a_page(client, catalogue):
    category = catalogue["category"]
    for n in range(25):  # 26 products in the category with the fixture's one
        ProductFactory(slug=f"bulk-{n}", name_en=f"Bulk {n}", enterprise=catalogue["enterprise"], category=category)
    first = text_of(client.get("/categories/coffee?lang=en"))
    assert first.count('class="card product-card"') == 24
    assert 'rel="next" href="/categories/coffee?page=2"' in first
    assert 'rel="prev"' not in first
    second = text_of(client.get("/categories/coffee?page=2"))
    assert second.count('class="card product-card"') == 2
    assert 'rel="next"' not in second and 'rel="prev" href="/categories/coffee"' in second
    assert client.get("/categories/coffee?page=3").status_code == 404


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=-1", "page=1.5", "page=99999999999999999999",
                                   "page=%EF%BC%91", "page=" + "9" * 5000, "sort=cheapest", "sort=%27%3Bdrop"])
def test_bad_page_or_sort_is_a_clear_400(client, catalogue, query):
    response = client.get(f"/categories/coffee?{query}&lang=en")
    assert response.status_code == 400
    body = text_of(response)
    assert "page number" in body or "sort" in body


def test_empty_page_and_sort_fall_back_to_the_first_page_newest(client, catalogue):
    response = client.get("/categories/coffee?page=&sort=")
    assert response.status_code == 200
    assert "กาแฟคั่วโอ่ง" in text_of(response)


def test_category_includes_its_subcategories(client, catalogue):
    sub = CategoryFactory(slug="green-beans", name_en="Green beans", parent=catalogue["category"])
    sellable_product(slug="green", name_en="Green coffee beans", enterprise=catalogue["enterprise"], category=sub)
    body = text_of(client.get("/categories/coffee?lang=en"))
    assert 'href="/categories/green-beans"' in body and "Green coffee beans" in body
    sub_page = text_of(client.get("/categories/green-beans"))
    assert "Green coffee beans" in sub_page and "Jar-roasted coffee" not in sub_page


def test_category_includes_products_of_every_level_below_it(client, catalogue):
    # coffee > green beans > washed: a product two levels down is on the coffee page,
    # and the API's category filter agrees with the storefront.
    sub = CategoryFactory(slug="green-beans", name_en="Green beans", parent=catalogue["category"])
    grandchild = CategoryFactory(slug="washed-beans", name_en="Washed beans", parent=sub)
    sellable_product(slug="washed", name_en="Washed green beans", enterprise=catalogue["enterprise"],
                     category=grandchild)
    for slug in ("coffee", "green-beans", "washed-beans"):
        assert "Washed green beans" in text_of(client.get(f"/categories/{slug}?lang=en")), slug
    api = client.get("/api/v1/products?category=coffee").get_json()
    assert {"washed", "jar-roasted-coffee"} <= {p["slug"] for p in api["data"]}
    assert "Jar-roasted coffee" not in text_of(client.get("/categories/washed-beans?lang=en"))


# --- product page -------------------------------------------------------------------


def test_product_page_shows_everything_a_shopper_needs(client, catalogue):
    body = text_of(client.get("/products/jar-roasted-coffee?lang=en"))
    assert "Jar-roasted coffee" in body and "Roasted in clay jars" in body and "Arabica from the hills" in body
    assert "from</span> ฿180" in body  # variants differ: the lowest price
    assert "฿620" in body and "250 g" in body and "1 kg" in body
    assert "In stock" in body and "Out of stock" in body
    assert "50-1-01123-4-5678" in body  # the FDA number, formatted
    assert "OTOP star product" in body and 'aria-label="4 stars"' in body
    assert "#arabica" in body
    assert 'href="/enterprises/ban-mae-jaem-coffee"' in body and "The people of Mae Jaem" in body
    assert "srcset=" in body and "-full.webp 1200w" in body
    assert body.count("data-gallery-thumb") == 2
    # The add-to-cart form posts the chosen option and a quantity to the cart.
    assert 'action="/cart/add"' in body and 'name="quantity"' in body


def test_product_without_photos_shows_a_placeholder(client, catalogue):
    bare = ProductFactory(slug="bare", enterprise=catalogue["enterprise"], category=catalogue["category"])
    VariantFactory(product=bare)
    body = text_of(client.get("/products/bare?lang=en"))
    assert 'class="ph ph--product" role="img" aria-label="No photo yet"' in body
    assert "<img src=\"/media" not in body.split("Who made it")[0]


def test_product_page_shows_more_from_the_enterprise(client, catalogue):
    sellable_product(slug="coffee-two", name_en="Coffee two", enterprise=catalogue["enterprise"],
                     category=catalogue["category"])
    body = text_of(client.get("/products/jar-roasted-coffee?lang=en"))
    assert "More from Ban Mae Jaem Coffee Group" in body and "Coffee two" in body


def test_wholesale_tiers_are_hidden_from_guests(client, catalogue):
    body = text_of(client.get("/products/jar-roasted-coffee?lang=en"))
    assert "Wholesale prices for verified retail buyers" in body
    assert "฿155" not in body and "฿142.50" not in body


def test_wholesale_tiers_are_hidden_from_unverified_buyers(client, catalogue, sign_in):
    buyer = RetailBuyerFactory(status=RetailBuyer.PENDING)
    sign_in(buyer.user)
    body = text_of(client.get("/products/jar-roasted-coffee?lang=en"))
    assert "Wholesale prices for verified retail buyers" in body
    assert "฿155" not in body


def test_wholesale_tiers_are_hidden_from_ordinary_shoppers(client, catalogue, sign_in):
    sign_in(UserFactory())
    assert "฿155" not in text_of(client.get("/products/jar-roasted-coffee?lang=en"))


def test_wholesale_tiers_are_shown_to_verified_retail_buyers(client, catalogue, sign_in):
    buyer = RetailBuyerFactory(status=RetailBuyer.VERIFIED)
    sign_in(buyer.user)
    body = text_of(client.get("/products/jar-roasted-coffee?lang=en"))
    assert "฿155" in body and "฿142.50" in body
    assert "50 units or more" in body and "200 units or more" in body


# --- enterprises and provinces -------------------------------------------------------


def test_enterprise_page_shows_story_place_stage_and_products(client, catalogue):
    body = text_of(client.get("/enterprises/ban-mae-jaem-coffee?lang=en"))
    assert "The people of Mae Jaem grow coffee" in body
    assert "บ้านแม่แจ่ม" in body and "ช่างเคิ่ง" in body and 'href="/provinces/chiang-mai"' in body
    assert "Current stage: Networking" in body
    assert body.count('class="track-step') == 4
    assert 'track-step--current" aria-current="step"' in body
    assert body.count("track-step--done") == 2
    assert "OTOP star product" in body
    assert "Jar-roasted coffee" in body
    thai = text_of(client.get("/enterprises/ban-mae-jaem-coffee?lang=th"))
    assert "ชาวบ้านแม่แจ่มปลูกกาแฟ" in thai


def test_enterprise_list_filters_by_province(client, catalogue):
    body = text_of(client.get("/enterprises?province=lampang&lang=en"))
    assert "Lampang Weavers" in body and "Ban Mae Jaem Coffee Group" not in body
    body = text_of(client.get("/enterprises?lang=en"))
    assert "Lampang Weavers" in body and "Ban Mae Jaem Coffee Group" in body
    response = client.get("/enterprises?province=atlantis")
    assert response.status_code == 400


def test_provinces_page_lists_provinces_with_counts(client, catalogue):
    EnterpriseFactory(province_code="50")
    body = text_of(client.get("/provinces?lang=en"))
    assert "Chiang Mai" in body and "2 enterprises" in body
    assert "Lampang" in body and "1 enterprise" in body
    assert "Bangkok" not in body


def test_province_page_shows_its_enterprises_and_products(client, catalogue):
    body = text_of(client.get("/provinces/lampang?lang=en"))
    assert "Lampang Weavers" in body and "Hand-woven cloth" in body
    assert "Ban Mae Jaem Coffee Group" not in body and "Jar-roasted coffee" not in body
    # A real province without enterprises still has a page.
    assert client.get("/provinces/bangkok").status_code == 200


# --- no N+1 queries ---------------------------------------------------------------


def test_category_page_queries_do_not_grow_with_products(client, catalogue):
    category = catalogue["category"]

    def queries_for_category_page():
        client.get("/categories/coffee")  # warm caches (locale, session)
        with count_queries() as counter:
            response = client.get("/categories/coffee")
        assert response.status_code == 200
        return counter["n"], text_of(response).count('class="card product-card"')

    few, shown = queries_for_category_page()
    assert shown == 1
    for n in range(30):
        enterprise = EnterpriseFactory() if n % 3 == 0 else catalogue["enterprise"]
        product = sellable_product(slug=f"many-{n}", enterprise=enterprise, category=category)
        add_product_photo(product, 1)
        VariantFactory(product=product, price_satang=99900)
    many, shown = queries_for_category_page()
    assert shown == 24
    assert many == few
    assert many <= 10


@pytest.mark.parametrize("url", ["/", "/products/jar-roasted-coffee", "/enterprises/ban-mae-jaem-coffee",
                                 "/provinces/chiang-mai", "/enterprises"])
def test_other_pages_use_a_bounded_number_of_queries(client, catalogue, url):
    for n in range(12):
        sellable_product(slug=f"extra-{n}", enterprise=catalogue["enterprise"], category=catalogue["category"],
                         is_featured=True)
        add_enterprise_photo(EnterpriseFactory(is_featured=True))
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    assert counter["n"] <= 14
