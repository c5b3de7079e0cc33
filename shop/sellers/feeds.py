"""Channel feeds (docs/product.md: Expansion track): an enterprise's live listings as a Facebook /
Instagram catalogue CSV, a Google Merchant Center RSS 2.0 feed and a TikTok Shop CSV.
``docs/feeds.md`` lists every column and why.

One item per variant on sale (``id`` = SKU, grouped by the product slug), only for
products the storefront shows (live, enterprise approved) and that have a photo:
every channel refuses items without an image, so those are left out and listed on
the seller's feeds page instead. Links are absolute, built from ``PUBLIC_BASE_URL``.

The channels fetch feeds on a schedule without a login session, so each enterprise
also has secret feed URLs: ``/feeds/<enterprise slug>/<key>/<file>``. The key is an
HMAC-SHA256 (under ``SECRET_KEY``) of the enterprise id and a random salt stored in
``EnterpriseFeedKey``; rotating the salt revokes the old URLs, and changing
``SECRET_KEY`` revokes all of them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop import storage
from shop.accounts.models import User
from shop.catalog import status
from shop.catalog.listings import require_member
from shop.catalog.models import Enterprise, Product
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import NotFound
from shop.extensions import db
from shop.money import satang_to_decimal
from shop.sellers.models import EnterpriseFeedKey, new_feed_salt
from shop.spreadsheets import CsvText, csv_producer, write_csv
from shop.text import drop_controls

GOOGLE_NS = "http://base.google.com/ns/1.0"
CHANNELS = ("facebook.csv", "google.xml", "tiktok.csv")
MAX_TITLE = 150  # Google's limit; Facebook allows 200, TikTok 255
MAX_DESCRIPTION = 5000  # Google's limit; Facebook allows 9999

FACEBOOK_COLUMNS = ("id", "item_group_id", "title", "description", "availability", "condition", "price", "link",
                    "image_link", "brand", "inventory", "gtin", "google_product_category", "product_type",
                    "shipping_weight")
TIKTOK_COLUMNS = ("sku_id", "product_id", "title", "description", "price", "currency", "inventory", "availability",
                  "condition", "brand", "image_url", "link", "gtin", "weight_g", "category")


@dataclass(frozen=True)
class FeedItem:
    sku: str
    group_id: str
    title: str
    description: str
    price: str  # "120.00"
    inventory: int
    in_stock: bool
    link: str
    image_link: str
    additional_images: tuple[str, ...]
    brand: str
    gtin: str | None
    weight_grams: int
    category: str


def _clean(text: str | None, limit: int) -> str:
    text = " ".join(drop_controls(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _absolute(path: str) -> str:
    return _base_url() + path


def _path_for(endpoint: str, **values) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)


def feed_products(enterprise: Enterprise) -> list[Product]:
    """The enterprise's products as the storefront shows them (live, approved)."""
    if enterprise.status != status.ENTERPRISE_APPROVED:
        return []
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.enterprise_id == enterprise.id, Product.status == status.LIVE)
            .options(selectinload(Product.photos), selectinload(Product.variants), selectinload(Product.category))
            .order_by(Product.id)
        )
    )


def left_out(enterprise: Enterprise) -> list[Product]:
    """Live products that no feed can carry (no photo, or nothing on sale)."""
    return [p for p in feed_products(enterprise) if not p.photos or not p.active_variants]


def feed_items(enterprise: Enterprise, locale: str = "th") -> list[FeedItem]:
    items = []
    brand = _clean(enterprise.t("name", locale), 100)
    for product in feed_products(enterprise):
        if not product.photos or not product.active_variants:
            continue
        photos = sorted(product.photos, key=lambda p: (p.position, p.id))
        images = [_absolute(storage.image_url("products", p.image_key, "full")) for p in photos]
        link = _absolute(_path_for("catalog.product", slug=product.slug))
        name = product.t("name", locale)
        description = product.t("description", locale) or product.t("summary", locale) or name
        several = len(product.active_variants) > 1
        for variant in product.active_variants:
            title = f"{name} – {variant.t('name', locale)}" if several else name
            items.append(FeedItem(
                sku=variant.sku,
                group_id=product.slug,
                title=_clean(title, MAX_TITLE),
                description=_clean(description, MAX_DESCRIPTION),
                price=f"{satang_to_decimal(variant.price_satang):.2f}",
                inventory=max(variant.stock, 0),
                in_stock=variant.stock > 0,
                link=f"{link}?{urlencode({'variant': variant.sku})}" if several else link,
                image_link=images[0],
                additional_images=tuple(images[1:10]),
                brand=brand,
                gtin=variant.gtin13 or None,
                weight_grams=variant.weight_grams or 0,
                category=_clean(product.category.t("name", locale), 250) if product.category else "",
            ))
    return items


def _csv(columns: tuple[str, ...], rows: list[dict]) -> CsvText:
    # No BOM: the channels read UTF-8 without one.
    return write_csv(columns, ([row[name] for name in columns] for row in rows), bom=False)


