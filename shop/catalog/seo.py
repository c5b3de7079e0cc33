"""What the storefront tells search engines and link previews (docs/product.md:
Sharing and search engines): canonical URLs and hreflang alternates, Open Graph and
Twitter cards, schema.org JSON-LD, and the LINE / Facebook share links.

Every absolute URL is built from ``PUBLIC_BASE_URL`` (the address the shop is
published at), never from the request's host, so a page fetched through a proxy or
an IP address still names the public address.

Languages: ``?lang=th`` and ``?lang=en`` are the two language versions of a page and
each is its own canonical URL (the content differs); the URL without ``lang`` is the
``x-default``, which answers in the visitor's remembered language (Thai for a new
visitor or a crawler). Canonical URLs keep only the parameters that change what a
page lists (``page`` past the first, the enterprise list's ``province``) and drop the
rest (sort order, ``?variant=``, tracking parameters).

JSON-LD is built as dicts and serialised with ``json_ld_script``, which escapes
``<``, ``>`` and ``&`` so no text from a seller can close the script element.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import current_app, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from shop import storage
from shop.catalog import pricing
from shop.catalog.models import Category, Enterprise, Product, Variant
from shop.geo import Province
from shop.hooks import Hook
from shop.i18n import current_language, supported_languages

SCHEMA = "https://schema.org"
CURRENCY = "THB"
OG_LOCALES = {"th": "th_TH", "en": "en_US"}
SHARE_IMAGE_SIZE = "full"  # 1200 px on the longest side: what LINE and Facebook ask for
SITE_IMAGE = "img/share-card.png"
SITE_IMAGE_SIZE = (1200, 630)
DESCRIPTION_LIMIT = 300
JSON_LD_TEXT_LIMIT = 5000

#: Reviews shown in a product's JSON-LD. A handler takes the product and returns
#: ``ReviewItem``s (or ``(author, rating, text, date)`` tuples); with nothing
#: connected a product's JSON-LD carries its rating totals only.
product_reviews = Hook("catalog.product_reviews")


# --- absolute URLs -------------------------------------------------------------------


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def absolute(path: str) -> str:
    """``/products/x`` -> ``https://shop.example/products/x`` (absolute URLs pass)."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url() + path


def absolute_url_for(endpoint: str, **values: Any) -> str:
    return absolute(url_for(endpoint, **values))


def with_language(url: str, language: str) -> str:
    """``url`` with ``?lang=`` added (the URL must not carry one yet)."""
    return f"{url}{'&' if '?' in url else '?'}lang={language}"


# --- canonical URL and hreflang --------------------------------------------------------


@dataclass(frozen=True)
class PageLinks:
    """A page's canonical URL (in the current language), its language versions
    (``hreflang`` -> URL, ``x-default`` last) and its language-neutral URL."""

    canonical: str
    alternates: tuple[tuple[str, str], ...]
    neutral: str
    language: str


def page_links(keep: Iterable[str] = ()) -> PageLinks:
    """The links of the page being answered. ``keep`` names the query parameters that
    change what the page lists; ``page=1`` is the first page and is dropped."""
    endpoint = request.endpoint
    view_args = dict(request.view_args or {})
    kept: dict[str, str] = {}
    for name in keep:
        value = (request.args.get(name) or "").strip()
        if not value or (name == "page" and value == "1"):
            continue
        kept[name] = value.lower() if name != "page" else value
    neutral = absolute_url_for(endpoint, **view_args, **kept)
    versions = tuple((lang, with_language(neutral, lang)) for lang in supported_languages())
    language = current_language()
    canonical = dict(versions).get(language, neutral)
    return PageLinks(canonical=canonical, alternates=(*versions, ("x-default", neutral)), neutral=neutral,
                     language=language)


def language_versions(path: str) -> tuple[tuple[str, str], ...]:
    """The hreflang alternates of a storefront path (the sitemap's ``xhtml:link``s)."""
    neutral = absolute(path)
    return (*((lang, with_language(neutral, lang)) for lang in supported_languages()), ("x-default", neutral))


