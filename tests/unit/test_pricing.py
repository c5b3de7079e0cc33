"""The pricing rule (``shop.catalog.pricing``, docs/product.md: Wholesale): who pays a
wholesale tier and which tier, and the minimum order and case pack a wholesale line
is held to. Real rows, every buyer kind, every tier boundary."""

from __future__ import annotations

import pytest

from shop.accounts.models import RetailBuyer
from shop.catalog import pricing
from shop.extensions import db
from tests.factories import RetailBuyerFactory, UserFactory, VariantFactory, WholesaleTierFactory

# ฿180 retail; ฿172 from 12, ฿158 from 50, ฿150 from 100 (the Mae Jaem ladder).
LADDER = [(1, 18000), (12, 17200), (50, 15800), (100, 15000)]


def make_variant(tiers=LADDER, *, price=18000, moq=1, case_pack=1, stock=500):
    variant = VariantFactory(price_satang=price, moq=moq, case_pack=case_pack, stock=stock)
    for min_quantity, unit_price in tiers:
        WholesaleTierFactory(variant=variant, min_quantity=min_quantity, unit_price_satang=unit_price)
    db.session.refresh(variant)
    return variant


def make_buyer(kind: str):
    if kind == "guest":
        return None
    if kind == "shopper":
        return UserFactory()
    if kind == "suspended":
        user = RetailBuyerFactory(status=RetailBuyer.VERIFIED).user
        user.is_active_account = False
        db.session.commit()
        return user
    status = {"pending": RetailBuyer.PENDING, "verified": RetailBuyer.VERIFIED,
              "refused": RetailBuyer.REJECTED}[kind]
    return RetailBuyerFactory(status=status).user


@pytest.fixture
def verified(app):
    return make_buyer("verified")


# ---------------------------------------------------------------- unit price


@pytest.mark.parametrize(("quantity", "expected"), [
    (1, 18000), (11, 18000), (12, 17200), (13, 17200), (49, 17200), (50, 15800), (51, 15800),
    (60, 15800), (99, 15800), (100, 15000), (101, 15000), (10_000, 15000),
])
def test_a_verified_buyer_pays_the_highest_tier_the_quantity_reaches(app, verified, quantity, expected):
    # Given a variant with the ladder, when a verified buyer buys `quantity`
    variant = make_variant()
    # then each unit costs the tier with the highest minimum not above it.
    assert pricing.unit_price(variant, quantity, verified) == expected


@pytest.mark.parametrize("kind", ["guest", "shopper", "pending", "refused", "suspended"])
def test_everyone_but_a_verified_buyer_pays_retail_at_any_quantity(app, kind):
    variant = make_variant()
    buyer = make_buyer(kind)
    for quantity in (1, 12, 50, 60, 100):
        quote = pricing.price_quote(variant, quantity, buyer)
        assert (quote.unit_price_satang, quote.wholesale, quote.tier, quote.next_tier) == (18000, False, None, None)
        assert quote.saving_satang == 0


def test_the_verified_buyer_kinds_are_told_apart(app):
    assert [pricing.buys_wholesale(make_buyer(kind)) for kind in
            ("guest", "shopper", "pending", "verified", "refused", "suspended")] == [
        False, False, False, True, False, False]


def test_a_variant_without_tiers_costs_retail_even_for_a_verified_buyer(app, verified):
    variant = make_variant(tiers=[])
    quote = pricing.price_quote(variant, 60, verified)
    assert (quote.unit_price_satang, quote.tier, quote.next_tier, quote.saving_satang) == (18000, None, None, 0)
    assert quote.wholesale


def test_below_the_first_tier_a_verified_buyer_pays_retail(app, verified):
    variant = make_variant(tiers=[(10, 16000)])
    assert pricing.unit_price(variant, 9, verified) == 18000
    assert pricing.unit_price(variant, 10, verified) == 16000


