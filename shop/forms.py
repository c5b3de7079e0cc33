"""Form helpers shared by every area's forms.

Every form derives from ``BaseForm`` (a page's form) or ``SubForm`` (the rows of a
``FieldList``): their ``Meta`` puts the free-text rule of ``shop.text`` first among the
filters of every text field, so no form can forget it. A refused character becomes
an error next to the field, naming it; a one-line field gets its line breaks as
spaces, a ``TextAreaField`` keeps them. Passwords (compared as typed, never shown)
and hidden fields (machine values, checked where they are read) are left alone.
"""

from __future__ import annotations

import wtforms
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from shop.errors import DomainError
from shop.text import TextRefused, clean_text


def _text_filter(field, *, multi_line: bool):
    def text_rule(value):
        field.text_refused = None
        if not isinstance(value, str):
            return value  # a number field's parsed value, or nothing typed
        try:
            return clean_text(value, multi_line=multi_line)
        except TextRefused as exc:
            field.text_refused = exc
            # WTForms keeps a filter's ValueError as an error of this field.
            raise ValueError(exc.message(field.label.text)) from None

    return text_rule


def applies_text_rule(field) -> bool:
    """Whether ``field`` is free text under the rule (see the module docstring)."""
    return isinstance(field, StringField) and not isinstance(field, PasswordField | HiddenField)


class _TextRuleMeta:
    """``Meta`` mixin that gives every free-text field the rule as its first filter."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if applies_text_rule(field):
            rule = _text_filter(field, multi_line=isinstance(field, TextAreaField))
            field.filters = (rule, *field.filters)
        return field


class BaseForm(FlaskForm):
    """The base of every page's form (CSRF token, free-text rule)."""

    class Meta(_TextRuleMeta):
        pass

    def refused_text(self) -> bool:
        """Whether a field was refused by the free-text rule. For views that leave the
        other checks to a service: they stop here instead (the service never sees a
        value the rule refused)."""
        return any(getattr(field, "text_refused", None) for field in self)


class SubForm(wtforms.Form):
    """The base of a form repeated inside another (``FormField`` rows): no CSRF token
    of its own, the same free-text rule."""

    class Meta(_TextRuleMeta):
        pass


class ConfirmForm(BaseForm):
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

