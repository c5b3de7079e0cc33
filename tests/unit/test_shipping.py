"""Shipping fees per option (orders.shipping): flat, by weight (each started
kilogram), pick-up, free above an amount, and the built-in option of an enterprise
that has set none up."""

from __future__ import annotations

import pytest

from shop.orders import shipping
from shop.orders import status as st
from shop.orders.models import ShippingOption
from tests.cart_helpers import make_option
from tests.factories import EnterpriseFactory


@pytest.mark.parametrize(
    ("grams", "kilograms"),
    [(0, 0), (1, 1), (999, 1), (1000, 1), (1001, 2), (2500, 3), (-5, 0)],
)
def test_each_started_kilogram_counts(grams, kilograms):
    assert shipping.started_kilograms(grams) == kilograms


def option(**values) -> ShippingOption:
    defaults = {"kind": st.SHIPPING_FLAT, "base_fee_satang": 5000, "per_kg_satang": 0, "free_above_satang": None}
    return ShippingOption(name_th="ส่ง", **{**defaults, **values})


def test_flat_fee_ignores_weight_and_amount():
    flat = option(base_fee_satang=4500)
    assert shipping.option_fee(flat, subtotal_satang=100, weight_grams=0) == 4500
    assert shipping.option_fee(flat, subtotal_satang=10_000_000, weight_grams=50_000) == 4500


def test_weight_fee_adds_each_started_kilogram():
    by_weight = option(kind=st.SHIPPING_WEIGHT, base_fee_satang=3000, per_kg_satang=2000)
    assert shipping.option_fee(by_weight, subtotal_satang=0, weight_grams=250) == 3000 + 2000
    assert shipping.option_fee(by_weight, subtotal_satang=0, weight_grams=1000) == 3000 + 2000
    assert shipping.option_fee(by_weight, subtotal_satang=0, weight_grams=1001) == 3000 + 4000
    assert shipping.option_fee(by_weight, subtotal_satang=0, weight_grams=0) == 3000


def test_per_kg_is_ignored_for_a_flat_option():
    flat = option(base_fee_satang=3000, per_kg_satang=2000)
    assert shipping.option_fee(flat, subtotal_satang=0, weight_grams=5000) == 3000


def test_free_from_the_amount_on():
    free_above = option(base_fee_satang=5000, free_above_satang=50_000)
    assert shipping.option_fee(free_above, subtotal_satang=49_999, weight_grams=0) == 5000
    assert shipping.option_fee(free_above, subtotal_satang=50_000, weight_grams=0) == 0
    by_weight = option(kind=st.SHIPPING_WEIGHT, base_fee_satang=0, per_kg_satang=1500, free_above_satang=100_000)
    assert shipping.option_fee(by_weight, subtotal_satang=100_000, weight_grams=9000) == 0


def test_pickup_costs_its_base_fee():
    assert shipping.option_fee(option(kind=st.SHIPPING_PICKUP, base_fee_satang=0), subtotal_satang=0, weight_grams=900) == 0
    assert shipping.option_fee(option(kind=st.SHIPPING_PICKUP, base_fee_satang=1000), subtotal_satang=0,
                               weight_grams=900) == 1000


def test_an_enterprise_without_options_ships_with_the_built_in_one(app):
    enterprise = EnterpriseFactory()
    quotes = shipping.quotes_for(enterprise.id, subtotal_satang=12_000, weight_grams=250, locale="en")
    assert len(quotes) == 1
    built_in = quotes[0]
    assert built_in.option_id is None
    assert built_in.key == shipping.DEFAULT_OPTION_KEY
    assert built_in.fee_satang == app.config["DEFAULT_SHIPPING_FEE_SATANG"] == 5000
    assert built_in.kind == st.SHIPPING_FLAT


def test_default_fee_follows_the_config(app):
    app.config["DEFAULT_SHIPPING_FEE_SATANG"] = 3900
    enterprise = EnterpriseFactory()
    assert shipping.quotes_for(enterprise.id, subtotal_satang=0, weight_grams=0, locale="th")[0].fee_satang == 3900


def test_active_options_in_the_sellers_order_with_their_fees(app):
    enterprise = EnterpriseFactory()
    make_option(enterprise.id, name_en="Kerry", name_th="เคอรี่", position=2, base_fee_satang=7000)
    make_option(enterprise.id, name_en="Post by weight", name_th="ไปรษณีย์ตามน้ำหนัก", position=1,
                kind=st.SHIPPING_WEIGHT, base_fee_satang=2000, per_kg_satang=1000)
    make_option(enterprise.id, name_en="Old courier", name_th="ขนส่งเก่า", position=0, is_active=False)
    make_option(enterprise.id, name_en="Collect at the farm", name_th="รับเองที่ไร่", position=3,
                kind=st.SHIPPING_PICKUP, base_fee_satang=0, pickup_note_en="Sat 9-12", pickup_note_th="เสาร์ 9-12 น.")
    quotes = shipping.quotes_for(enterprise.id, subtotal_satang=30_000, weight_grams=1500, locale="en")
    assert [q.name for q in quotes] == ["Post by weight", "Kerry", "Collect at the farm"]
    assert [q.fee_satang for q in quotes] == [2000 + 2 * 1000, 7000, 0]
    assert quotes[2].is_pickup and quotes[2].pickup_note == "Sat 9-12"
    assert quotes[0].pickup_note is None
    thai = shipping.quotes_for(enterprise.id, subtotal_satang=30_000, weight_grams=1500, locale="th")
    assert thai[0].name == "ไปรษณีย์ตามน้ำหนัก"


def test_another_enterprises_options_are_not_offered(app):
    mine, theirs = EnterpriseFactory(), EnterpriseFactory()
    make_option(mine.id)
    other = make_option(theirs.id, base_fee_satang=0)
    assert shipping.quotes_for(mine.id, subtotal_satang=0, weight_grams=0, locale="th")[0].option_id != other.id


def test_choose_picks_by_key_defaults_to_the_first_and_refuses_unknown_keys(app):
    enterprise = EnterpriseFactory()
    first = make_option(enterprise.id, position=0)
    second = make_option(enterprise.id, position=1, base_fee_satang=9000)
    quotes = shipping.quotes_for(enterprise.id, subtotal_satang=0, weight_grams=0, locale="th")
    assert shipping.choose(quotes, None).option_id == first.id
    assert shipping.choose(quotes, "").option_id == first.id
    assert shipping.choose(quotes, str(second.id)).option_id == second.id
    assert shipping.choose(quotes, "999999") is None
    assert shipping.choose(quotes, shipping.DEFAULT_OPTION_KEY) is None  # it has options of its own
    assert shipping.choose([], "1") is None
