"""Seller and back-office forms. Every message is our own translated text.

The forms check shape (required fields, lengths, known choices) and give per-field
messages; the services check the rules again (registration number, phone, PromptPay,
tax ID, province), so the API gets the same answers. None of these forms has an
enterprise field: the enterprise always comes from the URL (see ``catalog.access``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, EmailField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.catalog import status
from shop.forms import BaseForm, KnownChoice
from shop.geo import province_choices
from shop.sellers import services
from shop.sellers import validation as v
from shop.thai import tax_id_problem, thai_phone_problem


def _length(max_length: int):
    return Length(max=max_length, message=_l("Use at most %(max)d characters.", max=max_length))


def _required(message):
    return InputRequired(message=message)


def _problem_check(problem_of):
    """A WTForms validator from a ``*_problem`` function (``sellers.validation``, ``shop.thai``)."""

    def check(form, field):
        if field.data:
            problem = problem_of(field.data)
            if problem:
                raise ValidationError(problem)

    return check


def role_choices():
    return [(status.MEMBER_STAFF, _l("Staff: manages listings and orders")),
            (status.MEMBER_OWNER, _l("Owner: also manages members"))]


class EnterpriseProfileForm(BaseForm):
    name_th = StringField(_l("Name in Thai"), validators=[
        _required(_l("Enter the enterprise's name in Thai.")), _length(200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), _length(200)])
    tagline_th = StringField(_l("Short description in Thai"), validators=[Optional(), _length(300)])
    tagline_en = StringField(_l("Short description in English"), validators=[Optional(), _length(300)])
    story_th = TextAreaField(_l("Your story in Thai"), validators=[Optional(), _length(20_000)])
    story_en = TextAreaField(_l("Your story in English"), validators=[Optional(), _length(20_000)])
    village = StringField(_l("Village"), validators=[Optional(), _length(120)])
    subdistrict = StringField(_l("Subdistrict (tambon)"), validators=[Optional(), _length(120)])
    district = StringField(_l("District (amphoe)"), validators=[Optional(), _length(120)])
    province_code = SelectField(_l("Province"), validate_choice=False,
                                validators=[KnownChoice(_l("Choose the province from the list."))])
    contact_phone = TelField(_l("Contact phone"), validators=[
        _required(_l("Enter a phone number buyers and staff can call.")), _length(32),
        _problem_check(thai_phone_problem)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), _length(254)])
    line_id = StringField(_l("LINE ID"), validators=[Optional(), _length(64), _problem_check(v.line_id_problem)])
    promptpay_id = StringField(_l("PromptPay ID"), validators=[
        _required(_l("Enter the PromptPay ID that buyers pay to: a mobile number or a 13-digit ID number.")),
        _length(20), _problem_check(v.promptpay_problem)])
    vat_registered = BooleanField(_l("We are registered for VAT"))
    tax_id = StringField(_l("Tax ID"), validators=[Optional(), _length(20), _problem_check(tax_id_problem)])

    def __init__(self, *args, locale: str = "th", **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [("", _l("Choose a province"))] + province_choices(locale)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Not a ``validate_tax_id`` method: ``Optional()`` stops the chain on an empty
        # field, and the empty field is exactly the case to catch.
        if self.vat_registered.data and not (self.tax_id.data or "").strip():
            self.tax_id.errors = [*self.tax_id.errors, _l("A VAT-registered enterprise must give its 13-digit tax ID.")]
            valid = False
        return valid

    def details(self) -> services.EnterpriseDetails:
        return services.EnterpriseDetails(**{
            name: getattr(self, name).data if name == "vat_registered" else (getattr(self, name).data or "")
            for name in services.EnterpriseDetails.__dataclass_fields__
        })

    def fill(self, details: services.EnterpriseDetails) -> None:
        for name in services.EnterpriseDetails.__dataclass_fields__:
            getattr(self, name).data = getattr(details, name)


class ApplicationForm(EnterpriseProfileForm):
    registration_no = StringField(_l("Registration number"), validators=[
        _required(_l("Enter the registration number from your community-enterprise certificate.")),
        _length(32), _problem_check(v.registration_no_problem)])


class PhotoUploadForm(BaseForm):
    photos = MultipleFileField(_l("Add photos"))


class InviteForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[
        _required(_l("Enter the e-mail address of the person to invite.")), _length(254)])
    role = SelectField(_l("Role"), choices=role_choices, default=status.MEMBER_STAFF, validate_choice=False,
                       validators=[KnownChoice(_l("Choose owner or staff."))])


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=role_choices, validate_choice=False,
                       validators=[KnownChoice(_l("Choose owner or staff."))])