def test_a_tier_dearer_than_retail_is_ignored(app, verified):
    # Given a tier from 200 at ฿190, above the ฿180 retail price
    variant = make_variant(tiers=[*LADDER, (200, 19000)])
    # then 250 units still cost the ฿150 tier, and the dearer tier is never offered
    assert pricing.unit_price(variant, 250, verified) == 15000
    assert [t.min_quantity for t in pricing.applicable_tiers(variant)] == [1, 12, 50, 100]
    # and a ladder of only dearer tiers leaves retail.
    assert pricing.unit_price(make_variant(tiers=[(5, 20000)]), 10, verified) == 18000


def test_the_quote_names_the_tier_the_saving_and_the_next_tier(app, verified):
    variant = make_variant()
    quote = pricing.price_quote(variant, 60, verified)
    assert quote.tier.min_quantity == 50 and quote.retail_price_satang == 18000
    assert quote.saving_per_unit_satang == 2200 and quote.saving_satang == 60 * 2200
    assert quote.next_tier.min_quantity == 100 and quote.units_to_next_tier == 40
    # At the top of the ladder there is no next tier.
    top = pricing.price_quote(variant, 100, verified)
    assert top.next_tier is None and top.units_to_next_tier == 0
    # Below 12 the next tier is the ฿172 one (the ฿180 tier from 1 saves nothing).
    assert pricing.price_quote(variant, 5, verified).units_to_next_tier == 7


def test_the_next_tier_is_reached_in_whole_case_packs(app, verified):
    # Packs of 6 from 6: 100 is not a whole number of packs, 102 is.
    variant = make_variant(moq=6, case_pack=6)
    quote = pricing.price_quote(variant, 60, verified)
    assert quote.next_tier_quantity == 102 and quote.units_to_next_tier == 42


# ---------------------------------------------------------------- minimum order and case pack


@pytest.mark.parametrize(("moq", "pack", "quantity", "limit", "expected"), [
    (2, 2, 1, 100, 2),    # under the minimum: the minimum
    (2, 2, 3, 100, 4),    # between two packs, as near: the larger
    (2, 2, 3, 3, 2),      # ... unless it is more than may be bought
    (6, 6, 7, 100, 6),    # nearer the pack below
    (6, 6, 11, 100, 12),  # nearer the pack above
    (5, 2, 1, 100, 6),    # the minimum rounded up to a whole pack
    (5, 2, 7, 100, 8),    # 6 and 8 as near: the larger
    (6, 6, 500, 100, 96),  # over the limit: the most whole packs within it
    (6, 6, 1, 5, None),   # not even the minimum may be bought
])
def test_the_nearest_valid_quantity(app, moq, pack, quantity, limit, expected):
    variant = make_variant(moq=moq, case_pack=pack)
    assert pricing.nearest_valid_quantity(variant, quantity, limit) == expected


def test_a_verified_buyer_is_held_to_the_minimum_order_and_the_case_pack(app, verified):
    variant = make_variant(moq=2, case_pack=2)
    under = pricing.quantity_problem(variant, 1, verified, limit=40)
    assert (under.rule, under.moq, under.case_pack, under.suggestion) == (pricing.RULE_MOQ, 2, 2, 2)
    odd = pricing.quantity_problem(variant, 3, verified, limit=40)
    assert (odd.rule, odd.suggestion) == (pricing.RULE_CASE_PACK, 4)
    for quantity in (2, 4, 40):
        assert pricing.quantity_problem(variant, quantity, verified, limit=40) is None


@pytest.mark.parametrize("kind", ["guest", "shopper", "pending", "refused", "suspended"])
def test_retail_buyers_are_not_held_to_the_minimum_order_or_the_case_pack(app, kind):
    variant = make_variant(moq=2, case_pack=2)
    buyer = make_buyer(kind)
    assert pricing.quantity_problem(variant, 1, buyer, limit=40) is None
    assert pricing.quantity_problem(variant, 3, buyer, limit=40) is None
