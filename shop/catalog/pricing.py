"""What a unit costs, and which quantities may be bought (docs/product.md: Wholesale).

One rule for every place that prices a line (the cart, checkout, the API): a verified
retail buyer whose account is active pays the wholesale tier for the line's quantity
(the tier with the highest ``min_quantity`` not above it; a tier dearer than the
retail price is ignored, so wholesale never costs more than retail), and is held to
the variant's minimum order and case pack; everyone else (guests, shoppers, business
accounts waiting for review or refused, suspended accounts) pays the retail price
and may buy any quantity.

This module reads only the variant, its tiers and the buyer's status, so every area
can import it; it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shop.accounts.models import User
    from shop.catalog.models import Variant, WholesaleTier

# Why a wholesale line's quantity cannot be bought as it stands.
RULE_MOQ = "moq"
RULE_CASE_PACK = "case_pack"


def buys_wholesale(buyer: User | None) -> bool:
    """True for a signed-in, active user whose business account staff verified."""
    if buyer is None or not getattr(buyer, "is_authenticated", False) or not getattr(buyer, "is_active", False):
        return False
    return bool(buyer.is_verified_retail_buyer)


def applicable_tiers(variant: Variant) -> list[WholesaleTier]:
    """The variant's tiers that may apply, by quantity: those not dearer than retail."""
    retail = int(variant.price_satang)
    return sorted((t for t in variant.wholesale_tiers if int(t.unit_price_satang) <= retail),
                  key=lambda t: (t.min_quantity, t.id or 0))


@dataclass(frozen=True)
class PriceQuote:
    """A line's unit price for one buyer, with what it is made of."""

    quantity: int
    unit_price_satang: int
    retail_price_satang: int
    wholesale: bool  # the buyer buys at wholesale terms
    tier: WholesaleTier | None  # the tier applied (None: retail)
    next_tier: WholesaleTier | None  # the next cheaper tier up, for a wholesale buyer
    #: The least quantity that reaches ``next_tier`` in whole case packs.
    next_tier_quantity: int | None = None

    @property
    def saving_per_unit_satang(self) -> int:
        return self.retail_price_satang - self.unit_price_satang

    @property
    def saving_satang(self) -> int:
        """What the line saves against retail, in all."""
        return self.saving_per_unit_satang * self.quantity

    @property
    def units_to_next_tier(self) -> int:
        return max(0, self.next_tier_quantity - self.quantity) if self.next_tier_quantity is not None else 0


def price_quote(variant: Variant, quantity: int, buyer: User | None) -> PriceQuote:
    """The unit price of ``quantity`` units of ``variant`` for ``buyer``, with the tier
    applied, the retail price, the saving and the next tier that would lower it."""
    retail = int(variant.price_satang)
    if not buys_wholesale(buyer):
        return PriceQuote(quantity, retail, retail, False, None, None)
    tier = next_tier = None
    for candidate in applicable_tiers(variant):
        if candidate.min_quantity <= quantity:
            tier = candidate
        elif int(candidate.unit_price_satang) < (int(tier.unit_price_satang) if tier is not None else retail):
            next_tier = candidate
            break
    price = int(tier.unit_price_satang) if tier is not None else retail
    reach = None
    if next_tier is not None:
        pack = max(1, int(variant.case_pack or 1))
        reach = max(smallest_valid_quantity(variant), -(-next_tier.min_quantity // pack) * pack)
    return PriceQuote(quantity, price, retail, True, tier, next_tier, reach)


def unit_price(variant: Variant, quantity: int, buyer: User | None = None) -> int:
    """What one unit costs ``buyer`` buying ``quantity``, in satang: the only place a
    cart, an order or the API decides a price."""
    return price_quote(variant, quantity, buyer).unit_price_satang


# ---------------------------------------------------------------- minimum order and case pack


@dataclass(frozen=True)
class QuantityProblem:
    """Why a wholesale line's quantity is refused, and the valid quantity nearest it."""

    rule: str  # RULE_MOQ or RULE_CASE_PACK
    quantity: int
    moq: int
    case_pack: int
    #: The valid quantity nearest the one asked for, within ``limit``; None when
    #: no valid quantity fits.
    suggestion: int | None


def smallest_valid_quantity(variant: Variant) -> int:
    """The least a wholesale buyer may order: the MOQ rounded up to a whole case."""
    moq, pack = max(1, int(variant.moq or 1)), max(1, int(variant.case_pack or 1))
    return -(-moq // pack) * pack


def nearest_valid_quantity(variant: Variant, quantity: int, limit: int) -> int | None:
    """The valid wholesale quantity nearest ``quantity`` and not above ``limit``.

    Between two equally near, the larger: a buyer who asked for 3 in packs of 2
    needs at least 3, so 4 covers the need where 2 would not.
    """
    pack = max(1, int(variant.case_pack or 1))
    least = smallest_valid_quantity(variant)
    if least > limit:
        return None
    if quantity <= least:
        return least
    below = quantity // pack * pack
    above = below if below == quantity else below + pack
    candidates = [q for q in (above, below) if least <= q <= limit]
    if not candidates:
        return limit // pack * pack if limit // pack * pack >= least else None
    return min(candidates, key=lambda q: (abs(q - quantity), -q))


def quantity_problem(variant: Variant, quantity: int, buyer: User | None, *, limit: int) -> QuantityProblem | None:
    """None when ``buyer`` may buy ``quantity`` of ``variant``; otherwise which rule
    refuses it. Only wholesale buyers are held to the MOQ and the case pack."""
    if not buys_wholesale(buyer):
        return None
    moq, pack = max(1, int(variant.moq or 1)), max(1, int(variant.case_pack or 1))
    if quantity < moq:
        rule = RULE_MOQ
    elif quantity % pack:
        rule = RULE_CASE_PACK
    else:
        return None
    return QuantityProblem(rule, quantity, moq, pack, nearest_valid_quantity(variant, quantity, limit))
