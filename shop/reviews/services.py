"""Review use cases (docs/product.md: Reviews): who may review, writing and editing a
review, the enterprise's one reply, staff hiding and showing, and the lists the pages
and the API read.

Each write keeps the product's ``rating_sum`` / ``rating_count`` in step in its own
transaction (``ratings.adjust``). Refusals are ``DomainError``s with a translated
message: someone else's item or review is "not found" (nobody learns which exist),
an item not yet delivered is 403, a second review or a second reply 409, a bad
rating or text 422 with the field named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop import statemachine as sm
from shop.catalog.models import Product
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.orders import status as order_status
from shop.orders.models import Fulfilment, Order, OrderLine
from shop.pagination import Page, paginate
from shop.reviews import ratings
from shop.reviews.machines import REVIEWS
from shop.reviews.models import (
    BODY_MAX,
    HIDDEN,
    MAX_RATING,
    MIN_RATING,
    REASON_MAX,
    REPLY_MAX,
    TITLE_MAX,
    VISIBLE,
    Review,
)
from shop.roles import PROGRAMME_STAFF
from shop.text import checked_text

#: A buyer may change their review for this long after writing it.
EDIT_DAYS = 30
#: Reviews per page on the product's review list, the seller's and the staff's lists.
PER_PAGE = 10
LIST_PER_PAGE = 20
#: Newest reviews shown on the product page itself.
LATEST_ON_PRODUCT_PAGE = 3

RATING_MESSAGE = _l("Choose a rating from 1 to 5 stars.")


class ReviewRefused(Conflict):
    code = "review_refused"


@dataclass(frozen=True)
class ReviewInput:
    rating: int
    title: str | None
    body: str | None


# ------------------------------------------------------------------------ checking input


def parse_rating(value) -> int:
    """A whole number of stars from 1 to 5 (an int, or its digits as text); else a 422."""
    if isinstance(value, bool):
        raise ValidationFailed(RATING_MESSAGE, fields={"rating": RATING_MESSAGE})
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 2):
            raise ValidationFailed(RATING_MESSAGE, fields={"rating": RATING_MESSAGE})
        value = int(text)
    if not isinstance(value, int) or not MIN_RATING <= value <= MAX_RATING:
        raise ValidationFailed(RATING_MESSAGE, fields={"rating": RATING_MESSAGE})
    return value


def _optional_text(value: str | None, *, field: str, limit: int, multi_line: bool, label) -> str | None:
    text = checked_text(value, field=field, multi_line=multi_line).strip()
    if len(text) > limit:
        message = _l("%(field)s can be at most %(max)s characters long (you wrote %(n)s).",
                     field=label, max=limit, n=len(text))
        raise ValidationFailed(message, fields={field: message})
    return text or None


def checked_input(rating, title: str | None, body: str | None) -> ReviewInput:
    """The rating and the words of a review, checked; a 422 naming the first bad field."""
    return ReviewInput(
        rating=parse_rating(rating),
        title=_optional_text(title, field="title", limit=TITLE_MAX, multi_line=False, label=_l("Title")),
        body=_optional_text(body, field="body", limit=BODY_MAX, multi_line=True, label=_l("Your review")),
    )


# ------------------------------------------------------------------------ who may review


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _line_of_buyer(user, line_id: int) -> OrderLine:
    line = db.session.scalar(
        select(OrderLine).where(OrderLine.id == line_id)
        .options(selectinload(OrderLine.fulfilment), selectinload(OrderLine.order))
    )
    if line is None or not _signed_in(user) or line.order.user_id != user.id:
        raise NotFound(_l("We could not find that item in your orders."))
    return line


def review_of_line(line_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.order_line_id == line_id))


def reviewable_line(user, line_id: int) -> OrderLine:
    """The buyer's order line ``line_id`` if they may review it now: it is in one of
    their orders, its enterprise's part was delivered, the product still exists and
    the item has no review yet."""
    line = _line_of_buyer(user, line_id)
    if line.fulfilment.status != order_status.FULFILMENT_DELIVERED:
        raise PermissionDenied(_l("You can review an item once its parcel has been delivered to you."))
    if line.product_id is None:
        raise NotFound(_l("This product is no longer in the shop, so it cannot be reviewed."))
    if review_of_line(line.id) is not None:
        raise ReviewRefused(_l("You have already reviewed this item. You can change your review instead."))
    return line


def write_review(user, line_id: int, *, rating, title: str | None = None, body: str | None = None) -> Review:
    """A verified buyer's review of one bought item, counted in the product's rating."""
    checked = checked_input(rating, title, body)
    try:
        with transaction():
            line = reviewable_line(user, line_id)
            review = Review(
                order_line_id=line.id, user_id=user.id, product_id=line.product_id,
                enterprise_id=line.fulfilment.enterprise_id, rating=checked.rating, title=checked.title,
                body=checked.body, status=VISIBLE,
            )
            db.session.add(review)
            db.session.flush()
            ratings.adjust(line.product_id, checked.rating, 1)
    except IntegrityError:
        # The same item reviewed twice at once (the order line is unique): one wins.
        raise ReviewRefused(_l("You have already reviewed this item. You can change your review instead.")) from None
    return review


def editable_until(review: Review):
    return review.created_at + timedelta(days=EDIT_DAYS)


def can_edit(review: Review, user) -> bool:
    return (_signed_in(user) and review.user_id == user.id and review.status == VISIBLE
            and utcnow() <= editable_until(review))


def own_review(user, review_id: int) -> Review:
    """The user's own review, or NotFound."""
    review = db.session.get(Review, review_id)
    if review is None or not _signed_in(user) or review.user_id != user.id:
        raise NotFound(_l("We could not find that review."))
    return review


