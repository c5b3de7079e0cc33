"""Forms of the track's staff pages (shown in the back office, ``shop/admin``): partner
organisations, programmes and their enterprises, checklist items. The services check
every value again (``shop.track.programmes``, ``shop.track.services``); the forms give
the CSRF token, the free-text rule and the messages next to each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from shop.catalog import status
from shop.catalog.services import STAGE_LABELS
from shop.forms import BaseForm, KnownChoice
from shop.track.programmes import KIND_LABELS


def _length(n: int):
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


class PartnerForm(BaseForm):
    name_th = StringField(_l("Name in Thai"), validators=[
        InputRequired(_l("Enter the organisation's name in Thai.")), _length(200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), _length(200)])
    kind = SelectField(_l("Kind"), validate_choice=False,
                       validators=[KnownChoice(_l("Choose what kind of organisation it is."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(code, label) for code, label in KIND_LABELS.items()]


class ProgrammeForm(BaseForm):
    name_th = StringField(_l("Name in Thai"), validators=[
        InputRequired(_l("Enter the programme's name in Thai.")), _length(200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), _length(200)])
    partner_id = SelectField(_l("Partner organisation"), validate_choice=False)
    region_th = StringField(_l("Region in Thai"), validators=[Optional(), _length(200)])
    region_en = StringField(_l("Region in English"), validators=[Optional(), _length(200)])
    started_on = StringField(_l("Start date (YYYY-MM-DD)"), validators=[Optional(), _length(10)])
    description_th = TextAreaField(_l("Description in Thai"), validators=[Optional(), _length(5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), _length(5000)])

    def set_partners(self, partners, locale: str) -> None:
        self.partner_id.choices = [("", _l("No partner organisation"))] + [
            (str(p.id), p.t("name", locale)) for p in partners]


class MembershipForm(BaseForm):
    enterprise_id = SelectField(_l("Enterprise"), validate_choice=False,
                                validators=[KnownChoice(_l("Choose an enterprise from the list."))])
    joined_on = StringField(_l("Joined on (YYYY-MM-DD)"), validators=[Optional(), _length(10)])

    def set_enterprises(self, enterprises, locale: str) -> None:
        self.enterprise_id.choices = [("", _l("Choose an enterprise"))] + [
            (str(e.id), e.t("name", locale)) for e in enterprises]


class ChecklistItemForm(BaseForm):
    stage = SelectField(_l("Stage"), validate_choice=False,
                        validators=[KnownChoice(_l("Choose one of the four stages."))])
    label_th = StringField(_l("Item in Thai"), validators=[
        InputRequired(_l("Enter the item's name in Thai.")), _length(200)])
    label_en = StringField(_l("Item in English"), validators=[Optional(), _length(200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = [(code, STAGE_LABELS[code]) for code in status.TRACK_STAGES]


class RenameItemForm(BaseForm):
    label_th = StringField(_l("Item in Thai"), validators=[
        InputRequired(_l("Enter the item's name in Thai.")), _length(200)])
    label_en = StringField(_l("Item in English"), validators=[Optional(), _length(200)])
