"""Account forms. Every message is our own translated text (WTForms ships no Thai).

The forms check shape (required, lengths, the two passwords match, known choices);
the services check the rules again, so the API and commands get the same answers.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, ValidationError

from shop.accounts.api_tokens import MAX_NAME_LENGTH as MAX_TOKEN_NAME_LENGTH
from shop.accounts.validation import (
    BUSINESS_TYPES,
    MAX_PASSWORD_LENGTH,
    branch_problem,
    check_email,
    password_problem,
)
from shop.errors import ValidationFailed
from shop.forms import BaseForm, KnownChoice
from shop.thai import tax_id_problem

LANGUAGE_CHOICES = [SelectChoice("th", "ไทย"), SelectChoice("en", "English")]


def business_type_choices():
    labels = {
        "shop": _l("Shop"),
        "supermarket": _l("Supermarket"),
        "hotel": _l("Hotel"),
        "cafe": _l("Café"),
        "restaurant": _l("Restaurant"),
        "other": _l("Other"),
    }
    return [SelectChoice(value, labels[value]) for value in BUSINESS_TYPES]


def _email_validator(form, field):
    try:
        field.data = check_email(field.data)
    except ValidationFailed as exc:
        raise ValidationError(exc.message) from None


def _strong_password(email_field: str | None = None):
    def validator(form, field):
        email = getattr(form, email_field).data if email_field else getattr(form, "account_email", None)
        problem = password_problem(field.data or "", email=email)
        if problem:
            raise ValidationError(problem)

    return validator


def _length(max_length: int):
    return Length(max=max_length, message=_l("Use at most %(max)d characters.", max=max_length))


def _language_field(label):
    return SelectField(
        label,
        choices=LANGUAGE_CHOICES,
        default="th",
        validate_choice=False,
        validators=[KnownChoice(_l("Choose th (ไทย) or en (English)."))],
    )


class BusinessFieldsForm(BaseForm):
    """The business details a retail buyer gives (also used by a signed-in user applying)."""

    company_name = StringField(
        _l("Company name"),
        validators=[DataRequired(message=_l("Enter the company name.")), _length(200)],
    )
    tax_id = StringField(_l("Tax ID (13 digits)"), validators=[DataRequired(message=_l("A tax ID has 13 digits."))])
    branch = StringField(_l("Branch number"), validators=[Optional()])
    business_type = SelectField(
        _l("Kind of business"),
        choices=business_type_choices,
        validate_choice=False,
        validators=[KnownChoice(_l("Choose the kind of business."))],
    )

    def validate_tax_id(self, field):
        problem = tax_id_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_branch(self, field):
        problem = branch_problem(field.data)
        if problem:
            raise ValidationError(problem)


class RegisterForm(BaseForm):
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), _length(120)]
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), _length(254), _email_validator],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=_l("Choose a password.")), _strong_password("email")],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    lang = _language_field(_l("Language for our e-mails"))
    accept_terms = BooleanField(
        _l("I accept the terms of use and the privacy notice."),
        validators=[DataRequired(message=_l("Please accept the terms of use to continue."))],
    )
    next = HiddenField()


class BusinessRegisterForm(RegisterForm, BusinessFieldsForm):
    pass


class LoginForm(BaseForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(message=_l("Enter your e-mail address.")), _length(254)]
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=_l("Enter your password.")), _length(MAX_PASSWORD_LENGTH)],
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ResetRequestForm(BaseForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), _length(254), _email_validator],
    )


class UnlockRequestForm(BaseForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), _length(254), _email_validator],
    )


class ResendVerificationForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[Optional(), _length(254), _email_validator])


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(message=_l("Choose a password.")), _strong_password()],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )


class ProfileForm(BaseForm):
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), _length(120)]
    )
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), _length(32)])
    locale = _language_field(_l("Language"))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(message=_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(message=_l("Choose a password.")), _strong_password()],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", message=_l("The two passwords are not the same."))],
    )


def _collapse_spaces(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class ApiTokenForm(BaseForm):
    """The name of a new personal API token (the service checks it again, and the count)."""

    name = StringField(
        _l("Token name"),
        filters=[_collapse_spaces],
        validators=[
            DataRequired(message=_l("Give the token a name, such as the program that will use it.")),
            _length(MAX_TOKEN_NAME_LENGTH),
        ],
    )
