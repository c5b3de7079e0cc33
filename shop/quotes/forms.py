"""The request-for-quote forms. Values are read as text and checked by the services
(``services.parse_*`` and the use cases), which name the field of each refusal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField

from shop.cart.forms import AddressForm
from shop.forms import BaseForm


class RequestForm(BaseForm):
    quantity = StringField(_l("Quantity"))
    target_unit_price = StringField(_l("Target unit price in baht (optional)"))
    delivery_date = StringField(_l("Deliver by"))
    message = TextAreaField(_l("Message to the enterprise"))


class QuoteForm(BaseForm):
    unit_price = StringField(_l("Unit price in baht"))
    quantity = StringField(_l("Quantity"))
    shipping = StringField(_l("Shipping in baht"))
    valid_until = StringField(_l("Valid until"))
    lead_time_days = StringField(_l("Lead time in days (optional)"))
    note = TextAreaField(_l("Note to the buyer (optional)"))


class DeclineForm(BaseForm):
    reason = TextAreaField(_l("Why you decline"))


class WithdrawForm(BaseForm):
    reason = TextAreaField(_l("Reason (optional)"))


class MessageForm(BaseForm):
    body = TextAreaField(_l("Your message"))


class AcceptForm(AddressForm):
    saved_address = SelectField(_l("Deliver to"), validate_choice=False)
    payment_method = RadioField(_l("Payment"), validate_choice=False)
    po_number = StringField(_l("Purchase-order number (optional)"))
    buyer_note = TextAreaField(_l("Note to the enterprise (optional)"))
