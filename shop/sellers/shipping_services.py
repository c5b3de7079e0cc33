"""An enterprise's shipping options (docs/product.md: Orders): flat rate, by weight,
free above an amount, or pick-up, configured from the seller dashboard.

"Free above an amount" is not a kind of its own: any delivery option (flat or by
weight) may carry ``free_above_satang``, so an enterprise can say "฿50, free from
฿500" in one option. Pick-up has a note (where and when to collect) and no
free-above amount. The fee itself is worked out at checkout by
``shop.orders.shipping``; this module only keeps the options valid.

While an enterprise has no active option, checkout offers the built-in
"Standard delivery" at ``DEFAULT_SHIPPING_FEE_SATANG``: the page says so.

Services take the acting user, check every rule again (the form checks shape only,
the API will call these too), raise ``ValidationFailed`` with per-field messages, and
commit once. Options are always looked up *within* the enterprise from the URL, so
another enterprise's option id is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.catalog.models import Enterprise
from shop.database import transaction
from shop.errors import NotFound, ValidationFailed
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import ShippingOption

# Enough for every real case (a few carriers, a pick-up point or two) and a bound on
# what one enterprise can make checkout list.
MAX_OPTIONS = 20
# ฿10,000 for one parcel or one kilogram is already far beyond any Thai carrier.
MAX_FEE_SATANG = 1_000_000
# ฿1,000,000: a bound, so a typo cannot overflow a 32-bit column.
MAX_FREE_ABOVE_SATANG = 100_000_000
MAX_DELIVERY_DAYS = 60
NAME_MAX = 120
NOTE_MAX = 300


def kind_label(kind: str):
    return {
        st.SHIPPING_FLAT: _l("Flat rate"),
        st.SHIPPING_WEIGHT: _l("By weight"),
        st.SHIPPING_PICKUP: _l("Pick-up"),
    }.get(kind, kind)


@dataclass
class ShippingOptionInput:
    """What a seller typed, already parsed: amounts in satang, None when left empty."""

    kind: str
    name_th: str
    name_en: str | None = None
    base_fee_satang: int | None = 0
    per_kg_satang: int | None = 0
    free_above_satang: int | None = None
    delivery_days: int | None = None
    pickup_note_th: str | None = None
    pickup_note_en: str | None = None
    is_active: bool = True


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def validate(data: ShippingOptionInput) -> dict:
    """The column values for ``data``, or ``ValidationFailed`` naming each bad field."""
    errors: dict[str, object] = {}
    kind = data.kind if data.kind in st.SHIPPING_KINDS else None
    if kind is None:
        errors["kind"] = _l("Choose how you deliver: flat rate, by weight or pick-up.")
    name_th = _clean(data.name_th)
    name_en = _clean(data.name_en)
    if name_th is None:
        errors["name_th"] = _l("Give the option a name buyers will see, e.g. “Thailand Post EMS”.")
    elif len(name_th) > NAME_MAX:
        errors["name_th"] = _l("Use at most %(max)d characters.", max=NAME_MAX)
    if name_en is not None and len(name_en) > NAME_MAX:
        errors["name_en"] = _l("Use at most %(max)d characters.", max=NAME_MAX)

    def amount(field: str, value: int | None, maximum: int, *, optional: bool) -> int | None:
        if value is None:
            return None if optional else 0
        if value < 0:
            errors[field] = _l("An amount cannot be negative.")
        elif value > maximum:
            errors[field] = _l("That amount is too large. Check the number of zeros.")
        return value

    base_fee = amount("base_fee_satang", data.base_fee_satang, MAX_FEE_SATANG, optional=False)
    if kind == st.SHIPPING_FLAT and data.base_fee_satang is None:
        # An empty fee is more likely forgotten than meant as "free".
        errors["base_fee_satang"] = _l("Enter the fee, or 0 for free delivery.")
    per_kg = amount("per_kg_satang", data.per_kg_satang, MAX_FEE_SATANG, optional=False)
    free_above = amount("free_above_satang", data.free_above_satang, MAX_FREE_ABOVE_SATANG, optional=True)
    if free_above == 0:
        # "Free from ฿0" means always free: say it with a fee of 0 instead.
        errors.setdefault("free_above_satang",
                          _l("Leave this empty, or enter an amount above 0. For free delivery, set the fee to 0."))

    days = data.delivery_days
    if days is not None and not 0 <= days <= MAX_DELIVERY_DAYS:
        errors["delivery_days"] = _l("Enter a number of days from 0 to %(max)d.", max=MAX_DELIVERY_DAYS)

    note_th = _clean(data.pickup_note_th)
    note_en = _clean(data.pickup_note_en)
    for field, note in (("pickup_note_th", note_th), ("pickup_note_en", note_en)):
        if note is not None and len(note) > NOTE_MAX:
            errors[field] = _l("Use at most %(max)d characters.", max=NOTE_MAX)

    if kind == st.SHIPPING_WEIGHT and not errors.get("per_kg_satang") and not per_kg and not base_fee:
        errors["per_kg_satang"] = _l("Enter the price per kilogram (or a base fee).")
    if kind == st.SHIPPING_PICKUP:
        if note_th is None and "pickup_note_th" not in errors:
            errors["pickup_note_th"] = _l("Tell buyers where and when they can collect their order.")
        # Pick-up has no distance to pay for: only an optional handling fee.
        per_kg, free_above = 0, None
        errors.pop("per_kg_satang", None)
        errors.pop("free_above_satang", None)
    else:
        note_th = note_en = None
        errors.pop("pickup_note_th", None)
        errors.pop("pickup_note_en", None)
    if kind == st.SHIPPING_FLAT:
        per_kg = 0
        errors.pop("per_kg_satang", None)

    if errors:
        raise ValidationFailed(_l("Please check the fields marked below."), fields=errors)
    return {
        "kind": kind, "name_th": name_th, "name_en": name_en, "base_fee_satang": base_fee or 0,
        "per_kg_satang": per_kg or 0, "free_above_satang": free_above, "delivery_days": days,
        "pickup_note_th": note_th, "pickup_note_en": note_en, "is_active": bool(data.is_active),
    }


# ---------------------------------------------------------------- queries


def options_of(enterprise: Enterprise) -> list[ShippingOption]:
    return list(db.session.scalars(
        select(ShippingOption).where(ShippingOption.enterprise_id == enterprise.id)
        .order_by(ShippingOption.position, ShippingOption.id)
    ))


def option_for_enterprise(enterprise: Enterprise, option_id: int) -> ShippingOption:
    """The option, looked up within ``enterprise``; NotFound for any other id."""
    option = db.session.scalar(
        select(ShippingOption).where(ShippingOption.id == option_id, ShippingOption.enterprise_id == enterprise.id)
    )
    if option is None:
        raise NotFound()
    return option


def default_fee_satang() -> int:
    """What buyers pay while the enterprise has no active option of its own."""
    return int(current_app.config["DEFAULT_SHIPPING_FEE_SATANG"])


def input_from(option: ShippingOption) -> ShippingOptionInput:
    return ShippingOptionInput(
        kind=option.kind, name_th=option.name_th, name_en=option.name_en, base_fee_satang=option.base_fee_satang,
        per_kg_satang=option.per_kg_satang, free_above_satang=option.free_above_satang,
        delivery_days=option.delivery_days, pickup_note_th=option.pickup_note_th,
        pickup_note_en=option.pickup_note_en, is_active=option.is_active,
    )


# ---------------------------------------------------------------- changes


def create_option(enterprise: Enterprise, actor, data: ShippingOptionInput) -> ShippingOption:
    """Add an option at the end of the enterprise's list; commits."""
    values = validate(data)
    count = db.session.scalar(
        select(func.count(ShippingOption.id)).where(ShippingOption.enterprise_id == enterprise.id)
    ) or 0
    if count >= MAX_OPTIONS:
        raise ValidationFailed(_l("You already have %(max)d shipping options. Remove one you no longer use first.",
                                  max=MAX_OPTIONS))
    last = db.session.scalar(
        select(func.max(ShippingOption.position)).where(ShippingOption.enterprise_id == enterprise.id)
    )
    option = ShippingOption(enterprise_id=enterprise.id, position=(last or 0) + 1, **values)
    with transaction():
        db.session.add(option)
    return option


