"""Seller dashboard under ``/seller``: enterprise onboarding, profile, members, and
(in ``listing_views``) listings, photos, stock and feeds, (in ``order_views``) orders,
packing slips and the orders CSV, and (in ``shipping_views``) shipping options
(docs/product.md: Roles, Catalogue, Orders, Expansion track, Dashboards).

Pages about one enterprise live under ``/seller/<enterprise_id>/`` and check
membership on every request: see ``shop.catalog.access``.
"""

from flask import Blueprint

bp = Blueprint("sellers", __name__, url_prefix="/seller")

from shop.sellers import listing_views, order_views, shipping_views, views  # noqa: E402,F401
