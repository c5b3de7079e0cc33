"""Shipping fees: what each of an enterprise's shipping options costs for one
enterprise's part of a cart or an order (docs/product.md: Orders).

An option is flat (``base_fee_satang``), by weight (``base_fee_satang`` plus
``per_kg_satang`` for each started kilogram) or pick-up (``base_fee_satang``, usually
0). ``free_above_satang``, when set, makes any of them free once the enterprise's
subtotal reaches it. An enterprise that has not set up any active option ships with
one built-in flat option ("Standard delivery", ``DEFAULT_SHIPPING_FEE_SATANG``), so
a new enterprise can sell before it has configured anything.

Everything is integer satang and grams. The fee is always recomputed here from the
stored option, never taken from a form.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import ShippingOption

GRAMS_PER_KG = 1000

#: The name of the built-in option, stored on fulfilments in the order's language.
DEFAULT_OPTION_NAME = _l("Standard delivery")
#: The value a form sends for the built-in option (it has no row, hence no id).
DEFAULT_OPTION_KEY = "default"


@dataclass(frozen=True)
class ShippingQuote:
    """One way to ship an enterprise's part of the cart, with its fee for that part."""

    key: str  # the option's id as text, or DEFAULT_OPTION_KEY
    option_id: int | None
    kind: str
    name: str
    fee_satang: int
    delivery_days: int | None = None
    pickup_note: str | None = None
    free_above_satang: int | None = None

    @property
    def is_pickup(self) -> bool:
        return self.kind == st.SHIPPING_PICKUP

    @property
    def is_free(self) -> bool:
        return self.fee_satang == 0


def started_kilograms(weight_grams: int) -> int:
    """1 g to 1000 g is one kilogram, 1001 g two; nothing weighs nothing."""
    weight_grams = max(0, int(weight_grams))
    return -(-weight_grams // GRAMS_PER_KG)


def option_fee(option: ShippingOption, *, subtotal_satang: int, weight_grams: int) -> int:
    """The fee of ``option`` for goods worth ``subtotal_satang`` weighing ``weight_grams``."""
    if option.free_above_satang is not None and subtotal_satang >= option.free_above_satang:
        return 0
    fee = int(option.base_fee_satang or 0)
    if option.kind == st.SHIPPING_WEIGHT:
        fee += int(option.per_kg_satang or 0) * started_kilograms(weight_grams)
    return max(0, fee)


def default_fee() -> int:
    return int(current_app.config["DEFAULT_SHIPPING_FEE_SATANG"])


def active_options(enterprise_id: int) -> list[ShippingOption]:
    """The enterprise's active options in the order the seller arranged them."""
    return list(db.session.scalars(_ACTIVE_OPTIONS, {"enterprise_id": enterprise_id}))


# ``active_options``'s query, built once: each cart and checkout passes the enterprise.
_ACTIVE_OPTIONS = (
    select(ShippingOption)
    .where(ShippingOption.enterprise_id == bindparam("enterprise_id"), ShippingOption.is_active.is_(True))
    .order_by(ShippingOption.position, ShippingOption.id)
)


def quote(option: ShippingOption | None, *, subtotal_satang: int, weight_grams: int, locale: str) -> ShippingQuote:
    """A quote for one option, or for the built-in option when ``option`` is None."""
    if option is None:
        return ShippingQuote(
            key=DEFAULT_OPTION_KEY, option_id=None, kind=st.SHIPPING_FLAT,
            name=str(DEFAULT_OPTION_NAME), fee_satang=default_fee(),
        )
    return ShippingQuote(
        key=str(option.id),
        option_id=option.id,
        kind=option.kind,
        name=option.t("name", locale),
        fee_satang=option_fee(option, subtotal_satang=subtotal_satang, weight_grams=weight_grams),
        delivery_days=option.delivery_days,
        pickup_note=(option.t("pickup_note", locale) or None) if option.kind == st.SHIPPING_PICKUP else None,
        free_above_satang=option.free_above_satang,
    )


def quotes_for(enterprise_id: int, *, subtotal_satang: int, weight_grams: int, locale: str) -> list[ShippingQuote]:
    """Every way the enterprise ships these goods, the first being the default choice."""
    options = active_options(enterprise_id)
    if not options:
        return [quote(None, subtotal_satang=subtotal_satang, weight_grams=weight_grams, locale=locale)]
    return [quote(o, subtotal_satang=subtotal_satang, weight_grams=weight_grams, locale=locale) for o in options]


def choose(quotes: list[ShippingQuote], key: str | None) -> ShippingQuote | None:
    """The quote the buyer picked (by key), the first one when nothing was picked, or
    None when the key names no option of this enterprise (a stale or forged form)."""
    if not quotes:
        return None
    if key in (None, ""):
        return quotes[0]
    for candidate in quotes:
        if candidate.key == str(key):
            return candidate
    return None