# --- images ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int
    alt: str
    type: str


def photo_image(photo, alt: str) -> ShareImage:
    """A product or enterprise photo at its largest stored size (``width``/``height``
    on the row are that size's)."""
    folder = "enterprises" if photo.__tablename__ == "enterprise_photos" else "products"
    return ShareImage(
        url=absolute(storage.image_url(folder, photo.image_key, SHARE_IMAGE_SIZE)),
        width=photo.width, height=photo.height, alt=alt,
        type=f"image/{storage.IMAGE_FORMAT_SUFFIX}",
    )


def site_image() -> ShareImage:
    width, height = SITE_IMAGE_SIZE
    return ShareImage(url=absolute_url_for("static", filename=SITE_IMAGE), width=width, height=height,
                      alt=_("Chumchon Market"), type="image/png")


def site_logo_url() -> str:
    return absolute_url_for("static", filename="img/logo.svg")


# --- share links -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareLink:
    network: str  # "line" or "facebook"
    href: str
    label: str


def share_links(url: str, text: str) -> list[ShareLink]:
    """Plain links to LINE's and Facebook's share pages (no script of theirs is
    loaded); ``url`` is percent-encoded whole."""
    encoded = quote(url, safe="")
    return [
        ShareLink("line", f"https://social-plugins.line.me/lineit/share?url={encoded}",
                  _("Share %(name)s on LINE", name=text)),
        ShareLink("facebook", f"https://www.facebook.com/sharer/sharer.php?u={encoded}",
                  _("Share %(name)s on Facebook", name=text)),
    ]


# --- the page's meta ---------------------------------------------------------------------


@dataclass
class PageMeta:
    """What ``templates/macros/seo.html`` writes in a storefront page's head; the
    title and description come from the page's own blocks."""

    links: PageLinks
    image: ShareImage
    og_type: str = "website"
    price: tuple[str, str] | None = None  # ("120.00", "THB") on a product
    json_ld: list[dict[str, Any]] = field(default_factory=list)
    share: list[ShareLink] = field(default_factory=list)

    @property
    def og_locale(self) -> str:
        return OG_LOCALES.get(self.links.language, OG_LOCALES["th"])

    @property
    def og_locale_alternates(self) -> list[str]:
        return [locale for lang, locale in OG_LOCALES.items() if lang != self.links.language]

    @property
    def scripts(self) -> list[Markup]:
        return [json_ld_script(data) for data in self.json_ld]


