"""Forms of the seller's order and shipping pages: a shipping option, and the
fulfilment actions that need more than a button (ship with carrier and tracking
number, cancel with a reason).

The forms check shape and give per-field messages in the user's language; the
services check the rules again. No form has an enterprise field: the enterprise
always comes from the URL (see ``catalog.access``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.forms import BaseForm, KnownChoice
from shop.orders import status as st
from shop.sellers import shipping_services
from shop.sellers.listing_forms import BahtField, WholeNumberField

CARRIER_NAME_MAX = 40
# The same bound as ``orders.services.MAX_REASON_LENGTH``.
REASON_MAX = 500


def _length(maximum: int):
    return Length(max=maximum, message=_l("Use at most %(max)d characters.", max=maximum))


class ShippingOptionForm(BaseForm):
    kind = RadioField(_l("How do you deliver?"), validate_choice=False,
                      validators=[KnownChoice(_l("Choose how you deliver: flat rate, by weight or pick-up."))])
    name_th = StringField(_l("Name in Thai"), validators=[
        InputRequired(_l("Give the option a name buyers will see, e.g. “Thailand Post EMS”.")),
        _length(shipping_services.NAME_MAX)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), _length(shipping_services.NAME_MAX)])
    base_fee = BahtField(_l("Fee (baht)"))
    per_kg = BahtField(_l("Price per kilogram (baht)"))
    free_above = BahtField(_l("Free delivery when the order from you reaches (baht)"))
    delivery_days = WholeNumberField(_l("Days to deliver or to be ready"))
    pickup_note_th = TextAreaField(_l("Where and when to collect, in Thai"),
                                   validators=[Optional(), _length(shipping_services.NOTE_MAX)])
    pickup_note_en = TextAreaField(_l("Where and when to collect, in English"),
                                   validators=[Optional(), _length(shipping_services.NOTE_MAX)])
    is_active = BooleanField(_l("Offer this option to buyers"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind, shipping_services.kind_label(kind)) for kind in st.SHIPPING_KINDS]

    def fill(self, data: shipping_services.ShippingOptionInput) -> None:
        self.kind.data = data.kind
        self.name_th.data = data.name_th
        self.name_en.data = data.name_en
        self.base_fee.data = data.base_fee_satang
        self.per_kg.data = data.per_kg_satang
        self.free_above.data = data.free_above_satang
        self.delivery_days.data = data.delivery_days
        self.pickup_note_th.data = data.pickup_note_th
        self.pickup_note_en.data = data.pickup_note_en
        self.is_active.data = data.is_active

    def to_input(self) -> shipping_services.ShippingOptionInput:
        return shipping_services.ShippingOptionInput(
            kind=self.kind.data or "", name_th=self.name_th.data or "", name_en=self.name_en.data,
            base_fee_satang=self.base_fee.data, per_kg_satang=self.per_kg.data,
            free_above_satang=self.free_above.data, delivery_days=self.delivery_days.data,
            pickup_note_th=self.pickup_note_th.data, pickup_note_en=self.pickup_note_en.data,
            is_active=bool(self.is_active.data),
        )

    # Service field names -> form field names, to show a service's refusal in place.
    SERVICE_FIELDS = {"base_fee_satang": "base_fee", "per_kg_satang": "per_kg", "free_above_satang": "free_above"}


def carrier_choices():
    return [("", _l("Choose the carrier"))] + [(code, st.carrier_label(code)) for code in st.CARRIERS]


class ShipForm(BaseForm):
    """Carrier and tracking number. Both are required for delivery by carrier and
    optional for pick-up: the service (``orders.services.check_shipment``) decides and
    checks the tracking number's form; its messages land on these same fields."""

    carrier = SelectField(_l("Carrier"), validate_choice=False)
    carrier_name = StringField(_l("Carrier name"), validators=[Optional(), _length(CARRIER_NAME_MAX)])
    tracking_number = StringField(_l("Tracking number"), validators=[Optional(), _length(64)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.carrier.choices = carrier_choices()

    def validate_carrier(self, field):
        if field.data and field.data not in st.CARRIERS:
            raise ValidationError(_l("Choose the carrier from the list."))

    def validate_carrier_name(self, field):
        if self.carrier.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Type the name of the carrier."))

    def carrier_value(self) -> str:
        """The carrier code, or the typed name for "other" (labels fall back to it)."""
        if self.carrier.data == "other":
            return (self.carrier_name.data or "").strip()
        return self.carrier.data or ""

    def tracking_value(self) -> str:
        return self.tracking_number.data or ""


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Why are you cancelling?"), validators=[
        InputRequired(_l("Tell the buyer why you are cancelling.")), _length(REASON_MAX)])

    def validate_reason(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("Tell the buyer why you are cancelling."))
