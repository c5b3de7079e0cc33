"""The review forms: the buyer's review, the enterprise's reply, the staff's reason
for hiding. The services check the values again (the API calls them too)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField

from shop.forms import BaseForm
from shop.reviews.models import BODY_MAX, REASON_MAX, REPLY_MAX, TITLE_MAX

RATING_CHOICES = [(str(n), str(n)) for n in range(5, 0, -1)]


class ReviewForm(BaseForm):
    # The choice is checked by ``services.parse_rating``, with its own message.
    rating = RadioField(_l("Your rating"), choices=RATING_CHOICES, validate_choice=False)
    title = StringField(_l("Title (optional)"), render_kw={"maxlength": TITLE_MAX})
    body = TextAreaField(_l("Your review (optional)"), render_kw={"rows": 6, "maxlength": BODY_MAX})


class ReplyForm(BaseForm):
    reply = TextAreaField(_l("Your reply"), render_kw={"rows": 4, "maxlength": REPLY_MAX})


class HideForm(BaseForm):
    reason = StringField(_l("Reason (kept for the staff)"), render_kw={"maxlength": REASON_MAX})
