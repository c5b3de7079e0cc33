"""Sharing and search engines on the storefront (docs/product.md: Sharing and search
engines): canonical URLs, hreflang alternates, Open Graph and Twitter cards, schema.org
JSON-LD checked against the schema.org vocabulary, and the LINE / Facebook share links.

Given a small catalogue, when a crawler or a link preview opens a page, then it finds
absolute links to the page in each language, an image to show, and structured data
that schema.org and Google's Product rules accept; no product name can break out of
the JSON-LD script element.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from shop.catalog import seo
from shop.catalog import status as catalog_status
from shop.extensions import db
from tests.factories import (
    CategoryFactory,
    EnterpriseFactory,
    ProductFactory,
    VariantFactory,
    add_enterprise_photo,
    add_product_photo,
)
from tests.schemaorg_helpers import google_product_problems, validate

BASE = "http://localhost"  # PUBLIC_BASE_URL in the test configuration


class HeadParser(HTMLParser):
    """The ``<link>``/``<meta>`` tags, JSON-LD scripts and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.meta: list[dict] = []
        self.anchors: list[dict] = []
        self.buttons: list[dict] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta":
            self.meta.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs)
        elif tag == "button":
            self.buttons.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def prop(self, name: str) -> list[str]:
        return [m.get("content") for m in self.meta if m.get("property") == name or m.get("name") == name]

    def one(self, name: str) -> str:
        values = self.prop(name)
        assert len(values) == 1, (name, values)
        return values[0]

    def canonical(self) -> str:
        found = [link["href"] for link in self.links if link.get("rel") == "canonical"]
        assert len(found) == 1, found
        return found[0]

    def alternates(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links if link.get("rel") == "alternate"}

    def structured(self) -> list[dict]:
        return [json.loads(text) for text in self.json_ld]

    def of_type(self, name: str) -> dict:
        found = [node for node in self.structured() if node.get("@type") == name]
        assert len(found) == 1, (name, [n.get("@type") for n in self.structured()])
        return found[0]


def parse(response) -> HeadParser:
    assert response.status_code == 200, response.status_code
    parser = HeadParser()
    parser.feed(response.get_data(as_text=True))
    return parser


def assert_valid(node: dict) -> None:
    problems = validate(node)
    assert problems == [], problems


@pytest.fixture
def shop(app):
    food = CategoryFactory(slug="food", name_th="อาหาร", name_en="Food")
    coffee = CategoryFactory(slug="coffee", name_th="กาแฟ", name_en="Coffee", parent=food)
    maker = EnterpriseFactory(
        slug="mae-jaem", name_th="วิสาหกิจชุมชนกาแฟแม่แจ่ม", name_en="Mae Jaem Coffee Group",
        tagline_th="กาแฟคั่วโอ่ง", tagline_en="Jar-roasted coffee", district="แม่แจ่ม", province_code="50",
        latitude=18.4979, longitude=98.3619,
    )
    add_enterprise_photo(maker)
    product = ProductFactory(
        slug="jar-coffee", enterprise=maker, category=coffee, name_th="กาแฟคั่วโอ่ง", name_en="Jar-roasted coffee",
        summary_th="คั่วในโอ่งดิน", summary_en="Roasted in clay jars", description_en="Arabica from Mae Jaem.",
    )
    cover = add_product_photo(product, alt_en="A bag of coffee")
    add_product_photo(product, position=1)
    VariantFactory(product=product, sku="JC-250", name_en="250 g", price_satang=12000, stock=8,
                   gtin13="8851042000013", position=0)
    VariantFactory(product=product, sku="JC-1KG", name_en="1 kg", price_satang=45050, stock=0, position=1)
    VariantFactory(product=product, sku="JC-OLD", name_en="Old size", price_satang=9900, stock=5, position=2,
                   is_active=False)
    db.session.commit()
    return {"product": product, "enterprise": maker, "cover": cover, "coffee": coffee, "food": food}


# --- canonical URL and hreflang ----------------------------------------------------------


def test_product_page_has_an_absolute_canonical_url_and_language_alternates(client, shop):
    page = parse(client.get("/products/jar-coffee?variant=JC-250&utm_source=line&fbclid=abc"))

    assert page.canonical() == f"{BASE}/products/jar-coffee?lang=th"
    assert page.alternates() == {
        "th": f"{BASE}/products/jar-coffee?lang=th",
        "en": f"{BASE}/products/jar-coffee?lang=en",
        "x-default": f"{BASE}/products/jar-coffee",
    }


