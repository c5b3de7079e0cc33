"""Sitemaps and robots.txt (docs/product.md: Sharing and search engines).

Given products in every listing state and enterprises in every review state, when a
search engine reads ``/robots.txt``, ``/sitemap.xml`` and the child sitemaps, then it
finds every product shoppers may see (live, approved enterprise) and nothing else,
in both languages with hreflang alternates, in documents shaped as the sitemap
protocol says, with cache headers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import update

from shop.catalog import status
from shop.catalog.models import Product
from shop.dbtypes import utcnow
from shop.extensions import db
from tests.factories import CategoryFactory, EnterpriseFactory, ProductFactory, VariantFactory

BASE = "http://localhost"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
SM = f"{{{NS['sm']}}}"
XHTML = f"{{{NS['xhtml']}}}"
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$")


def check_urlset(response) -> dict[str, dict]:
    """Check a child sitemap against the protocol's structure; return {loc: entry}."""
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert len(body) <= 50 * 1024 * 1024
    root = ET.fromstring(body)
    assert root.tag == f"{SM}urlset"
    urls = root.findall(f"{SM}url")
    assert 0 < len(urls) <= 50_000
    entries = {}
    for url in urls:
        children = [child.tag for child in url]
        assert set(children) <= {f"{SM}loc", f"{SM}lastmod", f"{SM}changefreq", f"{SM}priority", f"{XHTML}link"}
        assert children.count(f"{SM}loc") == 1 and children.count(f"{SM}lastmod") <= 1
        loc = url.findtext(f"{SM}loc")
        assert loc.startswith(f"{BASE}/") and len(loc) < 2048
        lastmod = url.findtext(f"{SM}lastmod")
        assert lastmod is None or W3C_DATETIME.match(lastmod), lastmod
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert all(link.get("rel") == "alternate" for link in url.findall(f"{XHTML}link"))
        assert loc not in entries
        entries[loc] = {"lastmod": lastmod, "alternates": alternates}
    return entries


def check_index(response) -> dict[str, str | None]:
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SM}sitemapindex"
    children = {}
    for sitemap in root.findall(f"{SM}sitemap"):
        assert {child.tag for child in sitemap} <= {f"{SM}loc", f"{SM}lastmod"}
        lastmod = sitemap.findtext(f"{SM}lastmod")
        assert lastmod is None or W3C_DATETIME.match(lastmod)
        children[sitemap.findtext(f"{SM}loc")] = lastmod
    assert 0 < len(children) <= 50_000
    return children


def product_locs(client, index: dict) -> dict[str, dict]:
    entries = {}
    for loc in index:
        if "/sitemaps/products-" in loc:
            entries.update(check_urlset(client.get(loc.removeprefix(BASE))))
    return entries


@pytest.fixture
def catalogue(app):
    category = CategoryFactory(slug="rice", name_th="ข้าว", name_en="Rice")
    approved = EnterpriseFactory(slug="chae-khon")
    pending = EnterpriseFactory(slug="pending-group", status=status.ENTERPRISE_PENDING, approved_at=None)
    suspended = EnterpriseFactory(slug="suspended-group", status=status.ENTERPRISE_SUSPENDED)
    live = [ProductFactory(slug=f"rice-{n}", enterprise=approved, category=category) for n in range(5)]
    hidden = [
        ProductFactory(slug="a-draft", enterprise=approved, category=category, status=status.DRAFT, published_at=None),
        ProductFactory(slug="a-review", enterprise=approved, category=category, status=status.PENDING_REVIEW),
        ProductFactory(slug="a-paused", enterprise=approved, category=category, status=status.PAUSED),
        ProductFactory(slug="an-archived", enterprise=approved, category=category, status=status.ARCHIVED),
        ProductFactory(slug="of-pending", enterprise=pending, category=category),
        ProductFactory(slug="of-suspended", enterprise=suspended, category=category),
    ]
    live.append(ProductFactory(slug="rice-last", enterprise=approved, category=category))
    for product in live + hidden:
        VariantFactory(product=product)
    db.session.commit()
    return {"live": live, "hidden": hidden, "approved": approved, "category": category}


