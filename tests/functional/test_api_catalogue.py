"""The catalogue in the JSON API (docs/product.md: Contracts): products, enterprises,
categories and search.

Given a small catalogue made with the factories, when a client reads the API with or
without a token, then it sees exactly what the storefront shows (never a draft or an
unapproved enterprise's product), lists page in a stable order, bad query values are
422s naming the field in the client's language, and every answer matches the OpenAPI
document's schema for it.
"""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from shop.accounts import api_tokens
from shop.accounts.models import RetailBuyer
from shop.api.catalog_schemas import ProductSort, SearchSort
from shop.catalog import services as catalog_services
from shop.catalog import status
from shop.catalog.models import ProductPhoto
from shop.extensions import db
from shop.search import services as search_services
from shop.search.indexer import rebuild
from tests import factories
from tests.api_helpers import bearer, token_for
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
)
from tests.status_helpers import move_listing, suspend_enterprise

API = "/api/v1"

# --- helpers ------------------------------------------------------------------------


_documents: dict[int, dict] = {}


def openapi(client) -> dict:
    key = id(client.application)
    if key not in _documents:
        response = client.get(f"{API}/openapi.json")
        assert response.status_code == 200
        _documents.clear()
        _documents[key] = response.get_json()
    return _documents[key]


def schema_for(doc: dict, path: str, status_code: int, method: str = "get") -> dict:
    operation = doc["paths"][path][method]
    answer = operation["responses"][str(status_code)]
    if "$ref" in answer:
        answer = doc["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    return answer["content"]["application/json"]["schema"]


def check(client, response, path: str, status_code: int = 200) -> dict:
    """Assert the status, and that the body is what the OpenAPI document promises for it."""
    assert response.status_code == status_code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    doc = openapi(client)
    schema = {**schema_for(doc, path, status_code), "components": doc["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    return body


def get(client, url: str, path: str | None = None, status_code: int = 200, **kwargs) -> dict:
    response = client.get(url, **kwargs)
    return check(client, response, path or url.split("?")[0], status_code)


def add_product_photo(product, position: int = 0) -> ProductPhoto:
    return factories.add_product_photo(product, position, alt_th="ภาพสินค้า", alt_en="Product photo")


def slugs(body: dict) -> list[str]:
    return [item["slug"] for item in body["data"]]


@pytest.fixture
def catalogue(app):
    """Two approved enterprises (Chiang Mai, Lampang), one pending; a category with a
    sub-category; live products, a draft and a hidden one."""
    food = CategoryFactory(slug="food", name_th="อาหาร", name_en="Food", position=1)
    coffee = CategoryFactory(slug="coffee", name_th="กาแฟ", name_en="Coffee", parent_id=food.id, position=1)
    textiles = CategoryFactory(slug="textiles", name_th="ผ้า", name_en="Textiles", position=2)
    mae_jaem = EnterpriseFactory(
        slug="ban-mae-jaem-coffee", name_th="วิสาหกิจชุมชนกาแฟบ้านแม่แจ่ม", name_en="Ban Mae Jaem Coffee Group",
        tagline_th="กาแฟคั่วโอ่งจากดอย", tagline_en="Jar-roasted coffee from the hills",
        village="บ้านแม่แจ่ม", district="แม่แจ่ม", subdistrict="ช่างเคิ่ง", province_code="50",
        track_stage=status.STAGE_NETWORKING, latitude=18.49, longitude=98.36,
    )
    add_enterprise_photo(mae_jaem)
    lampang = EnterpriseFactory(slug="lampang-weavers", name_th="กลุ่มทอผ้าลำปาง", name_en="Lampang Weavers",
                                province_code="52")
    pending = EnterpriseFactory(slug="pending-group", status=status.ENTERPRISE_PENDING, province_code="50")

    jar_coffee = ProductFactory(
        slug="jar-roasted-coffee", enterprise=mae_jaem, category=coffee, name_th="กาแฟคั่วโอ่ง",
        name_en="Jar-roasted coffee", summary_th="คั่วในโอ่งดิน", summary_en="Roasted in clay jars",
        is_featured=True, min_price_satang=18000, sales_count=30,
    )
    add_product_photo(jar_coffee, 0)
    add_product_photo(jar_coffee, 1)
    small = VariantFactory(product=jar_coffee, sku="JAR-250", name_th="250 กรัม", name_en="250 g",
                           price_satang=18000, stock=30, gtin13="8850000000011")
    VariantFactory(product=jar_coffee, sku="JAR-1K", name_th="1 กิโลกรัม", name_en="1 kg", price_satang=62000,
                   weight_grams=1000, stock=0, position=1)
    VariantFactory(product=jar_coffee, sku="JAR-OLD", name_th="เลิกขาย", name_en="Withdrawn", price_satang=1000,
                   stock=5, position=2, is_active=False)
    WholesaleTierFactory(variant=small, min_quantity=50, unit_price_satang=15500)
    WholesaleTierFactory(variant=small, min_quantity=200, unit_price_satang=14250)
    CertificationFactory(enterprise=mae_jaem, product=jar_coffee, kind="fda", number="5010112345678")
    CertificationFactory(enterprise=mae_jaem, product=None, kind="otop", number=None, stars=4)
    TagFactory(product=jar_coffee, tag="arabica")

    ground = ProductFactory(slug="ground-coffee", enterprise=mae_jaem, category=coffee, name_th="กาแฟบด",
                            name_en="Ground coffee", min_price_satang=15000, sales_count=5)
    VariantFactory(product=ground, sku="GROUND-1", price_satang=15000, stock=3)  # low stock
    drip = ProductFactory(slug="drip-bags", enterprise=mae_jaem, category=food, name_th="กาแฟดริป", name_en=None,
                          min_price_satang=9000, sales_count=12)
    VariantFactory(product=drip, sku="DRIP-1", price_satang=9000, stock=40)
    cloth = ProductFactory(slug="hand-woven-cloth", enterprise=lampang, category=textiles, name_th="ผ้าทอมือ",
                           name_en="Hand-woven cloth", min_price_satang=45000, sales_count=1)
    VariantFactory(product=cloth, sku="CLOTH-1", price_satang=45000, stock=8)

    draft = ProductFactory(slug="secret-drip-coffee", enterprise=mae_jaem, category=coffee, status=status.DRAFT,
                           name_th="กาแฟลับ", name_en="Secret coffee")
    VariantFactory(product=draft, sku="SECRET-1")
    hidden = ProductFactory(slug="pending-coffee", enterprise=pending, category=coffee,
                            name_th="กาแฟรอตรวจ", name_en="Unapproved enterprise coffee")
    VariantFactory(product=hidden, sku="PENDING-1")
    return {
        "food": food, "coffee": coffee, "textiles": textiles, "mae_jaem": mae_jaem, "lampang": lampang,
        "pending": pending, "jar_coffee": jar_coffee, "ground": ground, "drip": drip, "cloth": cloth,
        "draft": draft, "hidden": hidden,
    }


VISIBLE = {"jar-roasted-coffee", "ground-coffee", "drip-bags", "hand-woven-cloth"}

# --- the document -------------------------------------------------------------------


def test_the_document_describes_every_catalogue_endpoint(client):
    from openapi_spec_validator import validate

    doc = openapi(client)
    validate(doc)
    for path in ("/products", "/products/{product_id}", "/products/by-slug/{slug}", "/enterprises",
                 "/enterprises/{enterprise_id}", "/categories", "/search"):
        operation = doc["paths"][API + path]["get"]
        assert operation["tags"] == ["catalogue"]
        assert {"security": [{}, {"bearerAuth": []}]}.items() <= operation.items()
        assert "401" in operation["responses"] and "400" in operation["responses"]
    assert "503" in doc["paths"][f"{API}/search"]["get"]["responses"]
    assert "422" in doc["paths"][f"{API}/products"]["get"]["responses"]


def test_sort_names_are_the_storefronts():
    assert set(ProductSort.__args__) == set(catalog_services.SORT_LABELS)
    assert set(SearchSort.__args__) == set(search_services.SORT_LABELS)


# --- products -----------------------------------------------------------------------


def test_products_lists_only_what_is_on_sale(client, catalogue):
    body = get(client, f"{API}/products")
    assert set(slugs(body)) == VISIBLE
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 4, "pages": 1, "next_page": None}
    item = next(p for p in body["data"] if p["slug"] == "jar-roasted-coffee")
    assert item["name_th"] == "กาแฟคั่วโอ่ง" and item["name_en"] == "Jar-roasted coffee"
    assert item["price_min"]["satang"] == 18000 and item["price_max"]["satang"] == 62000
    assert item["in_stock"] is True and item["has_wholesale"] is True
    assert item["url"] == "/products/jar-roasted-coffee"
    assert item["cover_photo"]["card_url"].startswith("/") and item["cover_photo"]["card_url"].endswith("-card.webp")
    assert item["enterprise"]["slug"] == "ban-mae-jaem-coffee"
    assert item["enterprise"]["province"]["slug"] == "chiang-mai"
    assert item["category"]["slug"] == "coffee" and item["category"]["parent_id"] == catalogue["food"].id
    drip = next(p for p in body["data"] if p["slug"] == "drip-bags")
    assert drip["name_en"] is None and drip["cover_photo"] is None


def test_category_filter_includes_sub_categories(client, catalogue):
    assert set(slugs(get(client, f"{API}/products?category=food", f"{API}/products"))) == {
        "jar-roasted-coffee", "ground-coffee", "drip-bags"}
    assert set(slugs(get(client, f"{API}/products?category=coffee", f"{API}/products"))) == {
        "jar-roasted-coffee", "ground-coffee"}
    assert slugs(get(client, f"{API}/products?category=textiles", f"{API}/products")) == ["hand-woven-cloth"]


def test_enterprise_province_and_featured_filters(client, catalogue):
    path = f"{API}/products"
    assert slugs(get(client, f"{path}?enterprise=lampang-weavers", path)) == ["hand-woven-cloth"]
    assert set(slugs(get(client, f"{path}?province=chiang-mai", path))) == VISIBLE - {"hand-woven-cloth"}
    assert slugs(get(client, f"{path}?province=lampang&category=food", path)) == []
    assert slugs(get(client, f"{path}?featured=true", path)) == ["jar-roasted-coffee"]
    # Values are exact: leave a filter out rather than send it empty.
    for query in ("category=", "province=", "sort=", "enterprise=", "province=Chiang-Mai", "sort=NEWEST"):
        assert get(client, f"{path}?{query}", path, 422)["error"]["fields"]


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc", "bestselling"])
def test_sorts_follow_the_storefront(app, client, catalogue, sort):
    body = get(client, f"{API}/products?category=food&sort={sort}", f"{API}/products")
    ids = [catalogue["food"].id, catalogue["coffee"].id]
    with app.test_request_context("/"):
        storefront = catalog_services.products_in_categories(ids, sort, 1).items
    assert slugs(body) == [p.slug for p in storefront]


def test_price_sorts(client, catalogue):
    path = f"{API}/products"
    assert slugs(get(client, f"{path}?sort=price_asc", path)) == [
        "drip-bags", "ground-coffee", "jar-roasted-coffee", "hand-woven-cloth"]
    assert slugs(get(client, f"{path}?sort=bestselling", path))[0] == "jar-roasted-coffee"


@pytest.mark.parametrize(("query", "field"), [
    ("category=nothing-here", "category"),
    ("category=bad slug", "category"),
    ("enterprise=pending-group", "enterprise"),  # not approved: as unknown
    ("enterprise=nobody", "enterprise"),
    ("province=atlantis", "province"),
    ("sort=cheapest", "sort"),
    ("featured=maybe", "featured"),
])
def test_bad_filters_are_422_naming_the_field(client, catalogue, query, field):
    body = get(client, f"{API}/products?{query}", f"{API}/products", 422)
    assert body["error"]["code"] == "validation_failed"
    assert field in body["error"]["fields"]


# --- pagination ---------------------------------------------------------------------


def test_pages_keep_a_stable_order(client, catalogue):
    # Many products with the same price and date: the id breaks ties.
    same_time = catalogue["cloth"].published_at
    for n in range(7):
        product = ProductFactory(slug=f"tie-{n}", enterprise=catalogue["lampang"], category=catalogue["textiles"],
                                 min_price_satang=45000, published_at=same_time)
        VariantFactory(product=product, price_satang=45000)
    for sort in ("newest", "price_asc", "price_desc", "bestselling"):
        seen = []
        page = 1
        while True:
            body = get(client, f"{API}/products?per_page=3&page={page}&sort={sort}", f"{API}/products")
            assert body["meta"]["total"] == 11 and body["meta"]["pages"] == 4
            seen += slugs(body)
            if body["meta"]["next_page"] is None:
                break
            page = body["meta"]["next_page"]
        assert len(seen) == len(set(seen)) == 11, sort
        again = [s for p in range(1, 5)
                 for s in slugs(get(client, f"{API}/products?per_page=3&page={p}&sort={sort}", f"{API}/products"))]
        assert again == seen


def test_a_page_past_the_end_is_empty(client, catalogue):
    body = get(client, f"{API}/products?page=9&per_page=2", f"{API}/products")
    assert body["data"] == [] and body["meta"]["total"] == 4 and body["meta"]["next_page"] is None


@pytest.mark.parametrize(("query", "field"), [
    ("page=abc", "page"), ("page=0", "page"), ("page=10001", "page"), ("page=1.5", "page"),
    ("per_page=0", "per_page"), ("per_page=1000", "per_page"), ("per_page=-3", "per_page"),
    ("page=99999999999999999999999", "page"),
])
def test_bad_page_values_are_422(client, catalogue, query, field):
    for path in ("/products", "/enterprises"):
        body = get(client, f"{API}{path}?{query}", f"{API}{path}", 422)
        assert field in body["error"]["fields"]


def test_per_page_bounds_are_accepted(client, catalogue):
    assert len(get(client, f"{API}/products?per_page=1", f"{API}/products")["data"]) == 1
    assert len(get(client, f"{API}/products?per_page=100", f"{API}/products")["data"]) == 4


# --- product detail -----------------------------------------------------------------


def test_product_detail_shows_what_the_page_shows(client, catalogue):
    product = catalogue["jar_coffee"]
    body = get(client, f"{API}/products/{product.id}", f"{API}/products/{{product_id}}")
    assert body["id"] == product.id and body["slug"] == "jar-roasted-coffee"
    assert [v["sku"] for v in body["variants"]] == ["JAR-250", "JAR-1K"]  # the withdrawn one is not on sale
    small, big = body["variants"]
    assert small["price"] == {"satang": 18000, "display": small["price"]["display"]}
    assert "180" in small["price"]["display"]
    assert small["availability"] == "in_stock" and small["available_quantity"] == 30
    assert small["gtin13"] == "8850000000011" and small["weight_grams"] == 250
    assert small["moq"] == 1 and small["case_pack"] == 1
    assert big["availability"] == "sold_out" and big["available_quantity"] == 0
    assert small["wholesale_tiers"] is None and body["wholesale_visible"] is False  # not a retail buyer
    assert [p["width"] for p in body["photos"]] == [800, 800]
    assert body["photos"][0] == body["cover_photo"]
    assert body["tags"] == ["arabica"]
    assert [(c["kind"], c["number"], c["stars"]) for c in body["certifications"]] == [
        ("fda", "50-1-01123-4-5678", None), ("otop", None, 4)]
    assert body["category"]["slug"] == "coffee"
    assert body["enterprise"]["url"] == "/enterprises/ban-mae-jaem-coffee"
    assert body["url"] == "/products/jar-roasted-coffee"
    by_slug = get(client, f"{API}/products/by-slug/jar-roasted-coffee", f"{API}/products/by-slug/{{slug}}")
    assert by_slug == body


def test_low_stock_and_the_line_limit(app, client, catalogue):
    body = get(client, f"{API}/products/{catalogue['ground'].id}", f"{API}/products/{{product_id}}")
    assert body["variants"][0]["availability"] == "low" and body["variants"][0]["available_quantity"] == 3
    app.config["ORDER_MAX_LINE_QUANTITY"] = 10
    body = get(client, f"{API}/products/{catalogue['jar_coffee'].id}", f"{API}/products/{{product_id}}")
    assert body["variants"][0]["available_quantity"] == 10


def test_availability_labels_follow_the_language(client, catalogue):
    url = f"{API}/products/{catalogue['jar_coffee'].id}"
    english = get(client, url, f"{API}/products/{{product_id}}", headers={"Accept-Language": "en"})
    thai = get(client, url, f"{API}/products/{{product_id}}")
    assert english["variants"][1]["availability_label"] == "Out of stock"
    assert thai["variants"][1]["availability_label"] != "Out of stock"
    assert english["certifications"][0]["label"] != thai["certifications"][0]["label"]


def test_wholesale_prices_only_for_verified_retail_buyers(client, catalogue):
    url, path = f"{API}/products/{catalogue['jar_coffee'].id}", f"{API}/products/{{product_id}}"
    buyer = RetailBuyerFactory()
    body = get(client, url, path, headers=bearer(buyer.user))
    assert body["wholesale_visible"] is True
    assert [(t["min_quantity"], t["unit_price"]["satang"]) for t in body["variants"][0]["wholesale_tiers"]] == [
        (50, 15500), (200, 14250)]
    assert body["variants"][1]["wholesale_tiers"] == []
    pending = RetailBuyerFactory(status=RetailBuyer.PENDING)
    assert get(client, url, path, headers=bearer(pending.user))["variants"][0]["wholesale_tiers"] is None
    shopper = UserFactory()
    assert get(client, url, path, headers=bearer(shopper))["variants"][0]["wholesale_tiers"] is None


@pytest.mark.parametrize("which", ["draft", "hidden"])
def test_products_not_on_sale_are_404(client, catalogue, which):
    product = catalogue[which]
    body = get(client, f"{API}/products/{product.id}", f"{API}/products/{{product_id}}", 404)
    assert body["error"]["code"] == "not_found"
    get(client, f"{API}/products/by-slug/{product.slug}", f"{API}/products/by-slug/{{slug}}", 404)


def test_paused_product_and_suspended_enterprise_disappear(client, catalogue):
    move_listing(catalogue["cloth"], status.PAUSED)
    suspend_enterprise(catalogue["mae_jaem"])
    db.session.commit()
    assert slugs(get(client, f"{API}/products")) == []
    get(client, f"{API}/products/{catalogue['jar_coffee'].id}", f"{API}/products/{{product_id}}", 404)
    get(client, f"{API}/enterprises/{catalogue['mae_jaem'].id}", f"{API}/enterprises/{{enterprise_id}}", 404)


@pytest.mark.parametrize("product_id", ["999999", "0", "-1", "2147483648", "99999999999999999999", "abc"])
def test_unknown_product_ids_are_404_json(client, catalogue, product_id):
    response = client.get(f"{API}/products/{product_id}")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("slug", ["no-such-product", "bad%00slug", "%E0%B8%81%E0%B8%B2", "a" * 200])
def test_unknown_product_slugs_are_404_json(client, catalogue, slug):
    body = get(client, f"{API}/products/by-slug/{slug}", f"{API}/products/by-slug/{{slug}}", 404)
    assert body["error"]["code"] == "not_found"


# --- enterprises and categories ---------------------------------------------------------


def test_enterprises_list_and_province_filter(client, catalogue):
    path = f"{API}/enterprises"
    body = get(client, path)
    assert set(slugs(body)) == {"ban-mae-jaem-coffee", "lampang-weavers"}  # not the pending one
    assert body["meta"]["total"] == 2
    assert slugs(get(client, f"{path}?province=lampang", path)) == ["lampang-weavers"]
    assert slugs(get(client, f"{path}?province=phuket", path)) == []
    mae_jaem = next(e for e in body["data"] if e["slug"] == "ban-mae-jaem-coffee")
    assert mae_jaem["cover_photo"]["full_url"].endswith("-full.webp") and mae_jaem["village"] == "บ้านแม่แจ่ม"
    english = get(client, path, headers={"Accept-Language": "en"})
    assert slugs(english) == ["ban-mae-jaem-coffee", "lampang-weavers"]  # by English name


def test_enterprise_province_filter_refuses_unknown(client, catalogue):
    body = get(client, f"{API}/enterprises?province=atlantis", f"{API}/enterprises", 422)
    assert "province" in body["error"]["fields"]


def test_enterprise_detail(client, catalogue):
    enterprise = catalogue["mae_jaem"]
    body = get(client, f"{API}/enterprises/{enterprise.id}", f"{API}/enterprises/{{enterprise_id}}")
    assert body["slug"] == "ban-mae-jaem-coffee" and body["story_en"] == "The community's story"
    assert body["province"] == {"code": "50", "slug": "chiang-mai", "name_th": body["province"]["name_th"],
                                "name_en": "Chiang Mai"}
    assert body["track_stage"] == "networking"
    assert [s["state"] for s in body["track"]] == ["done", "done", "current", "todo"]
    assert [c["kind"] for c in body["certifications"]] == ["otop"]
    assert body["map_point"] == {"latitude": 18.49, "longitude": 98.36}
    assert body["product_count"] == 3
    assert body["products_url"] == f"{API}/products?enterprise=ban-mae-jaem-coffee"
    assert slugs(get(client, body["products_url"], f"{API}/products")) and body["url"] == "/enterprises/ban-mae-jaem-coffee"


@pytest.mark.parametrize("which", ["pending", None])
def test_hidden_or_unknown_enterprise_is_404(client, catalogue, which):
    enterprise_id = catalogue[which].id if which else 424242
    body = get(client, f"{API}/enterprises/{enterprise_id}", f"{API}/enterprises/{{enterprise_id}}", 404)
    assert body["error"]["code"] == "not_found"


def test_categories_flat_with_parents(client, catalogue):
    body = get(client, f"{API}/categories")
    by_slug = {c["slug"]: c for c in body["data"]}
    assert set(by_slug) == {"food", "coffee", "textiles"}
    assert by_slug["coffee"]["parent_id"] == by_slug["food"]["id"] and by_slug["food"]["parent_id"] is None
    assert by_slug["coffee"]["url"] == "/categories/coffee" and by_slug["coffee"]["name_en"] == "Coffee"


# --- search -------------------------------------------------------------------------


@pytest.fixture
def indexed(app, catalogue):
    db.session.commit()
    rebuild(app)
    return catalogue


def test_search_finds_products_with_facets(client, indexed):
    body = get(client, f"{API}/search?q=coffee", f"{API}/search")
    found = [h["product"]["slug"] for h in body["hits"]]
    assert "jar-roasted-coffee" in found and "ground-coffee" in found
    assert "secret-drip-coffee" not in found and "pending-coffee" not in found
    assert body["meta"]["total"] == len(found) and body["meta"]["per_page"] == search_services.PER_PAGE
    assert body["query"] == "coffee" and body["sort"] == "relevance"
    facets = {f["name"]: f for f in body["facets"]}
    assert set(facets) == {"category", "province", "cert", "price", "wholesale"}
    provinces = {o["value"]: o for o in facets["province"]["options"]}
    assert provinces["chiang-mai"]["count"] >= 2 and provinces["chiang-mai"]["selected"] is False
    hit = next(h for h in body["hits"] if h["product"]["slug"] == "jar-roasted-coffee")
    assert "<mark>" in hit["name_html"]


def test_search_filters_and_facet_labels(client, indexed):
    body = get(client, f"{API}/search?q=&province=lampang", f"{API}/search")
    assert [h["product"]["slug"] for h in body["hits"]] == ["hand-woven-cloth"]
    province = next(f for f in body["facets"] if f["name"] == "province")
    assert any(o["value"] == "lampang" and o["selected"] for o in province["options"])
    english = get(client, f"{API}/search?province=lampang", f"{API}/search", headers={"Accept-Language": "en"})
    thai = get(client, f"{API}/search?province=lampang", f"{API}/search", headers={"Accept-Language": "th"})
    label = {b["name"]: b["label"] for b in english["facets"]}
    assert label["province"] == "Province" and {b["name"]: b["label"] for b in thai["facets"]}["province"] != "Province"
    assert [h["product"]["slug"] for h in get(client, f"{API}/search?category=food&sort=price_asc",
                                              f"{API}/search")["hits"]] == [
        "drip-bags", "ground-coffee", "jar-roasted-coffee"]
    wholesale = get(client, f"{API}/search?wholesale=true", f"{API}/search")
    assert [h["product"]["slug"] for h in wholesale["hits"]] == ["jar-roasted-coffee"]
    assert [h["product"]["slug"] for h in get(client, f"{API}/search?cert=fda", f"{API}/search")["hits"]] == [
        "jar-roasted-coffee"]


def test_search_spelling(client, indexed):
    body = get(client, f"{API}/search?q=cofee", f"{API}/search")
    assert body["corrected_from"] == "cofee" and body["query"] == "coffee" and body["hits"]


def test_search_page_past_the_end(client, indexed):
    body = get(client, f"{API}/search?q=coffee&page=50", f"{API}/search")
    assert body["hits"] == [] and body["meta"]["page"] == 50 and body["meta"]["next_page"] is None


@pytest.mark.parametrize(("query", "field"), [
    ("category=no-such-category", "category"), ("province=atlantis", "province"), ("cert=iso9001", "cert"),
    ("price=cheap", "price"), ("wholesale=2", "wholesale"), ("sort=random", "sort"), ("page=0", "page"),
    ("page=201", "page"), ("page=abc", "page"), ("q=" + "x" * 2001, "q"), ("cert=FDA", "cert"),
    ("category=", "category"), ("price=", "price"), ("category=Food", "category"),
])
def test_bad_search_values_are_422(client, indexed, query, field):
    body = get(client, f"{API}/search?{query}", f"{API}/search", 422)
    assert field in body["error"]["fields"]


@pytest.mark.parametrize("q", ["%00", "((((", "*", "\"unclosed", "OR AND NOT", "กาแฟ" * 300, "%F0%9F%98%80",
                               "a%20" * 400])
def test_odd_search_queries_never_fail(client, indexed, q):
    response = client.get(f"{API}/search?q={q}")
    assert response.status_code in (200, 422)
    check(client, response, f"{API}/search", response.status_code)


def test_search_while_the_index_is_missing_is_503(client, catalogue):
    response = client.get(f"{API}/search?q=coffee")
    if response.status_code == 200:
        pytest.skip("the index is built on first use in this configuration")
    body = check(client, response, f"{API}/search", 503)
    assert body["error"]["code"] == "search_unavailable"
    english = check(client, client.get(f"{API}/search", headers={"Accept-Language": "en"}), f"{API}/search", 503)
    assert english["error"]["message"].startswith("Search is being rebuilt")
    assert body["error"]["message"] != english["error"]["message"]  # Thai by default


# --- tokens and languages -----------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/products", "/products/1", "/products/by-slug/jar-roasted-coffee", "/enterprises", "/enterprises/1",
    "/categories", "/search",
])
def test_a_bad_token_is_401_even_on_public_endpoints(client, catalogue, url):
    for headers in ({"Authorization": "Bearer cm_not-a-real-token"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer"}):
        response = client.get(API + url, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_token"
        assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_revoked_token_is_401_and_a_valid_one_is_fine(client, catalogue):
    user = UserFactory()
    secret = token_for(user)
    check(client, client.get(f"{API}/products", headers=bearer(secret)), f"{API}/products")
    token = api_tokens.authenticate(secret)
    api_tokens.revoke_token(user, token.id)
    body = check(client, client.get(f"{API}/products", headers=bearer(secret)), f"{API}/products", 401)
    assert body["error"]["code"] == "invalid_token"


def test_messages_follow_accept_language(client, catalogue):
    path = f"{API}/products"
    english = get(client, f"{path}?per_page=1000", path, 422, headers={"Accept-Language": "en"})
    thai = get(client, f"{path}?per_page=1000", path, 422, headers={"Accept-Language": "th"})
    default = get(client, f"{path}?per_page=1000", path, 422)
    assert english["error"]["fields"]["per_page"] == "Give at most 100."
    assert thai["error"]["fields"]["per_page"] != english["error"]["fields"]["per_page"]
    assert default == thai
    english = get(client, f"{API}/products/999999", f"{API}/products/{{product_id}}", 404,
                  headers={"Accept-Language": "en-GB,en;q=0.8"})
    thai = get(client, f"{API}/products/999999", f"{API}/products/{{product_id}}", 404)
    assert english["error"]["message"].startswith("We could not find that product")
    assert thai["error"]["message"] != english["error"]["message"]
    english = get(client, f"{path}?category=nothing", path, 422, headers={"Accept-Language": "en"})
    assert english["error"]["fields"]["category"] == "We do not have that category."
    assert get(client, f"{path}?category=nothing", path, 422)["error"]["fields"]["category"] != \
        "We do not have that category."


def test_prices_are_formatted_for_the_language(client, catalogue):
    url, path = f"{API}/products/{catalogue['cloth'].id}", f"{API}/products/{{product_id}}"
    english = get(client, url, path, headers={"Accept-Language": "en"})
    thai = get(client, url, path)
    assert english["price_min"]["satang"] == thai["price_min"]["satang"] == 45000
    assert "450" in english["price_min"]["display"] and "450" in thai["price_min"]["display"]
