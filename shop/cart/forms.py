"""Cart, checkout and saved-address forms.

The forms render the fields and check the CSRF token; every rule about the values
(quantities, the Thai address, the e-mail, shipping choices) lives in the services
(``cart.services``, ``orders.addresses``, ``cart.checkout``), which answer with
per-field messages that ``show_domain_error`` attaches here. One set of rules, so the
pages and the API refuse the same things with the same words.
"""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import (
    BooleanField,
    Choice,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.widgets import Select, html_params

from shop.cart.checkout import PAYMENT_METHOD_LABELS
from shop.forms import BaseForm
from shop.geo import province_choices
from shop.i18n import current_language
from shop.orders import status as st
from shop.orders.addresses import ADDRESS_FIELDS


class ProvinceSelect(Select):
    """The province select box, its 78 options drawn once per language (every checkout
    page and the answer to a refused checkout have one): each form only marks the
    chosen option. The options are ``province_options(locale)``'s, which are also the
    field's choices."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        for name in self.validation_attrs:
            if name not in kwargs and getattr(field.flags, name, False):
                kwargs[name] = True
        chosen = field.data or ""
        options = "".join(selected if value == chosen else plain
                          for value, plain, selected in _drawn_options(current_language()))
        # As WTForms' own Select: html_params escapes the attributes, render_option the options.
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")  # noqa: S704


@functools.lru_cache(maxsize=8)
def province_options(locale: str) -> tuple[SelectChoice, ...]:
    """The province select's choices in ``locale``: "choose a province", then each
    province by its name in that language (made once per language)."""
    return (SelectChoice("", _l("Choose a province")),
            *(SelectChoice(code, name) for code, name in province_choices(locale)))


@functools.lru_cache(maxsize=8)
def _drawn_options(locale: str) -> tuple[tuple[str, str, str], ...]:
    # Called while ``locale`` is the request's language, so the placeholder's lazy
    # text is drawn in it.
    drawn = []
    for choice in province_options(locale):
        label = str(choice.label)
        drawn.append((choice.value,
                      str(Select.render_option(Choice(choice.value, label, False, {}))),
                      str(Select.render_option(Choice(choice.value, label, True, {})))))
    return tuple(drawn)


class CartActionForm(BaseForm):
    """Add, update, remove, accept prices: the values are read by the services."""


class AddressForm(BaseForm):
    recipient_name = StringField(_l("Recipient's name"))
    phone = TelField(_l("Phone number"))
    address_line = StringField(_l("House number, village, street"))
    subdistrict = StringField(_l("Subdistrict (tambon / khwaeng)"))
    district = StringField(_l("District (amphoe / khet)"))
    province_code = SelectField(_l("Province"), validate_choice=False, widget=ProvinceSelect())
    postcode = StringField(_l("Postcode"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = list(province_options(current_language()))

    def address_data(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in ADDRESS_FIELDS}

    def fill_address(self, address) -> None:
        for name in ADDRESS_FIELDS:
            getattr(self, name).data = getattr(address, name)


class SavedAddressForm(AddressForm):
    label = StringField(_l("Label (optional)"))
    make_default = BooleanField(_l("Use this address first at checkout"))


class CheckoutForm(AddressForm):
    email = EmailField(_l("E-mail"))
    payment_method = RadioField(
        _l("Payment"),
        choices=[SelectChoice(code, label) for code, label in PAYMENT_METHOD_LABELS.items()],
        default=st.PAYMENT_PROMPTPAY_QR,
        validate_choice=False,
    )
    buyer_note = TextAreaField(_l("Note to the enterprises (optional)"))
    # Shown to verified retail buyers only; ``place_order`` refuses it from anyone else.
    po_number = StringField(_l("Your purchase-order number (optional)"))
    save_address = BooleanField(_l("Save this address to my account"), default=True)
    # The total the buyer was shown; a different total today stops the order.
    expected_total = HiddenField()


class QuickOrderForm(BaseForm):
    """Quick order: typed ``SKU quantity`` lines, or a CSV file (read by
    ``cart.quick_order``)."""

    lines = TextAreaField(_l("SKU and quantity, one item a line"))
    file = FileField(_l("Or upload a CSV file"), render_kw={"accept": ".csv,.txt,text/csv,text/plain"})
