"""Shipping options through the seller pages: add, edit, turn off, reorder, remove;
every kind (flat, by weight, free above an amount, pick-up); bad input of each kind
(a message by the field, a 422, nothing written); another enterprise's option (404);
and what checkout then charges (``orders.shipping`` reads the options saved here)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders import shipping
from shop.orders.models import ShippingOption
from shop.sellers import shipping_services
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory


@pytest.fixture
def owner(app, client, sign_in):
    member = MemberFactory()
    sign_in(member.user)
    return member


def url(owner, tail: str = "") -> str:
    return f"/seller/{owner.enterprise_id}/shipping{tail}"


def form(**overrides) -> dict:
    data = {"kind": "flat", "name_th": "ไปรษณีย์ไทย EMS", "name_en": "Thailand Post EMS", "base_fee": "50",
            "per_kg": "", "free_above": "", "delivery_days": "3", "pickup_note_th": "", "pickup_note_en": "",
            "is_active": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def options(enterprise_id: int) -> list[ShippingOption]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(ShippingOption).where(ShippingOption.enterprise_id == enterprise_id)
        .order_by(ShippingOption.position, ShippingOption.id)
    ))


def count() -> int:
    return db.session.scalar(select(func.count(ShippingOption.id)))


# ------------------------------------------------------------------ each kind


def test_no_option_yet_says_the_standard_fee_applies(client, owner):
    page = client.get(url(owner)).get_data(as_text=True)
    assert "฿50" in page
    assert "/shipping/new?kind=pickup" in page


def test_add_a_flat_rate_free_above_an_amount(client, owner):
    response = client.post(url(owner, "/new"), data=form(free_above="1,000"))
    assert response.status_code in (302, 303)
    [option] = options(owner.enterprise_id)
    assert (option.kind, option.name_th, option.name_en, option.base_fee_satang, option.per_kg_satang,
            option.free_above_satang, option.delivery_days, option.is_active) == (
        "flat", "ไปรษณีย์ไทย EMS", "Thailand Post EMS", 5000, 0, 100000, 3, True)
    page = client.get(url(owner)).get_data(as_text=True)
    assert "ไปรษณีย์ไทย EMS" in page and "฿1,000" in page

    # What checkout charges for it.
    assert shipping.option_fee(option, subtotal_satang=99999, weight_grams=500) == 5000
    assert shipping.option_fee(option, subtotal_satang=100000, weight_grams=500) == 0


def test_add_a_price_by_weight(client, owner):
    response = client.post(url(owner, "/new"), data=form(kind="weight", name_th="เคอรี่", base_fee="20",
                                                         per_kg="35.50"))
    assert response.status_code in (302, 303)
    [option] = options(owner.enterprise_id)
    assert (option.kind, option.base_fee_satang, option.per_kg_satang) == ("weight", 2000, 3550)
    assert shipping.option_fee(option, subtotal_satang=10000, weight_grams=1200) == 2000 + 2 * 3550
    assert "฿35.50" in client.get(url(owner)).get_data(as_text=True)


def test_add_a_pick_up_point(client, owner):
    response = client.post(url(owner, "/new"), data=form(
        kind="pickup", name_th="รับที่ร้านในหมู่บ้าน", base_fee="0", per_kg="99", free_above="500",
        pickup_note_th="ร้านค้าชุมชน หมู่ 3 เปิดทุกวัน 8:00–17:00"))
    assert response.status_code in (302, 303)
    [option] = options(owner.enterprise_id)
    # Per-kilogram and free-above do not apply to pick-up: they are not kept.
    assert (option.kind, option.base_fee_satang, option.per_kg_satang, option.free_above_satang) == (
        "pickup", 0, 0, None)
    assert option.pickup_note_th == "ร้านค้าชุมชน หมู่ 3 เปิดทุกวัน 8:00–17:00"
    assert "ร้านค้าชุมชน หมู่ 3" in client.get(url(owner)).get_data(as_text=True)


def test_pick_up_notes_are_dropped_from_delivery_options(client, owner):
    client.post(url(owner, "/new"), data=form(pickup_note_th="ไม่ควรเก็บ"))
    [option] = options(owner.enterprise_id)
    assert option.pickup_note_th is None


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("overrides, field", [
    ({"kind": "teleport"}, "kind"),
    ({"kind": ""}, "kind"),
    ({"name_th": ""}, "name_th"),
    ({"name_th": "   "}, "name_th"),
    ({"name_th": "ก" * 121}, "name_th"),
    ({"base_fee": ""}, "base_fee"),
    ({"base_fee": "-10"}, "base_fee"),
    ({"base_fee": "abc"}, "base_fee"),
    ({"base_fee": "12.345"}, "base_fee"),
    ({"base_fee": "1e5"}, "base_fee"),
    ({"base_fee": "10001"}, "base_fee"),
    ({"base_fee": "99999999999999"}, "base_fee"),
    ({"free_above": "0"}, "free_above"),
    ({"free_above": "-1"}, "free_above"),
    ({"free_above": "1000001"}, "free_above"),
    ({"delivery_days": "-1"}, "delivery_days"),
    ({"delivery_days": "61"}, "delivery_days"),
    ({"delivery_days": "2.5"}, "delivery_days"),
    ({"kind": "weight", "base_fee": "0", "per_kg": ""}, "per_kg"),
    ({"kind": "weight", "per_kg": "-5"}, "per_kg"),
    ({"kind": "weight", "per_kg": "20000"}, "per_kg"),
    ({"kind": "pickup", "pickup_note_th": ""}, "pickup_note_th"),
    ({"kind": "pickup", "pickup_note_th": "ก" * 301}, "pickup_note_th"),
])
def test_bad_input_is_refused_by_the_field_and_nothing_is_written(client, owner, overrides, field):
    response = client.post(url(owner, "/new"), data=form(**overrides))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page or (field == "kind" and 'id="kind-error"' in page)
    assert count() == 0


def test_a_refused_edit_keeps_the_option_as_it_was(client, owner):
    client.post(url(owner, "/new"), data=form())
    [option] = options(owner.enterprise_id)
    response = client.post(url(owner, f"/{option.id}/edit"), data=form(base_fee="-1", name_th="เปลี่ยนชื่อ"))
    assert response.status_code == 422
    [option] = options(owner.enterprise_id)
    assert (option.name_th, option.base_fee_satang) == ("ไปรษณีย์ไทย EMS", 5000)


def test_there_is_a_limit_on_options(client, owner):
    for n in range(shipping_services.MAX_OPTIONS):
        db.session.add(ShippingOption(enterprise_id=owner.enterprise_id, name_th=f"ตัวเลือก {n}", position=n))
    db.session.commit()
    response = client.post(url(owner, "/new"), data=form())
    assert response.status_code == 422
    assert count() == shipping_services.MAX_OPTIONS


# ------------------------------------------------------------------ edit, off/on, order, remove


def test_edit_turn_off_and_on_reorder_and_remove(client, owner):
    for name in ("หนึ่ง", "สอง", "สาม"):
        assert client.post(url(owner, "/new"), data=form(name_th=name)).status_code in (302, 303)
    one, two, three = options(owner.enterprise_id)

    page = client.get(url(owner, f"/{two.id}/edit")).get_data(as_text=True)
    assert 'value="สอง"' in page and 'value="50"' in page
    assert client.post(url(owner, f"/{two.id}/edit"), data=form(name_th="สอง (ด่วน)", base_fee="80.25")
                       ).status_code in (302, 303)
    two = db.session.get(ShippingOption, two.id)
    assert (two.name_th, two.base_fee_satang) == ("สอง (ด่วน)", 8025)

    assert client.post(url(owner, f"/{one.id}/active"), data={"active": "0"}).status_code in (302, 303)
    assert [o.id for o in shipping.active_options(owner.enterprise_id)] == [two.id, three.id]
    client.post(url(owner, f"/{one.id}/active"), data={"active": "1"})
    assert len(shipping.active_options(owner.enterprise_id)) == 3

    client.post(url(owner, f"/{three.id}/move"), data={"move": "up"})
    assert [o.name_th for o in options(owner.enterprise_id)] == ["หนึ่ง", "สาม", "สอง (ด่วน)"]
    client.post(url(owner, f"/{one.id}/move"), data={"move": "up"})  # already first: nothing moves
    assert [o.name_th for o in options(owner.enterprise_id)] == ["หนึ่ง", "สาม", "สอง (ด่วน)"]
    assert client.post(url(owner, f"/{one.id}/move"), data={"move": "sideways"}).status_code == 422

    assert client.post(url(owner, f"/{three.id}/delete")).status_code in (302, 303)
    assert [o.name_th for o in options(owner.enterprise_id)] == ["หนึ่ง", "สอง (ด่วน)"]


def test_removing_an_option_keeps_past_orders_shipping(client, owner):
    from tests.factories import VariantFactory
    from tests.order_helpers import make_order

    client.post(url(owner, "/new"), data=form())
    [option] = options(owner.enterprise_id)
    order = make_order([(VariantFactory(product__enterprise=owner.enterprise), 1)])
    fulfilment = order.fulfilments[0]
    assert fulfilment.shipping_option_id == option.id

    client.post(url(owner, f"/{option.id}/delete"))

    db.session.expire_all()
    fulfilment = db.session.get(type(fulfilment), fulfilment.id)
    assert fulfilment.shipping_option_id is None
    assert (fulfilment.shipping_name, fulfilment.shipping_satang) == ("ไปรษณีย์ไทย EMS", 5000)


def test_another_enterprises_option_is_404(client, owner):
    theirs = ShippingOption(enterprise_id=EnterpriseFactory().id, name_th="ของคนอื่น", base_fee_satang=100)
    db.session.add(theirs)
    db.session.commit()

    assert client.get(url(owner, f"/{theirs.id}/edit")).status_code == 404
    assert client.post(url(owner, f"/{theirs.id}/edit"), data=form(name_th="ยึด")).status_code == 404
    assert client.post(url(owner, f"/{theirs.id}/active"), data={"active": "0"}).status_code == 404
    assert client.post(url(owner, f"/{theirs.id}/move"), data={"move": "up"}).status_code == 404
    assert client.post(url(owner, f"/{theirs.id}/delete")).status_code == 404
    db.session.expire_all()
    theirs = db.session.get(ShippingOption, theirs.id)
    assert (theirs.name_th, theirs.is_active) == ("ของคนอื่น", True)
    assert "ของคนอื่น" not in client.get(url(owner)).get_data(as_text=True)


def test_non_members_get_404_and_guests_sign_in(client, owner, sign_in):
    client.post("/account/logout")
    response = client.get(url(owner))
    assert response.status_code in (302, 303) and "/account/login" in response.headers["Location"]
    sign_in(UserFactory())
    assert client.get(url(owner)).status_code == 404
    assert client.post(url(owner, "/new"), data=form()).status_code == 404
    assert count() == 0


def test_an_enterprise_id_in_the_form_is_ignored(client, owner):
    other = EnterpriseFactory()
    client.post(url(owner, "/new"), data=form(enterprise_id=str(other.id)))
    assert len(options(owner.enterprise_id)) == 1 and options(other.id) == []
