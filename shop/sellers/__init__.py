"""Seller dashboard under ``/seller``: enterprise onboarding, profile, members, and
(in ``listing_views``) listings, photos, stock and feeds (PRODUCT.md §2, §3, §8, §9).

Pages about one enterprise live under ``/seller/<enterprise_id>/`` and check
membership on every request: see ``shop.sellers.context``.
"""

from flask import Blueprint

bp = Blueprint("sellers", __name__, url_prefix="/seller")

from shop.sellers import listing_views, views  # noqa: E402,F401
