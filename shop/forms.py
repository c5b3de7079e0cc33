"""Form helpers shared by every area's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from shop.errors import DomainError


class ConfirmForm(FlaskForm):
    """A button that needs only the CSRF token (sign out, approve, resend …)."""


def show_domain_error(form: FlaskForm, exc: DomainError) -> None:
    """Attach a service's refusal to the fields it names, or to the form as a whole."""
    placed = False
    for name, message in (exc.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        form.form_errors.append(exc.message)


class KnownChoice:
    """WTForms' own choice check speaks English only; this one uses our message.

    An empty placeholder choice ("Choose …") never counts as an answer.
    """

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        known = {choice[0] for choice in field.iter_choices() if choice[0] not in ("", None)}
        if field.data not in known:
            raise ValidationError(self.message)