def test_the_english_page_is_its_own_canonical(client, shop):
    page = parse(client.get("/products/jar-coffee?lang=en"))

    assert page.canonical() == f"{BASE}/products/jar-coffee?lang=en"
    assert page.one("og:locale") == "en_US"
    assert page.prop("og:locale:alternate") == ["th_TH"]
    # The language is remembered: the next page without ?lang= is English too.
    assert parse(client.get("/enterprises/mae-jaem")).canonical() == f"{BASE}/enterprises/mae-jaem?lang=en"


def test_lists_keep_the_page_number_and_filters_but_drop_the_sort_order(app, shop):
    with app.test_request_context("/categories/coffee?page=3&sort=price_asc&utm_campaign=x&lang=en"):
        app.preprocess_request()
        links = seo.page_links(("page",))
    assert links.canonical == f"{BASE}/categories/coffee?page=3&lang=en"
    assert dict(links.alternates)["x-default"] == f"{BASE}/categories/coffee?page=3"

    with app.test_request_context("/categories/coffee?page=1&sort=newest"):
        assert seo.page_links(("page",)).neutral == f"{BASE}/categories/coffee"

    with app.test_request_context("/enterprises?province=Chiang-Mai&session=abc"):
        assert seo.page_links(("province", "page")).neutral == f"{BASE}/enterprises?province=chiang-mai"


@pytest.mark.parametrize("path", ["/", "/categories", "/categories/coffee?sort=price_desc", "/enterprises",
                                  "/enterprises/mae-jaem", "/provinces", "/provinces/chiang-mai"])
def test_every_storefront_page_has_canonical_alternates_and_a_preview(client, shop, path):
    page = parse(client.get(path))

    canonical = page.canonical()
    assert canonical.startswith(f"{BASE}/") and "sort=" not in canonical
    assert set(page.alternates()) == {"th", "en", "x-default"}
    assert page.one("og:url") == canonical
    assert page.one("og:image").startswith(f"{BASE}/")
    assert page.one("twitter:card") == "summary_large_image"
    assert page.one("og:site_name")
    assert page.one("og:title")
    for node in page.structured():
        assert_valid(node)


def test_pages_without_a_photo_show_the_site_card(client, shop):
    page = parse(client.get("/categories"))

    assert page.one("og:image") == f"{BASE}/static/img/share-card.png"
    assert (page.one("og:image:width"), page.one("og:image:height")) == ("1200", "630")
    assert client.get("/static/img/share-card.png").status_code == 200


# --- Open Graph ----------------------------------------------------------------------------


def test_product_page_open_graph_uses_the_cover_photo_at_sharing_size(client, shop):
    page = parse(client.get("/products/jar-coffee?lang=en"))
    cover = shop["cover"]

    assert page.one("og:type") == "product"
    assert page.one("og:title") == "Jar-roasted coffee"
    assert page.one("og:description") == "Roasted in clay jars"
    assert page.one("og:image") == f"{BASE}/media/products/{cover.image_key}-full.webp"
    assert page.one("og:image:width") == str(cover.width)
    assert page.one("og:image:height") == str(cover.height)
    assert page.one("og:image:alt") == "Jar-roasted coffee"
    assert page.one("product:price:amount") == "120.00"  # the lowest active option
    assert page.one("product:price:currency") == "THB"
    assert page.one("twitter:image") == page.one("og:image")


def test_enterprise_page_open_graph_uses_its_photo(client, shop):
    page = parse(client.get("/enterprises/mae-jaem"))
    photo = shop["enterprise"].photos[0]

    assert page.one("og:type") == "website"
    assert page.one("og:image") == f"{BASE}/media/enterprises/{photo.image_key}-full.webp"
    assert page.one("og:locale") == "th_TH"
    assert page.prop("product:price:amount") == []


# --- JSON-LD -------------------------------------------------------------------------------


