"""Back-office forms: a reason for a refusal, a track-stage move, a corrected
registration number. Every message is our own translated text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.catalog import status
from shop.catalog.services import STAGE_LABELS
from shop.forms import BaseForm, KnownChoice
from shop.sellers import validation as v


def _length(max_length: int):
    return Length(max=max_length, message=_l("Use at most %(max)d characters.", max=max_length))


def _registration_check(form, field):
    problem = v.registration_no_problem(field.data)
    if problem:
        raise ValidationError(problem)




class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason (the enterprise will see it)"), validators=[Optional(), _length(2000)])


class StageForm(BaseForm):
    stage = SelectField(_l("Track stage"), validate_choice=False,
                        validators=[KnownChoice(_l("Choose one of the four stages."))])
    note = TextAreaField(_l("Why it moves (the enterprise will see it)"), validators=[
        InputRequired(_l("Write why the enterprise moves to this stage: it is kept with the move.")), _length(2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = [(code, STAGE_LABELS[code]) for code in status.TRACK_STAGES]


class RegistrationNoForm(BaseForm):
    registration_no = StringField(_l("Registration number"), validators=[
        InputRequired(_l("Enter the registration number from your community-enterprise certificate.")),
        _length(32), _registration_check])