@csv_producer("Facebook and Instagram catalogue feed (facebook.csv)")
def facebook_csv(enterprise: Enterprise, locale: str = "th") -> CsvText:
    """Meta commerce catalogue data feed (CSV): required id, title, description,
    availability, condition, price, link, image_link, brand."""
    rows = [{
        "id": item.sku, "item_group_id": item.group_id, "title": item.title, "description": item.description,
        "availability": "in stock" if item.in_stock else "out of stock", "condition": "new",
        "price": f"{item.price} THB", "link": item.link, "image_link": item.image_link, "brand": item.brand,
        "inventory": item.inventory, "gtin": item.gtin or "", "google_product_category": "",
        "product_type": item.category, "shipping_weight": f"{item.weight_grams} g" if item.weight_grams else "",
    } for item in feed_items(enterprise, locale)]
    return _csv(FACEBOOK_COLUMNS, rows)


@csv_producer("TikTok Shop catalogue feed (tiktok.csv)")
def tiktok_csv(enterprise: Enterprise, locale: str = "th") -> CsvText:
    """TikTok catalogue CSV (the columns documented in docs/feeds.md)."""
    rows = [{
        "sku_id": item.sku, "product_id": item.group_id, "title": item.title, "description": item.description,
        "price": item.price, "currency": "THB", "inventory": item.inventory,
        "availability": "in stock" if item.in_stock else "out of stock", "condition": "new", "brand": item.brand,
        "image_url": item.image_link, "link": item.link, "gtin": item.gtin or "",
        "weight_g": item.weight_grams or "", "category": item.category,
    } for item in feed_items(enterprise, locale)]
    return _csv(TIKTOK_COLUMNS, rows)


def google_xml(enterprise: Enterprise, locale: str = "th") -> bytes:
    """Google Merchant Center product data as RSS 2.0 with the ``g:`` namespace."""
    ET.register_namespace("g", GOOGLE_NS)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = _clean(enterprise.t("name", locale), 150)
    ET.SubElement(channel, "link").text = _absolute(_path_for("catalog.enterprise", slug=enterprise.slug))
    ET.SubElement(channel, "description").text = _clean(enterprise.t("tagline", locale) or enterprise.t("name", locale),
                                                        500)

    def g(parent, name: str, text: str) -> None:
        ET.SubElement(parent, f"{{{GOOGLE_NS}}}{name}").text = text

    for item in feed_items(enterprise, locale):
        entry = ET.SubElement(channel, "item")
        g(entry, "id", item.sku)
        g(entry, "item_group_id", item.group_id)
        ET.SubElement(entry, "title").text = item.title
        ET.SubElement(entry, "description").text = item.description
        ET.SubElement(entry, "link").text = item.link
        g(entry, "image_link", item.image_link)
        for extra in item.additional_images:
            g(entry, "additional_image_link", extra)
        g(entry, "availability", "in_stock" if item.in_stock else "out_of_stock")
        g(entry, "price", f"{item.price} THB")
        g(entry, "brand", item.brand)
        g(entry, "condition", "new")
        if item.gtin:
            g(entry, "gtin", item.gtin)
        else:
            g(entry, "identifier_exists", "no")
        if item.category:
            g(entry, "product_type", item.category)
        if item.weight_grams:
            g(entry, "shipping_weight", f"{item.weight_grams} g")
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def render_feed(enterprise: Enterprise, channel: str, locale: str = "th") -> CsvText | bytes:
    """The feed for ``channel`` (one of CHANNELS): ``CsvText`` for the CSV channels
    (answered by ``spreadsheets.csv_response``), XML bytes for Google."""
    if channel == "facebook.csv":
        return facebook_csv(enterprise, locale)
    if channel == "tiktok.csv":
        return tiktok_csv(enterprise, locale)
    if channel == "google.xml":
        return google_xml(enterprise, locale)
    raise NotFound()


# ----------------------------------------------------------------- secret URLs


def _key_for(enterprise_id: int, salt: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    message = f"chumchon-feed:{enterprise_id}:{salt}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:40]


def feed_key(enterprise: Enterprise) -> EnterpriseFeedKey | None:
    return db.session.scalar(select(EnterpriseFeedKey).where(EnterpriseFeedKey.enterprise_id == enterprise.id))


def secret_for(enterprise: Enterprise) -> str | None:
    key = feed_key(enterprise)
    return _key_for(enterprise.id, key.salt) if key else None


def rotate_feed_key(enterprise: Enterprise, actor: User) -> str:
    """Create the enterprise's feed key, or replace it (old URLs stop working)."""
    require_member(actor, enterprise.id)
    with transaction():
        key = feed_key(enterprise)
        if key is None:
            key = EnterpriseFeedKey(enterprise_id=enterprise.id)
            db.session.add(key)
        key.salt = new_feed_salt()
        key.rotated_at = utcnow()
        key.rotated_by_id = actor.id
    return _key_for(enterprise.id, key.salt)


def public_feed_url(enterprise: Enterprise, secret: str, channel: str) -> str:
    return _absolute(_path_for("channel_feed", enterprise_slug=enterprise.slug, secret=secret, channel=channel))


def enterprise_for_feed(enterprise_slug: str, secret: str) -> Enterprise:
    """The enterprise whose secret feed URL this is; NotFound for anything else."""
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.slug == enterprise_slug))
    key = feed_key(enterprise) if enterprise is not None else None
    expected = _key_for(enterprise.id, key.salt) if key is not None else "0" * 40
    # Compare even when there is nothing to compare with, so timing tells nothing.
    if not hmac.compare_digest(expected.encode(), (secret or "").encode()[:64]) or key is None:
        raise NotFound()
    return enterprise


def feed_variant_count(enterprise: Enterprise) -> int:
    return len(feed_items(enterprise))