def test_product_json_ld_validates_with_one_offer_per_active_variant(client, shop):
    page = parse(client.get("/products/jar-coffee?lang=en"))
    product = page.of_type("Product")

    assert_valid(product)
    assert google_product_problems(product) == []
    assert product["name"] == "Jar-roasted coffee"
    assert product["description"] == "Arabica from Mae Jaem."
    assert product["brand"] == {"@type": "Brand", "name": "Mae Jaem Coffee Group"}
    assert product["category"] == "Coffee"
    assert len(product["image"]) == 2 and all(url.startswith(f"{BASE}/media/") for url in product["image"])
    offers = {offer["sku"]: offer for offer in product["offers"]}
    assert set(offers) == {"JC-250", "JC-1KG"}  # the inactive option is not offered
    assert offers["JC-250"]["price"] == "120.00"
    assert offers["JC-250"]["availability"] == "https://schema.org/InStock"
    assert offers["JC-250"]["gtin13"] == "8851042000013"
    assert offers["JC-1KG"]["price"] == "450.50"
    assert offers["JC-1KG"]["availability"] == "https://schema.org/OutOfStock"
    assert "gtin13" not in offers["JC-1KG"]
    for sku, offer in offers.items():
        assert offer["priceCurrency"] == "THB"
        assert offer["url"] == f"{BASE}/products/jar-coffee?variant={sku}"
        assert offer["seller"]["name"] == "Mae Jaem Coffee Group"
        assert client.get(offer["url"].removeprefix(BASE)).status_code == 200
    assert "aggregateRating" not in product and "review" not in product


def test_a_single_option_product_carries_its_sku_and_gtin(client, shop):
    single = ProductFactory(slug="lime-powder", enterprise=shop["enterprise"], category=shop["food"])
    VariantFactory(product=single, sku="LP-1", gtin13="8851042000020", price_satang=5000)

    product = parse(client.get("/products/lime-powder")).of_type("Product")

    assert (product["sku"], product["gtin13"]) == ("LP-1", "8851042000020")
    assert_valid(product)


def test_breadcrumbs_run_from_home_through_the_categories_to_the_product(client, shop):
    crumbs = parse(client.get("/products/jar-coffee?lang=en")).of_type("BreadcrumbList")

    assert_valid(crumbs)
    assert [(item["position"], item["name"], item["item"]) for item in crumbs["itemListElement"]] == [
        (1, "Home", f"{BASE}/"),
        (2, "Food", f"{BASE}/categories/food"),
        (3, "Coffee", f"{BASE}/categories/coffee"),
        (4, "Jar-roasted coffee", f"{BASE}/products/jar-coffee"),
    ]


def test_ratings_add_an_aggregate_rating(client, shop):
    product = shop["product"]
    product.rating_sum, product.rating_count = 23, 5
    db.session.commit()

    data = parse(client.get("/products/jar-coffee")).of_type("Product")

    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 4.6, "ratingCount": 5,
                                       "bestRating": 5, "worstRating": 1}
    assert_valid(data)
    assert google_product_problems(data) == []


def test_reviews_given_to_the_builder_become_review_items(app, shop):
    reviews = [("Somchai", 5, "หอมมาก </script>", date(2026, 11, 30)),
               seo.ReviewItem(author="Anna", rating=4, text="", date=None)]
    with app.test_request_context("/products/jar-coffee?lang=en"):
        app.preprocess_request()
        data = seo.product_json_ld(shop["product"], reviews)

    assert_valid(data)
    assert data["review"][0] == {
        "@type": "Review", "author": {"@type": "Person", "name": "Somchai"},
        "reviewRating": {"@type": "Rating", "ratingValue": 5, "bestRating": 5, "worstRating": 1},
        "reviewBody": "หอมมาก </script>", "datePublished": "2026-11-30",
    }
    assert "reviewBody" not in data["review"][1] and "datePublished" not in data["review"][1]


@pytest.mark.fresh_app
def test_reviews_from_a_connected_hook_reach_the_product_page(app, client, shop):
    def reviews_of(product):
        return [("Malee", 4, f"Good {product.slug}", date(2026, 12, 1))]

    seo.product_reviews.connect(app, reviews_of)

    data = parse(client.get("/products/jar-coffee?lang=en")).of_type("Product")

    assert [r["reviewBody"] for r in data["review"]] == ["Good jar-coffee"]
    assert_valid(data)
    assert google_product_problems(data) == []


def test_a_hostile_product_name_cannot_leave_the_script_element(client, shop):
    hostile = '</script><script>alert("x")</script><!-- & \u2028'
    product = shop["product"]
    product.name_th = hostile
    product.description_th = "</SCRIPT ><img src=x onerror=alert(1)>"
    db.session.commit()

    response = client.get("/products/jar-coffee")
    html = response.get_data(as_text=True)
    page = parse(response)

    assert '<script>alert("x")' not in html
    assert "<img src=x" not in html
    # The JSON holds the name exactly; the HTML holds it escaped.
    data = page.of_type("Product")
    assert data["name"] == hostile
    assert data["description"] == "</SCRIPT ><img src=x onerror=alert(1)>"
    assert page.of_type("BreadcrumbList")["itemListElement"][-1]["name"] == hostile
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert len(scripts) == 2 and all("<" not in script for script in scripts)


