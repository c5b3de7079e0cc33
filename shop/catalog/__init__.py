"""Catalogue and storefront: home, categories, products, enterprises, provinces
(docs/product.md: Catalogue)."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)

from shop.catalog import sitemap_views, views, wholesale_views  # noqa: E402,F401
