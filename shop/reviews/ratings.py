"""The product's rating aggregates (``products.rating_sum`` / ``rating_count``): the
sum and the number of its visible reviews, changed by one relative
UPDATE in the transaction of the review that changes them, so two reviews written at
once both count; the change log records that the product's page changed (the page
cache follows it, docs/caching.md). ``recomputed`` reads them back from the reviews (tests, repairs).
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from shop.catalog.models import Product
from shop.extensions import db
from shop.reviews.models import VISIBLE, Review
from shop.search.outbox import enqueue_pages


def adjust(product_id: int, rating_delta: int, count_delta: int) -> None:
    """Add ``rating_delta`` to the product's rating sum and ``count_delta`` to its
    count, in the caller's transaction."""
    if not rating_delta and not count_delta:
        return
    db.session.execute(
        update(Product).where(Product.id == product_id)
        .values(rating_sum=Product.rating_sum + rating_delta, rating_count=Product.rating_count + count_delta)
        .execution_options(synchronize_session=False)
    )
    enqueue_pages(db.session, [product_id])
    loaded = db.session.identity_map.get(db.session.identity_key(Product, product_id))
    if loaded is not None:
        db.session.expire(loaded, ["rating_sum", "rating_count"])


def recomputed(product_id: int) -> tuple[int, int]:
    """``(rating_sum, rating_count)`` counted from the product's visible reviews."""
    total, count = db.session.execute(
        select(func.coalesce(func.sum(Review.rating), 0), func.count(Review.id))
        .where(Review.product_id == product_id, Review.status == VISIBLE)
    ).one()
    return int(total), int(count)


def distribution(product_id: int) -> dict[int, int]:
    """How many visible reviews gave each rating, 5 to 1 (zeros included)."""
    counts = dict(db.session.execute(
        select(Review.rating, func.count(Review.id))
        .where(Review.product_id == product_id, Review.status == VISIBLE)
        .group_by(Review.rating)
    ).all())
    return {stars: int(counts.get(stars, 0)) for stars in range(5, 0, -1)}