def test_enterprise_page_describes_the_organization(client, shop):
    page = parse(client.get("/enterprises/mae-jaem?lang=en"))
    org = page.of_type("Organization")

    assert_valid(org)
    assert org["name"] == "Mae Jaem Coffee Group"
    assert org["alternateName"] == "วิสาหกิจชุมชนกาแฟแม่แจ่ม"
    assert org["url"] == f"{BASE}/enterprises/mae-jaem"
    assert org["logo"].startswith(f"{BASE}/media/enterprises/")
    assert org["address"] == {"@type": "PostalAddress", "addressCountry": "TH", "addressLocality": "แม่แจ่ม",
                              "addressRegion": "Chiang Mai"}
    assert org["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 18.4979, "longitude": 98.3619}
    assert_valid(page.of_type("BreadcrumbList"))


def test_an_enterprise_without_a_map_point_has_no_location(client, shop):
    EnterpriseFactory(slug="no-map", latitude=None, longitude=None, province_code="52")

    org = parse(client.get("/enterprises/no-map")).of_type("Organization")

    assert "location" not in org and "logo" not in org
    assert org["address"]["addressRegion"] == "ลำปาง"
    assert_valid(org)


def test_home_page_describes_the_website_and_its_search(client, shop):
    site = parse(client.get("/?lang=en")).of_type("WebSite")

    assert_valid(site)
    assert site["url"] == f"{BASE}/"
    target = site["potentialAction"]["target"]["urlTemplate"]
    assert target == f"{BASE}/search?q={{search_term_string}}"
    assert site["potentialAction"]["query-input"] == "required name=search_term_string"


def test_the_validator_rejects_what_schema_org_does_not_define():
    assert validate({"@type": "Organization", "geo": {"@type": "GeoCoordinates", "latitude": 1}})
    assert validate({"@type": "Produkt", "name": "x"})
    assert validate({"@type": "Offer", "availability": "https://schema.org/NewCondition"})
    assert validate({"@type": "Product", "offers": {"@type": "Rating"}})
    assert google_product_problems({"@type": "Product", "name": "x"})
    assert google_product_problems({"@type": "Product", "name": "x", "offers": [{"@type": "Offer", "price": "1"}]})


def test_hidden_products_have_no_page_and_no_structured_data(client, shop):
    product = shop["product"]
    product.status = catalog_status.PAUSED
    db.session.commit()

    response = client.get("/products/jar-coffee")

    assert response.status_code == 404
    assert "application/ld+json" not in response.get_data(as_text=True)


# --- share links -----------------------------------------------------------------------------


def test_share_links_url_encode_the_page_url(client, shop):
    page = parse(client.get("/products/jar-coffee?lang=en&utm_source=x"))

    shares = {a["href"].split("?")[0]: a for a in page.anchors if "share-button" in (a.get("class") or "")}
    line = shares["https://social-plugins.line.me/lineit/share"]
    facebook = shares["https://www.facebook.com/sharer/sharer.php"]
    canonical = f"{BASE}/products/jar-coffee?lang=en"
    assert line["href"] == ("https://social-plugins.line.me/lineit/share?url="
                            "http%3A%2F%2Flocalhost%2Fproducts%2Fjar-coffee%3Flang%3Den")
    assert parse_qs(urlsplit(line["href"]).query) == {"url": [canonical]}
    assert parse_qs(urlsplit(facebook["href"]).query) == {"u": [canonical]}
    for link in (line, facebook):
        assert link["target"] == "_blank"
        assert "noopener" in link["rel"].split()
        assert "Jar-roasted coffee" in link["aria-label"]
    copy = [b for b in page.buttons if "data-copy-link" in b]
    assert copy and copy[0]["data-copy-link"] == canonical


def test_share_labels_are_in_thai_on_thai_pages(client, shop):
    page = parse(client.get("/enterprises/mae-jaem?lang=th"))

    labels = [a["aria-label"] for a in page.anchors if "share-button" in (a.get("class") or "")]
    assert labels == ["แชร์ วิสาหกิจชุมชนกาแฟแม่แจ่ม ทาง LINE", "แชร์ วิสาหกิจชุมชนกาแฟแม่แจ่ม ทาง Facebook"]


def test_hostile_text_in_a_share_link_stays_inside_the_query(app):
    with app.test_request_context("/"):
        links = seo.share_links('http://localhost/products/a?lang=en&x="><script>', "x")
    assert all('"' not in link.href and "<" not in link.href and "&x=" not in link.href for link in links)
