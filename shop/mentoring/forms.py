"""Coaching and mentor forms. Values are read as text and checked by the services,
which name the field of each refusal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField

from shop.forms import BaseForm
from shop.mentoring.models import KIND_NOTE, KIND_VISIT

STEP_ROWS = 3


class NoteForm(BaseForm):
    kind = RadioField(_l("What is it?"), choices=[SelectChoice(KIND_VISIT, _l("A visit")), SelectChoice(KIND_NOTE, _l("A note"))],
                      default=KIND_VISIT, validate_choice=False)
    visited_on = StringField(_l("Date of the visit"))
    topics = StringField(_l("Topics (e.g. costing, packaging, online sales)"))
    body = TextAreaField(_l("What you saw and advised"))
    steps_0_text = StringField(_l("Next step"))
    steps_0_due_on = StringField(_l("Due by (optional)"))
    steps_1_text = StringField(_l("Next step"))
    steps_1_due_on = StringField(_l("Due by (optional)"))
    steps_2_text = StringField(_l("Next step"))
    steps_2_due_on = StringField(_l("Due by (optional)"))

    def step_rows(self):
        return [(getattr(self, f"steps_{i}_text"), getattr(self, f"steps_{i}_due_on")) for i in range(STEP_ROWS)]


class MentorForm(BaseForm):
    email = StringField(_l("E-mail of the mentor's account"))
    partner_id = SelectField(_l("Partner organisation"), validate_choice=False)


class AssignForm(BaseForm):
    mentor_id = SelectField(_l("Mentor"), validate_choice=False)
    programme_id = SelectField(_l("Programme (optional)"), validate_choice=False)