def json_ld_script(data: dict[str, Any]) -> Markup:
    """``<script type="application/ld+json">`` holding ``data``. ``<``, ``>``, ``&`` and
    the two JavaScript line separators are written as ``\\uXXXX`` escapes, which JSON
    reads back unchanged, so no value can end the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    # Escaped above: nothing in ``text`` can close the element.
    return Markup(f'<script type="application/ld+json">{text}</script>')  # noqa: S704


def _plain(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _price(satang: int) -> str:
    return f"{satang // 100}.{satang % 100:02d}"


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


# --- JSON-LD -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    author: str
    rating: int
    text: str
    date: date | datetime | None


def product_url(product: Product) -> str:
    return absolute_url_for("catalog.product", slug=product.slug)


def enterprise_url(enterprise: Enterprise) -> str:
    return absolute_url_for("catalog.enterprise", slug=enterprise.slug)


def variant_offer(variant: Variant, product: Product, seller: dict[str, Any]) -> dict[str, Any]:
    offer: dict[str, Any] = {
        "@type": "Offer",
        "name": variant.t("name", current_language()),
        "sku": variant.sku,
        "price": _price(pricing.unit_price(variant, 1)),
        "priceCurrency": CURRENCY,
        "availability": f"{SCHEMA}/{'InStock' if variant.stock > 0 else 'OutOfStock'}",
        "itemCondition": f"{SCHEMA}/NewCondition",
        "url": absolute_url_for("catalog.product", slug=product.slug, variant=variant.sku),
        "seller": seller,
    }
    if variant.gtin13:
        offer["gtin13"] = variant.gtin13
    return offer


def organization_ref(enterprise: Enterprise) -> dict[str, Any]:
    url = enterprise_url(enterprise)
    return {"@type": "Organization", "@id": f"{url}#organization",
            "name": enterprise.t("name", current_language()), "url": url}


def _reviews(items: Sequence[ReviewItem | tuple]) -> list[dict[str, Any]]:
    reviews = []
    for item in items:
        review = item if isinstance(item, ReviewItem) else ReviewItem(*item)
        data: dict[str, Any] = {
            "@type": "Review",
            "author": {"@type": "Person", "name": _plain(review.author, 100) or _("A buyer")},
            "reviewRating": {"@type": "Rating", "ratingValue": int(review.rating), "bestRating": 5,
                             "worstRating": 1},
        }
        if review.text:
            data["reviewBody"] = _plain(review.text, JSON_LD_TEXT_LIMIT)
        if review.date is not None:
            data["datePublished"] = _iso(review.date)
        reviews.append(data)
    return reviews


def connected_reviews(product: Product) -> list[ReviewItem | tuple]:
    """The reviews the connected ``product_reviews`` handlers give for ``product``."""
    return [item for answer in product_reviews(product) for item in (answer or ())]


def product_json_ld(product: Product, reviews: Sequence[ReviewItem | tuple] | None = None) -> dict[str, Any]:
    """A schema.org ``Product``: one ``Offer`` per active variant (the retail price a
    guest pays, in stock or not), the enterprise as brand and seller, the rating
    totals when the product has ratings, and ``reviews`` (``None``: ask the hook)."""
    language = current_language()
    url = product_url(product)
    enterprise = product.enterprise
    variants = product.active_variants
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Product",
        "@id": f"{url}#product",
        "name": product.t("name", language),
        "url": url,
    }
    description = product.t("description", language) or product.t("summary", language)
    if description:
        data["description"] = _plain(description, JSON_LD_TEXT_LIMIT)
    if product.photos:
        data["image"] = [photo_image(p, "").url for p in product.photos]
    if len(variants) == 1:
        data["sku"] = variants[0].sku
        if variants[0].gtin13:
            data["gtin13"] = variants[0].gtin13
    data["brand"] = {"@type": "Brand", "name": enterprise.t("name", language)}
    if product.category is not None:
        data["category"] = product.category.t("name", language)
    if variants:
        seller = organization_ref(enterprise)
        data["offers"] = [variant_offer(v, product, seller) for v in variants]
    if product.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(product.rating_sum / product.rating_count, 2),
            "ratingCount": product.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    review_items = connected_reviews(product) if reviews is None else reviews
    if review_items:
        data["review"] = _reviews(review_items)
    return data


def breadcrumb_json_ld(items: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``items`` are (name, absolute URL) from the home page down to this page."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(items, start=1)
        ],
    }


def category_trail(category: Category | None) -> list[tuple[str, str]]:
    """(name, URL) of the category's ancestors and itself, top first."""
    trail: list[tuple[str, str]] = []
    seen: set[int] = set()
    while category is not None and category.id not in seen:
        seen.add(category.id)
        trail.insert(0, (category.t("name", current_language()),
                         absolute_url_for("catalog.category", slug=category.slug)))
        category = category.parent
    return trail


def home_crumb() -> tuple[str, str]:
    return _("Home"), absolute_url_for("catalog.home")


