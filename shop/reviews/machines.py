"""The review state machine (on ``shop/statemachine.py``); its changes are recorded
in the generic ``status_changes`` table.

A review is written ``visible``. Programme staff hide an abusive one, saying why, and
may show it again. Each move keeps the product's rating in step (``after``): a hidden
review is neither shown nor counted.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop import statemachine as sm
from shop.reviews import ratings
from shop.reviews.models import HIDDEN, STATUSES, VISIBLE, Review
from shop.roles import PROGRAMME_STAFF


def _keep_rating(change: sm.Change) -> None:
    review = change.row
    sign = -1 if change.to_status == HIDDEN else 1
    ratings.adjust(review.product_id, sign * review.rating, sign)


REVIEWS = sm.StateMachine(
    name="review", model=Review,
    states=STATUSES,
    moves={
        (VISIBLE, HIDDEN): {PROGRAMME_STAFF},
        (HIDDEN, VISIBLE): {PROGRAMME_STAFF},
    },
    reason_required={(VISIBLE, HIDDEN, PROGRAMME_STAFF)},
    labels={VISIBLE: _l("Shown"), HIDDEN: _l("Hidden")},
    after=_keep_rating,
)
