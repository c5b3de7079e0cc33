"""Reviews and ratings from verified buyers (docs/product.md: Reviews).

A signed-in buyer reviews each item of an order once its enterprise's part has been
delivered; the enterprise replies once; programme staff hide abuse. The product keeps
``rating_sum`` and ``rating_count`` of its visible reviews, changed in the same
transaction as each review. The blueprint lives in ``views.py``.
"""