def update_option(enterprise: Enterprise, actor, option_id: int, data: ShippingOptionInput) -> ShippingOption:
    """Change an option. Orders already placed keep the name and fee they were given
    (fulfilments copy them), so editing never rewrites a past order; commits."""
    option = option_for_enterprise(enterprise, option_id)
    values = validate(data)
    with transaction():
        for key, value in values.items():
            setattr(option, key, value)
    return option


def set_active(enterprise: Enterprise, actor, option_id: int, active: bool) -> ShippingOption:
    option = option_for_enterprise(enterprise, option_id)
    with transaction():
        option.is_active = bool(active)
    return option


def delete_option(enterprise: Enterprise, actor, option_id: int) -> None:
    """Remove an option. Fulfilments that used it keep their copy of its name, kind and
    fee (their link is set to NULL by the foreign key); commits."""
    option = option_for_enterprise(enterprise, option_id)
    with transaction():
        db.session.delete(option)


def move_option(enterprise: Enterprise, actor, option_id: int, direction: str) -> None:
    """Swap an option with its neighbour ("up" or "down"); the list order is the order
    buyers see at checkout. Commits."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_l("Unknown move."))
    options = options_of(enterprise)
    index = next((i for i, o in enumerate(options) if o.id == option_id), None)
    if index is None:
        raise NotFound()
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(options):
        return
    options[index], options[other] = options[other], options[index]
    # Renumber the whole list: positions may have gaps or ties from earlier deletes.
    with transaction():
        for position, option in enumerate(options, start=1):
            option.position = position