def edit_review(user, review_id: int, *, rating, title: str | None = None, body: str | None = None) -> Review:
    """The buyer changes their review (within ``EDIT_DAYS`` of writing it, while it is
    shown); the product's rating follows a changed rating."""
    checked = checked_input(rating, title, body)
    with transaction():
        review = own_review(user, review_id)
        if review.status != VISIBLE:
            raise ReviewRefused(_l("This review was hidden by the programme staff and cannot be changed."))
        if utcnow() > editable_until(review):
            raise PermissionDenied(_l("A review can be changed for %(days)s days after it is written.",
                                      days=EDIT_DAYS))
        old = review.rating
        now = utcnow()
        # Conditional on what was read, so a hide or another edit at the same moment
        # cannot leave the product's rating out of step.
        result = db.session.execute(
            update(Review).where(Review.id == review.id, Review.rating == old, Review.status == VISIBLE)
            .values(rating=checked.rating, title=checked.title, body=checked.body, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise ReviewRefused(_l("This review changed while you were editing it. Please try again."))
        ratings.adjust(review.product_id, checked.rating - old, 0)
    db.session.expire(review)
    return review


# ------------------------------------------------------------------------ the enterprise's reply


def enterprise_review(enterprise_id: int, review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or review.enterprise_id != enterprise_id:
        raise NotFound(_l("We could not find that review."))
    return review


def reply(user, enterprise_id: int, review_id: int, text: str | None) -> Review:
    """The enterprise's one public reply to a review of its product. The caller has
    checked that ``user`` is a member of ``enterprise_id``."""
    body = _optional_text(text, field="reply", limit=REPLY_MAX, multi_line=True, label=_l("Reply"))
    if body is None:
        message = _l("Write your reply first.")
        raise ValidationFailed(message, fields={"reply": message})
    with transaction():
        review = enterprise_review(enterprise_id, review_id)
        if review.status != VISIBLE:
            raise ReviewRefused(_l("This review is hidden, so it cannot be answered."))
        now = utcnow()
        result = db.session.execute(
            update(Review).where(Review.id == review.id, Review.reply_body.is_(None), Review.status == VISIBLE)
            .values(reply_body=body, reply_at=now, reply_by_id=user.id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise ReviewRefused(_l("This review already has a reply. An enterprise replies once."))
    db.session.expire(review)
    return review


# ------------------------------------------------------------------------ staff


def _staff_review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        raise NotFound(_l("We could not find that review."))
    return review


def hide(staff, review_id: int, reason: str | None) -> Review:
    """Programme staff hide an abusive review, saying why; it leaves the product's
    page and rating."""
    text = _optional_text(reason, field="reason", limit=REASON_MAX, multi_line=False, label=_l("Reason"))
    with transaction():
        review = _staff_review(review_id)
        sm.transition(REVIEWS, review, HIDDEN, actor=staff, role=PROGRAMME_STAFF, reason=text,
                      values={"hidden_reason": text})
    return review


def unhide(staff, review_id: int) -> Review:
    """Programme staff show a hidden review again; it counts again."""
    with transaction():
        review = _staff_review(review_id)
        sm.transition(REVIEWS, review, VISIBLE, actor=staff, role=PROGRAMME_STAFF,
                      values={"hidden_reason": None})
    return review


def history(review: Review) -> list[sm.StatusChangeLog]:
    return sm.history(REVIEWS, review.id)


# ------------------------------------------------------------------------ lists


def _with_display_data(stmt):
    return stmt.options(selectinload(Review.user), selectinload(Review.line))


def visible_reviews(product_id: int):
    """The product's shown reviews, newest first (the page, the API)."""
    return _with_display_data(
        select(Review).where(Review.product_id == product_id, Review.status == VISIBLE)
        .order_by(Review.created_at.desc(), Review.id.desc())
    )


def product_review_page(product: Product, page: int) -> Page[Review]:
    return paginate(visible_reviews(product.id), page, PER_PAGE, missing_is_404=True)


def latest_reviews(product: Product, limit: int = LATEST_ON_PRODUCT_PAGE) -> list[Review]:
    """The newest shown reviews; read once per request (the product page shows them and
    names them in its schema.org data)."""
    if not product.rating_count:
        return []
    kept = request.environ.setdefault("shop.latest_reviews", {}) if has_request_context() else {}
    key = (product.id, limit)
    if key not in kept:
        kept[key] = list(db.session.scalars(visible_reviews(product.id).limit(limit)))
    return kept[key]


def json_ld_reviews(product: Product) -> list[tuple]:
    """The latest shown reviews as ``(author, rating, text, date)`` for the product's
    schema.org data (``shop.catalog.seo.product_reviews``)."""
    return [(review.author_name, review.rating, " ".join(filter(None, (review.title, review.body))),
             review.created_at) for review in latest_reviews(product)]


def reviews_by_line(order: Order, user) -> dict[int, Review]:
    """The buyer's reviews of the lines of ``order``, by line id (empty for anyone
    but the order's buyer)."""
    if not _signed_in(user) or order.user_id != user.id:
        return {}
    return {r.order_line_id: r for r in db.session.scalars(
        select(Review).join(OrderLine, OrderLine.id == Review.order_line_id).where(OrderLine.order_id == order.id)
    )}


def may_review(order: Order, user, fulfilment: Fulfilment) -> bool:
    """Whether the order page offers "Review this item" on the lines of ``fulfilment``."""
    return (_signed_in(user) and order.user_id == user.id
            and fulfilment.status == order_status.FULFILMENT_DELIVERED)


ENTERPRISE_FILTERS = ("all", "unanswered")


def enterprise_reviews(enterprise_id: int, *, page: int, show: str = "all") -> Page[Review]:
    """An enterprise's reviews, newest first, hidden ones included (marked);
    ``show="unanswered"`` keeps the shown reviews without a reply."""
    stmt = select(Review).where(Review.enterprise_id == enterprise_id)
    if show == "unanswered":
        stmt = stmt.where(Review.reply_body.is_(None), Review.status == VISIBLE)
    stmt = _with_display_data(stmt.options(selectinload(Review.product))
                              .order_by(Review.created_at.desc(), Review.id.desc()))
    return paginate(stmt, page, LIST_PER_PAGE)


STAFF_FILTERS = ("all", VISIBLE, HIDDEN)


def staff_reviews(*, page: int, show: str = "all") -> Page[Review]:
    """Every review, newest first; ``show`` keeps the visible or the hidden ones."""
    stmt = select(Review)
    if show in (VISIBLE, HIDDEN):
        stmt = stmt.where(Review.status == show)
    stmt = _with_display_data(stmt.options(selectinload(Review.product))
                              .order_by(Review.created_at.desc(), Review.id.desc()))
    return paginate(stmt, page, LIST_PER_PAGE)


def line_by_id(user, line_id: int) -> OrderLine:
    """The buyer's own order line (for the review form's heading), or NotFound."""
    return _line_of_buyer(user, line_id)

