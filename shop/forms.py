"""Form helpers shared by every area's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

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