def test_robots_txt_allows_the_storefront_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")}
    assert {"/account", "/cart", "/checkout", "/orders", "/seller", "/admin", "/api/", "/search"} <= disallowed
    assert not any(path in disallowed for path in ("/products", "/categories", "/enterprises", "/media", "/"))
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert response.headers["Cache-Control"].startswith("public, max-age=")


def test_the_index_points_at_every_child(client, catalogue):
    index = check_index(client.get("/sitemap.xml"))

    assert list(index)[:3] == [f"{BASE}/sitemaps/pages.xml", f"{BASE}/sitemaps/categories.xml",
                               f"{BASE}/sitemaps/enterprises.xml"]
    assert [loc for loc in index if "/products-" in loc] == [f"{BASE}/sitemaps/products-1.xml"]
    for loc in index:
        assert client.get(loc.removeprefix(BASE)).status_code == 200


def test_product_sitemaps_list_every_live_product_and_nothing_hidden(app, client, catalogue):
    app.config["SITEMAP_PRODUCTS_PER_FILE"] = 3  # 12 products: four files
    index = check_index(client.get("/sitemap.xml"))

    files = [loc for loc in index if "/products-" in loc]
    entries = product_locs(client, index)

    expected = {f"{BASE}/products/{p.slug}?lang={lang}" for p in catalogue["live"] for lang in ("th", "en")}
    assert set(entries) == expected
    assert len(files) >= 2
    hidden_slugs = {p.slug for p in catalogue["hidden"]}
    assert not any(loc.split("/products/")[1].split("?")[0] in hidden_slugs for loc in entries)


def test_a_range_without_visible_products_is_left_out_and_answers_404(app, client, catalogue):
    app.config["SITEMAP_PRODUCTS_PER_FILE"] = 1
    index = check_index(client.get("/sitemap.xml"))
    numbers = sorted(int(re.search(r"products-(\d+)", loc).group(1)) for loc in index if "/products-" in loc)

    live_ids = sorted(p.id for p in catalogue["live"])
    assert numbers == live_ids
    hidden_id = catalogue["hidden"][0].id
    assert client.get(f"/sitemaps/products-{hidden_id}.xml").status_code == 404
    assert client.get(f"/sitemaps/products-{max(live_ids) + 100}.xml").status_code == 404
    assert client.get("/sitemaps/products-0.xml").status_code == 404
    assert client.get("/sitemaps/products--1.xml").status_code == 404
    assert client.get("/sitemaps/products-x.xml").status_code == 404
    assert client.get("/sitemaps/orders.xml").status_code == 404


def test_each_url_has_lastmod_and_hreflang_alternates(client, catalogue):
    product = catalogue["live"][0]
    stamp = datetime(2026, 11, 20, 8, 30, 5, tzinfo=UTC)
    db.session.execute(update(Product).where(Product.id == product.id).values(updated_at=stamp))
    db.session.commit()

    entries = check_urlset(client.get("/sitemaps/products-1.xml"))

    neutral = f"{BASE}/products/{product.slug}"
    for lang in ("th", "en"):
        entry = entries[f"{neutral}?lang={lang}"]
        assert entry["lastmod"] == "2026-11-20T08:30:05+00:00"
        assert entry["alternates"] == {"th": f"{neutral}?lang=th", "en": f"{neutral}?lang=en", "x-default": neutral}


def test_a_product_that_goes_live_appears_and_one_paused_disappears(client, catalogue):
    draft = catalogue["hidden"][0]
    live = catalogue["live"][0]
    draft.status, draft.published_at = status.LIVE, utcnow()
    live.status = status.PAUSED
    db.session.commit()

    entries = check_urlset(client.get("/sitemaps/products-1.xml"))

    assert f"{BASE}/products/{draft.slug}?lang=th" in entries
    assert f"{BASE}/products/{live.slug}?lang=th" not in entries


