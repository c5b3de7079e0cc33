"""The sitemaps: what search engines are told the storefront has (docs/product.md:
Sharing and search engines).

``/sitemap.xml`` is a sitemap index of child sitemaps: ``/sitemaps/pages.xml`` (home,
lists, province pages), ``categories.xml``, ``enterprises.xml`` and
``products-<n>.xml``. Only what shoppers may see is listed (``services``'
visibility rule: live products of approved enterprises, approved enterprises).

Product sitemaps are id ranges: ``products-<n>.xml`` holds the visible products whose
id lies in ``((n - 1) × N, n × N]`` (N = ``SITEMAP_PRODUCTS_PER_FILE``), read in one
range scan of the primary key, so every file costs the same at 100 products as at
100,000 and a product stays in the same file for good. A range with no visible
product is left out of the index and answers 404. Each page is listed in both
languages (``?lang=th``, ``?lang=en``) with ``xhtml:link`` alternates for each and
the ``x-default``; N products make 2N ``<url>`` entries, within the protocol's 50,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import current_app, url_for
from sqlalchemy import func, select

from shop.catalog import seo, services, status
from shop.catalog.models import Category, Enterprise, Product
from shop.extensions import db
from shop.i18n import supported_languages

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
CHILDREN = ("pages", "categories", "enterprises")


@dataclass(frozen=True)
class Entry:
    path: str  # a storefront path without ``lang``
    lastmod: datetime | None


@dataclass(frozen=True)
class Sitemap:
    """One XML document with the newest ``lastmod`` in it (the ``Last-Modified``)."""

    xml: str
    last_modified: datetime | None


def per_file() -> int:
    return int(current_app.config["SITEMAP_PRODUCTS_PER_FILE"])


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _w3c(value: datetime) -> str:
    return _utc(value).replace(microsecond=0).isoformat()


def _newest(values: Iterable[datetime | None]) -> datetime | None:
    found = [_utc(v) for v in values if v is not None]
    return max(found) if found else None


# --- what is listed -------------------------------------------------------------------


def product_ranges() -> list[int]:
    """The numbers of the product files that hold at least one visible product: one
    look-up of the highest id, then one ``EXISTS`` per range that stops at its first
    visible product (so the index costs the number of files, not of products)."""
    size = per_file()
    highest = db.session.scalar(select(func.max(Product.id))) or 0
    numbers = []
    for number in range(1, -(-highest // size) + 1):
        low, high = (number - 1) * size, number * size
        found = db.session.scalar(
            select(Product.id).join(Product.enterprise)
            .where(Product.id > low, Product.id <= high, services.visible_product_condition())
            .limit(1)
        )
        if found is not None:
            numbers.append(number)
    return numbers


def product_entries(number: int) -> list[Entry]:
    """The visible products of range ``number``, by id: one primary-key range scan."""
    size = per_file()
    if number < 1:
        return []
    low, high = (number - 1) * size, number * size
    stmt = (
        select(Product.slug, Product.updated_at)
        .join(Product.enterprise)
        .where(Product.id > low, Product.id <= high, services.visible_product_condition())
        .order_by(Product.id)
    )
    prefix = url_for("catalog.product", slug="x")[:-1]
    return [Entry(prefix + quote(slug, safe=""), lastmod) for slug, lastmod in db.session.execute(stmt)]


def enterprise_entries() -> list[Entry]:
    stmt = (
        select(Enterprise.slug, Enterprise.updated_at)
        .where(services.approved_enterprise_condition())
        .order_by(Enterprise.id)
    )
    prefix = url_for("catalog.enterprise", slug="x")[:-1]
    return [Entry(prefix + quote(slug, safe=""), lastmod) for slug, lastmod in db.session.execute(stmt)]


def _newest_publication(category_id: int | None = None) -> datetime | None:
    """When a product last went live (in one category): one index lookup."""
    stmt = select(func.max(Product.published_at)).where(Product.status == status.LIVE)
    if category_id is not None:
        stmt = stmt.where(Product.category_id == category_id)
    return _utc(db.session.scalar(stmt))


def category_entries() -> list[Entry]:
    """Every category; its lastmod is the newest publication in it or under it."""
    categories: Sequence[Category] = services.all_categories()
    own = {c.id: _newest_publication(c.id) for c in categories}
    entries = []
    for category in categories:
        ids = services.category_ids_with_descendants(category.id, categories)
        entries.append(Entry(url_for("catalog.category", slug=category.slug), _newest(own[i] for i in ids)))
    return entries


def page_entries() -> list[Entry]:
    """The home page, the lists, and each province that has approved enterprises."""
    newest = _newest_publication()
    newest_enterprise = _utc(db.session.scalar(
        select(func.max(Enterprise.updated_at)).where(services.approved_enterprise_condition())))
    entries = [
        Entry(url_for("catalog.home"), newest),
        Entry(url_for("catalog.categories"), newest),
        Entry(url_for("catalog.enterprises"), newest_enterprise),
        Entry(url_for("catalog.provinces"), newest_enterprise),
    ]
    entries += [Entry(url_for("catalog.province", slug=count.province.slug), _newest([newest, newest_enterprise]))
                for count in services.provinces_with_enterprises()]
    return entries


# --- XML -----------------------------------------------------------------------------------


def urlset(entries: Sequence[Entry], changed: datetime | None = None) -> Sitemap:
    """A ``<urlset>``: each entry in each language, with its hreflang alternates."""
    base = seo.base_url()
    languages = supported_languages()
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n']
    for entry in entries:
        neutral = escape(base + entry.path)
        joiner = "&amp;" if "?" in entry.path else "?"
        locs = [f"{neutral}{joiner}lang={lang}" for lang in languages]
        links = "".join(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{loc}"/>'
                        for lang, loc in zip(languages, locs, strict=True))
        links += f'<xhtml:link rel="alternate" hreflang="x-default" href="{neutral}"/>'
        lastmod = f"<lastmod>{_w3c(entry.lastmod)}</lastmod>" if entry.lastmod else ""
        parts.extend(f"<url><loc>{loc}</loc>{lastmod}{links}</url>\n" for loc in locs)
    parts.append("</urlset>\n")
    return Sitemap("".join(parts), _newest([changed, *(e.lastmod for e in entries)]))


def sitemap_index() -> Sitemap:
    """The index: the fixed children, then one file per product range."""
    enterprise_change = _newest_enterprise_change()
    children: list[tuple[str, datetime | None]] = [
        (url_for("catalog.sitemap_child", name="pages"),
         _newest([enterprise_change, *(e.lastmod for e in page_entries())])),
        (url_for("catalog.sitemap_child", name="categories"), _newest_publication()),
        (url_for("catalog.sitemap_child", name="enterprises"), enterprise_change),
    ]
    # A product file's own lastmod entries and Last-Modified say when it changed;
    # finding it here would read every product.
    children += [(url_for("catalog.sitemap_products", number=number), None) for number in product_ranges()]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<sitemapindex xmlns="{SITEMAP_NS}">\n']
    for path, lastmod in children:
        stamp = f"<lastmod>{_w3c(lastmod)}</lastmod>" if lastmod else ""
        parts.append(f"<sitemap><loc>{escape(seo.absolute(path))}</loc>{stamp}</sitemap>\n")
    parts.append("</sitemapindex>\n")
    return Sitemap("".join(parts), _newest(lastmod for _, lastmod in children))


def _newest_enterprise_change() -> datetime | None:
    """When any enterprise last changed, in any state: a suspension takes its products
    and its page out of the sitemaps without touching them."""
    return _utc(db.session.scalar(select(func.max(Enterprise.updated_at))))


def _newest_change_in_range(number: int) -> datetime | None:
    """When any product of range ``number`` last changed, in any state: a product
    paused or archived leaves the file without a ``lastmod`` of its own."""
    size = per_file()
    return _utc(db.session.scalar(
        select(func.max(Product.updated_at)).where(Product.id > (number - 1) * size, Product.id <= number * size)))


def child_sitemap(name: str) -> Sitemap | None:
    """``Last-Modified`` of each file is the newest change that can alter it: what it
    lists, and any enterprise's change of state."""
    if name == "pages":
        return urlset(page_entries(), _newest_enterprise_change())
    if name == "categories":
        return urlset(category_entries())
    if name == "enterprises":
        return urlset(enterprise_entries(), _newest_enterprise_change())
    return None


def products_sitemap(number: int) -> Sitemap | None:
    entries = product_entries(number)
    if not entries:
        return None
    return urlset(entries, _newest([_newest_change_in_range(number), _newest_enterprise_change()]))


# --- robots.txt -------------------------------------------------------------------------------

#: Paths no search engine needs: people's own pages, the seller and staff back
#: offices, the JSON API, channel feeds (keyed per seller), webhooks, search results
#: (endless combinations of queries; their pages also say noindex).
DISALLOWED = ("/account", "/cart", "/checkout", "/orders", "/seller", "/admin", "/api/", "/feeds",
              "/webhooks", "/healthz", "/search")


def robots_txt() -> str:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {seo.absolute_url_for('catalog.sitemap_index')}", ""]
    return "\n".join(lines)