def organization_json_ld(enterprise: Enterprise) -> dict[str, Any]:
    """A schema.org ``Organization`` for a community enterprise: its names, page,
    photo, story, address (down to the province, country TH) and map point."""
    language = current_language()
    url = enterprise_url(enterprise)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Organization",
        "@id": f"{url}#organization",
        "name": enterprise.t("name", language),
        "url": url,
    }
    other = enterprise.name_th if language == "en" else enterprise.name_en
    if other and other != data["name"]:
        data["alternateName"] = other
    tagline = enterprise.t("tagline", language) or enterprise.t("story", language)
    if tagline:
        data["description"] = _plain(tagline, JSON_LD_TEXT_LIMIT)
    if enterprise.photos:
        image = photo_image(enterprise.photos[0], "")
        data["image"] = image.url
        data["logo"] = image.url
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "TH"}
    locality = enterprise.district or enterprise.subdistrict or enterprise.village
    if locality:
        address["addressLocality"] = locality
    province = enterprise.province
    if province is not None:
        address["addressRegion"] = province.name(language)
    data["address"] = address
    if enterprise.latitude is not None and enterprise.longitude is not None:
        data["location"] = {
            "@type": "Place",
            "address": address,
            "geo": {"@type": "GeoCoordinates", "latitude": round(enterprise.latitude, 6),
                    "longitude": round(enterprise.longitude, 6)},
        }
    return data


def website_json_ld() -> dict[str, Any]:
    """The shop as a schema.org ``WebSite``, with its search as a ``SearchAction``."""
    home = absolute_url_for("catalog.home")
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "WebSite",
        "@id": f"{home}#website",
        "name": _("Chumchon Market"),
        "url": home,
        "inLanguage": current_language(),
    }
    if "search.search" in current_app.view_functions:
        data["potentialAction"] = {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint",
                       "urlTemplate": absolute_url_for("search.search") + "?q={search_term_string}"},
            "query-input": "required name=search_term_string",
        }
    return data


# --- one call per page ---------------------------------------------------------------------


def listing_meta(*, keep: Iterable[str] = ("page",), crumbs: Sequence[tuple[str, str]] = ()) -> PageMeta:
    """A storefront list (categories, a category, provinces, enterprises): the site's
    image, and a breadcrumb trail when the page sits below the home page."""
    links = page_links(keep)
    json_ld = [breadcrumb_json_ld([home_crumb(), *crumbs])] if crumbs else []
    return PageMeta(links=links, image=site_image(), json_ld=json_ld)


def categories_meta() -> PageMeta:
    return listing_meta(crumbs=[(_("Categories"), absolute_url_for("catalog.categories"))])


def category_meta(category: Category) -> PageMeta:
    return listing_meta(crumbs=category_trail(category))


def enterprises_meta() -> PageMeta:
    return listing_meta(keep=("province", "page"),
                        crumbs=[(_("Community enterprises"), absolute_url_for("catalog.enterprises"))])


def provinces_meta() -> PageMeta:
    return listing_meta(crumbs=[(_("Provinces"), absolute_url_for("catalog.provinces"))])


def province_meta(province: Province) -> PageMeta:
    return listing_meta(crumbs=[
        (_("Provinces"), absolute_url_for("catalog.provinces")),
        (province.name(current_language()), absolute_url_for("catalog.province", slug=province.slug)),
    ])


def home_meta() -> PageMeta:
    return PageMeta(links=page_links(), image=site_image(), json_ld=[website_json_ld()])


def product_meta(product: Product) -> PageMeta:
    links = page_links()
    name = product.t("name", current_language())
    image = photo_image(product.cover_photo, name) if product.cover_photo else site_image()
    low = min((pricing.unit_price(v, 1) for v in product.active_variants), default=None)
    return PageMeta(
        links=links,
        image=image,
        og_type="product",
        price=(_price(low), CURRENCY) if low is not None else None,
        json_ld=[
            product_json_ld(product),
            breadcrumb_json_ld([home_crumb(), *category_trail(product.category), (name, product_url(product))]),
        ],
        share=share_links(links.canonical, name),
    )


def enterprise_meta(enterprise: Enterprise) -> PageMeta:
    links = page_links(("page",))
    name = enterprise.t("name", current_language())
    image = photo_image(enterprise.photos[0], name) if enterprise.photos else site_image()
    crumbs = [home_crumb(), (_("Community enterprises"), absolute_url_for("catalog.enterprises")),
              (name, enterprise_url(enterprise))]
    return PageMeta(
        links=links,
        image=image,
        json_ld=[organization_json_ld(enterprise), breadcrumb_json_ld(crumbs)],
        share=share_links(links.canonical, name),
    )