def test_enterprises_categories_and_pages(client, catalogue):
    enterprises = check_urlset(client.get("/sitemaps/enterprises.xml"))
    assert set(enterprises) == {f"{BASE}/enterprises/chae-khon?lang=th", f"{BASE}/enterprises/chae-khon?lang=en"}

    categories = check_urlset(client.get("/sitemaps/categories.xml"))
    assert f"{BASE}/categories/rice?lang=th" in categories
    assert all(entry["lastmod"] for entry in categories.values())

    pages = check_urlset(client.get("/sitemaps/pages.xml"))
    for path in ("/", "/categories", "/enterprises", "/provinces", "/provinces/chiang-mai"):
        assert f"{BASE}{path}?lang=th" in pages and f"{BASE}{path}?lang=en" in pages
        assert pages[f"{BASE}{path}?lang=en"]["alternates"]["x-default"] == f"{BASE}{path}"
    # Only provinces that have an approved enterprise.
    assert f"{BASE}/provinces/lampang?lang=th" not in pages


def test_sitemaps_are_cacheable_and_answer_if_modified_since(client, catalogue):
    response = client.get("/sitemaps/products-1.xml")

    assert response.headers["Cache-Control"] == "public, max-age=3600"
    modified = response.last_modified
    assert modified is not None
    assert client.get("/sitemap.xml").headers["Cache-Control"] == "public, max-age=3600"

    again = client.get("/sitemaps/products-1.xml", headers={"If-Modified-Since": format_datetime(modified, usegmt=True)})
    assert again.status_code == 304
    older = format_datetime(modified - timedelta(days=1), usegmt=True)
    assert client.get("/sitemaps/products-1.xml", headers={"If-Modified-Since": older}).status_code == 200


def test_an_empty_catalogue_has_an_index_without_product_files(client):
    index = check_index(client.get("/sitemap.xml"))

    assert not [loc for loc in index if "/products-" in loc]
    assert client.get("/sitemaps/products-1.xml").status_code == 404
    pages = check_urlset(client.get("/sitemaps/pages.xml"))
    assert f"{BASE}/?lang=th" in pages


def test_slugs_are_escaped_in_the_xml(client, catalogue):
    odd = ProductFactory(slug="rice-&-beans", enterprise=catalogue["approved"], category=catalogue["category"])
    VariantFactory(product=odd)
    db.session.commit()

    entries = check_urlset(client.get("/sitemaps/products-1.xml"))

    assert f"{BASE}/products/rice-%26-beans?lang=th" in entries


def test_a_product_leaving_a_file_makes_the_file_newer(client, catalogue):
    first = client.get("/sitemaps/products-1.xml")
    etag, modified = first.headers["ETag"], first.last_modified
    gone = catalogue["live"][0]
    later = modified + timedelta(minutes=5)
    db.session.execute(update(Product).where(Product.id == gone.id).values(status=status.PAUSED, updated_at=later))
    db.session.commit()

    since = {"If-Modified-Since": format_datetime(modified, usegmt=True)}
    again = client.get("/sitemaps/products-1.xml", headers=since)
    assert again.status_code == 200
    assert again.last_modified == later.replace(microsecond=0)
    assert f"{BASE}/products/{gone.slug}?lang=th" not in check_urlset(again)
    assert client.get("/sitemaps/products-1.xml", headers={"If-None-Match": etag}).status_code == 200
    assert client.get("/sitemaps/products-1.xml", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_a_suspended_enterprise_makes_the_files_newer(client, catalogue):
    modified = client.get("/sitemaps/enterprises.xml").last_modified
    enterprise = catalogue["approved"]
    enterprise.status, enterprise.updated_at = status.ENTERPRISE_SUSPENDED, modified + timedelta(minutes=5)
    db.session.commit()

    since = {"If-Modified-Since": format_datetime(modified, usegmt=True)}
    listed = client.get("/sitemaps/enterprises.xml", headers=since)
    assert listed.status_code == 200
    assert b"chae-khon" not in listed.get_data()
    assert client.get("/sitemaps/pages.xml", headers=since).status_code == 200
    assert client.get("/sitemaps/products-1.xml").status_code == 404  # nothing of theirs is listed any more
