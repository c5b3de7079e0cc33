"""The seller's order pages through HTTP: the tabs, one fulfilment with its buttons
(accept, packed, ship, delivered, cancel) calling the order services, bad input on
each form (a clear message, a 4xx, nothing changed), another enterprise's ids (404),
the packing slip (no prices) and the orders CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.orders import status as st
from shop.orders.models import Fulfilment, StatusChange
from tests.factories import MemberFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order


@pytest.fixture
def owner(app, client, sign_in):
    member = MemberFactory(enterprise__name_en="Ban Mae Jaem Coffee")
    sign_in(member.user)
    return member


@pytest.fixture
def coffee(owner):
    return VariantFactory(product__enterprise=owner.enterprise, product__name_th="กาแฟคั่วโอ่ง",
                          product__name_en="Jar-roasted coffee", sku="MJ-250", price_satang=12000, stock=20)


@pytest.fixture
def other_enterprise_order(app):
    """A paid order of another enterprise only."""
    rice = VariantFactory(product__name_th="ข้าวกล้อง", sku="RICE-1")
    return make_order([(rice, 1)], paid=True)


def url(owner, tail: str = "") -> str:
    return f"/seller/{owner.enterprise_id}/orders{tail}"


def part(order) -> Fulfilment:
    return order.fulfilments[0]


def reload(fulfilment: Fulfilment) -> Fulfilment:
    db.session.expire_all()
    return db.session.get(Fulfilment, fulfilment.id)


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


# ------------------------------------------------------------------ list and tabs


def test_the_to_act_on_tab_lists_paid_open_parts_oldest_first(client, owner, coffee):
    first = make_order([(coffee, 1)], paid=True)
    second = make_order([(coffee, 2)], paid=True, fulfilment_status=st.FULFILMENT_PACKED)
    unpaid = make_order([(coffee, 1)])
    shipped = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
    part(first).order.paid_at = utcnow() - timedelta(hours=3)  # the clock: paid three hours ago
    db.session.commit()

    page = client.get(url(owner)).get_data(as_text=True)

    assert first.public_id in page and second.public_id in page
    assert page.index(first.public_id) < page.index(second.public_id)
    assert unpaid.public_id not in page and shipped.public_id not in page
    assert "กาแฟคั่วโอ่ง" in page


def test_shipped_and_all_tabs_and_the_status_filter(client, owner, coffee):
    unpaid = make_order([(coffee, 1)])
    shipped = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
    delivered = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_DELIVERED)
    new = make_order([(coffee, 1)], paid=True)

    shipped_tab = client.get(url(owner, "?tab=shipped")).get_data(as_text=True)
    assert shipped.public_id in shipped_tab and delivered.public_id in shipped_tab
    assert new.public_id not in shipped_tab and unpaid.public_id not in shipped_tab
    assert "KEX123456789" in shipped_tab

    everything = client.get(url(owner, "?tab=all")).get_data(as_text=True)
    for order in (unpaid, shipped, delivered, new):
        assert order.public_id in everything

    awaiting = client.get(url(owner, "?tab=all&status=awaiting_payment")).get_data(as_text=True)
    assert unpaid.public_id in awaiting and new.public_id not in awaiting
    new_only = client.get(url(owner, "?tab=all&status=new")).get_data(as_text=True)
    assert new.public_id in new_only and unpaid.public_id not in new_only  # unpaid parts are not "new" yet


def test_unknown_tabs_filters_and_pages_fall_back_instead_of_failing(client, owner, coffee):
    order = make_order([(coffee, 1)], paid=True)
    for query in ("?tab=nope", "?tab=all&status=%27;drop", "?page=-4", "?page=abc", "?page=999999999",
                  "?q=" + "x" * 5000, "?q=%25_%25"):
        response = client.get(url(owner, query))
        assert response.status_code == 200, query
    assert order.public_id in client.get(url(owner, "?tab=nope")).get_data(as_text=True)


def test_search_by_order_number_buyer_or_sku(client, owner, coffee):
    beans = VariantFactory(product=coffee.product, sku="MJ-1000", stock=5)
    one = make_order([(coffee, 1)], paid=True)
    two = make_order([(beans, 1)], paid=True)

    by_id = client.get(url(owner, f"?tab=all&q={one.public_id.lower()}")).get_data(as_text=True)
    assert one.public_id in by_id and two.public_id not in by_id
    by_sku = client.get(url(owner, "?tab=all&q=MJ-1000")).get_data(as_text=True)
    assert two.public_id in by_sku and one.public_id not in by_sku
    by_name = client.get(url(owner, "?tab=all&q=สมหญิง")).get_data(as_text=True)
    assert one.public_id in by_name and two.public_id in by_name


# ------------------------------------------------------------------ who may see


def test_another_enterprises_fulfilment_is_404_everywhere(client, owner, coffee, other_enterprise_order):
    foreign = part(other_enterprise_order)
    for path in ("", "/packing-slip"):
        assert client.get(url(owner, f"/{foreign.id}{path}")).status_code == 404
    for action in ("accept", "packed", "delivered"):
        assert client.post(url(owner, f"/{foreign.id}/{action}")).status_code == 404
    assert client.post(url(owner, f"/{foreign.id}/ship"),
                       data={"carrier": "kerry", "tracking_number": "KEX1234567"}).status_code == 404
    assert client.post(url(owner, f"/{foreign.id}/cancel"), data={"reason": "no"}).status_code == 404
    assert client.get(url(owner, "/999999")).status_code == 404
    assert reload(foreign).status == st.FULFILMENT_NEW
    assert other_enterprise_order.public_id not in client.get(url(owner, "?tab=all")).get_data(as_text=True)
    csv_text = client.get(url(owner, ".csv")).get_data(as_text=True)
    assert other_enterprise_order.public_id not in csv_text


def test_a_mixed_order_shows_only_this_enterprises_part(client, owner, coffee):
    rice = VariantFactory(product__name_th="ข้าวกล้องงอก", sku="RICE-9")
    order = make_order([(coffee, 1), (rice, 3)], paid=True)
    mine = next(f for f in order.fulfilments if f.enterprise_id == owner.enterprise_id)
    theirs = next(f for f in order.fulfilments if f.enterprise_id != owner.enterprise_id)

    page = client.get(url(owner, f"/{mine.id}")).get_data(as_text=True)

    assert "กาแฟคั่วโอ่ง" in page and "ข้าวกล้องงอก" not in page and "RICE-9" not in page
    assert client.get(url(owner, f"/{theirs.id}")).status_code == 404


def test_non_members_and_guests_are_kept_out(app, client, coffee, owner, sign_in):
    order = make_order([(coffee, 1)], paid=True)
    client.post("/account/logout")
    response = client.get(url(owner))
    assert response.status_code in (302, 303) and "/account/login" in response.headers["Location"]
    stranger = UserFactory()
    sign_in(stranger)
    assert client.get(url(owner)).status_code == 404
    assert client.get(url(owner, f"/{part(order).id}")).status_code == 404
    assert client.get(url(owner, ".csv")).status_code == 404
    assert client.post(url(owner, f"/{part(order).id}/accept")).status_code == 404


def test_a_staff_member_of_the_enterprise_can_fulfil(client, owner, coffee, sign_in):
    order = make_order([(coffee, 1)], paid=True)
    helper = MemberFactory(enterprise=owner.enterprise, role="staff")
    client.post("/account/logout")
    sign_in(helper.user)
    assert client.post(url(owner, f"/{part(order).id}/accept")).status_code in (302, 303)
    assert reload(part(order)).status == st.FULFILMENT_ACCEPTED


# ------------------------------------------------------------------ the steps


def test_accept_pack_ship_deliver_through_the_pages(client, owner, coffee):
    order = make_order([(coffee, 2)], paid=True)
    f = part(order)

    page = client.get(url(owner, f"/{f.id}")).get_data(as_text=True)
    assert "/accept\"" in page and "/ship\"" not in page

    assert client.post(url(owner, f"/{f.id}/accept")).status_code in (302, 303)
    assert reload(f).status == st.FULFILMENT_ACCEPTED
    assert client.post(url(owner, f"/{f.id}/packed")).status_code in (302, 303)
    assert reload(f).status == st.FULFILMENT_PACKED
    page = client.get(url(owner, f"/{f.id}")).get_data(as_text=True)
    assert 'name="tracking_number"' in page

    before = outbox_count()
    response = client.post(url(owner, f"/{f.id}/ship"), data={"carrier": "thailand_post",
                                                              "tracking_number": " eb 1234 5678 9th "})
    assert response.status_code in (302, 303)
    f = reload(f)
    assert (f.status, f.carrier, f.tracking_number) == (st.FULFILMENT_SHIPPED, "thailand_post", "EB123456789TH")
    assert outbox_count() == before + 1  # the buyer's "shipped" e-mail, from the service

    page = client.get(url(owner, f"/{f.id}")).get_data(as_text=True)
    assert "EB123456789TH" in page
    assert client.post(url(owner, f"/{f.id}/delivered")).status_code in (302, 303)
    assert reload(f).status == st.FULFILMENT_DELIVERED

    changes = db.session.scalars(
        select(StatusChange).where(StatusChange.fulfilment_id == f.id).order_by(StatusChange.id)
    ).all()
    assert [(c.to_status, c.actor_role, c.actor_id) for c in changes] == [
        (s, st.ROLE_SELLER, owner.user_id) for s in ("accepted", "packed", "shipped", "delivered")
    ]
    page = client.get(url(owner, f"/{f.id}")).get_data(as_text=True)
    assert owner.user.display_name in page  # the timeline names the member who acted


def test_nothing_can_be_done_before_payment(client, owner, coffee):
    order = make_order([(coffee, 1)])
    f = part(order)

    page = client.get(url(owner, f"/{f.id}")).get_data(as_text=True)
    assert "/accept" not in page and "/packing-slip" not in page

    response = client.post(url(owner, f"/{f.id}/accept"))
    assert response.status_code == 409
    assert 'id="action-error"' in response.get_data(as_text=True)  # the service's message, on the page
    assert reload(f).status == st.FULFILMENT_NEW


def test_a_step_from_the_wrong_state_is_refused_with_a_message(client, owner, coffee):
    order = make_order([(coffee, 1)], paid=True)
    f = part(order)
    assert client.post(url(owner, f"/{f.id}/accept")).status_code in (302, 303)

    again = client.post(url(owner, f"/{f.id}/accept"))  # a second tab, a double tap
    assert again.status_code == 409
    skip = client.post(url(owner, f"/{f.id}/delivered"))
    assert skip.status_code == 409
    ship_early = client.post(url(owner, f"/{f.id}/ship"), data={"carrier": "kerry", "tracking_number": "KEX12345"})
    assert ship_early.status_code == 409
    assert reload(f).status == st.FULFILMENT_ACCEPTED


@pytest.mark.parametrize("data, field_text", [
    ({"carrier": "", "tracking_number": "KEX123456"}, "carrier"),
    ({"carrier": "pigeon", "tracking_number": "KEX123456"}, "carrier"),
    ({"carrier": "kerry", "tracking_number": ""}, "tracking"),
    ({"carrier": "kerry", "tracking_number": "<script>"}, "tracking"),
    ({"carrier": "kerry", "tracking_number": "AB"}, "tracking"),
    ({"carrier": "kerry", "tracking_number": "A" * 65}, "tracking"),
    ({"carrier": "other", "carrier_name": "", "tracking_number": "KEX123456"}, "carrier_name"),
    ({"carrier": "other", "carrier_name": "x" * 41, "tracking_number": "KEX123456"}, "carrier_name"),
])
def test_bad_ship_input_is_refused_and_nothing_changes(client, owner, coffee, data, field_text):
    order = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED)
    f = part(order)
    before = outbox_count()

    response = client.post(url(owner, f"/{f.id}/ship"), data=data)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'class="form-error"' in body and "<script>" not in body.replace("&lt;script&gt;", "")
    f = reload(f)
    assert (f.status, f.carrier, f.tracking_number) == (st.FULFILMENT_PACKED, None, None)
    assert outbox_count() == before


def test_other_carrier_keeps_the_typed_name(client, owner, coffee):
    order = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED)
    f = part(order)
    response = client.post(url(owner, f"/{f.id}/ship"),
                           data={"carrier": "other", "carrier_name": "รถสองแถวประจำหมู่บ้าน", "tracking_number": "V-0001"})
    assert response.status_code in (302, 303)
    f = reload(f)
    assert (f.carrier, f.tracking_number) == ("รถสองแถวประจำหมู่บ้าน", "V-0001")
    assert "รถสองแถวประจำหมู่บ้าน" in client.get(url(owner, f"/{f.id}")).get_data(as_text=True)


def test_pick_up_needs_no_carrier(client, owner, coffee):
    order = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED,
                       shipping_kind=st.SHIPPING_PICKUP, shipping_satang=0)
    f = part(order)
    page = client.get(url(owner, f"/{f.id}")).get_data(as_text=True)
    assert 'name="tracking_number"' not in page
    assert client.post(url(owner, f"/{f.id}/ship"), data={}).status_code in (302, 303)
    assert reload(f).status == st.FULFILMENT_SHIPPED


def test_cancel_needs_a_reason_then_releases_the_stock(client, owner, coffee):
    order = make_order([(coffee, 3)], paid=True, fulfilment_status=st.FULFILMENT_ACCEPTED)
    f = part(order)
    db.session.refresh(coffee)
    assert coffee.stock == 17

    for reason in ("", "   "):
        response = client.post(url(owner, f"/{f.id}/cancel"), data={"reason": reason})
        assert response.status_code == 422
        assert 'class="form-error"' in response.get_data(as_text=True)
    too_long = client.post(url(owner, f"/{f.id}/cancel"), data={"reason": "ก" * 501})
    assert too_long.status_code == 422
    assert reload(f).status == st.FULFILMENT_ACCEPTED

    response = client.post(url(owner, f"/{f.id}/cancel"), data={"reason": "เมล็ดกาแฟหมดสต็อกจริง"})
    assert response.status_code in (302, 303)
    f = reload(f)
    assert f.status == st.FULFILMENT_CANCELLED and f.refunded_satang == f.total_satang
    assert db.session.get(Variant, coffee.id).stock == 20
    page = client.get(url(owner, f"/{f.id}")).get_data(as_text=True)
    assert "เมล็ดกาแฟหมดสต็อกจริง" in page and "/cancel" not in page

    again = client.post(url(owner, f"/{f.id}/cancel"), data={"reason": "again"})
    assert again.status_code == 409
    assert db.session.get(Variant, coffee.id).stock == 20  # released once


def test_shipped_parts_cannot_be_cancelled(client, owner, coffee):
    order = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
    f = part(order)
    assert "/cancel" not in client.get(url(owner, f"/{f.id}")).get_data(as_text=True)
    assert client.post(url(owner, f"/{f.id}/cancel"), data={"reason": "late"}).status_code == 409
    assert reload(f).status == st.FULFILMENT_SHIPPED


def test_a_lapsed_order_reads_as_not_paid_in_time(client, owner, coffee):
    from shop.orders.services import release_lapsed_orders

    order = make_order([(coffee, 1)], expires_in=timedelta(minutes=-1))
    assert release_lapsed_orders() == 1
    page = client.get(url(owner, f"/{part(order).id}")).get_data(as_text=True)
    assert "lapsed" not in page
    assert "ไม่ได้ชำระเงินภายในเวลา" in page


# ------------------------------------------------------------------ packing slip


def test_packing_slip_has_address_skus_and_quantities_but_no_prices(client, owner, coffee):
    beans = VariantFactory(product=coffee.product, sku="MJ-1000", name_th="1 กิโลกรัม", price_satang=39000, stock=5)
    order = make_order([(coffee, 2), (beans, 1)], paid=True)
    order.buyer_note = "ฝากไว้กับป้อมยาม"
    db.session.commit()

    response = client.get(url(owner, f"/{part(order).id}/packing-slip"))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (order.public_id, "MJ-250", "MJ-1000", "สมหญิง ใจดี", "10110", "คลองตันเหนือ", "ฝากไว้กับป้อมยาม",
                 "กาแฟคั่วโอ่ง"):
        assert text in page
    assert "฿" not in page and "120" not in page and "390" not in page
    assert page.index("MJ-1000") < page.index("MJ-250")  # by SKU, as on the shelves
    assert 'class="num slip-qty">3<' in page  # units in all


# ------------------------------------------------------------------ CSV


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_has_one_row_per_line_with_the_columns_asked_for(client, owner, coffee):
    beans = VariantFactory(product=coffee.product, sku="MJ-1000", price_satang=39050, stock=5)
    order = make_order([(coffee, 2), (beans, 1)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
    make_order([(coffee, 1)])

    response = client.get(url(owner, ".csv"))

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 3
    mine = [r for r in rows if r["order_id"] == order.public_id]
    assert [r["sku"] for r in mine] == ["MJ-250", "MJ-1000"]
    first, second = mine
    assert first["quantity"] == "2" and first["unit_price"] == "120.00" and first["line_total"] == "240.00"
    assert second["unit_price"] == "390.50"
    assert first["shipping_fee"] == "50.00" and second["shipping_fee"] == ""  # sums right
    assert first["fulfilment_status"] == "shipped" and first["order_status"] == "paid"
    assert first["carrier"]  # the carrier's name in the user's language
    assert first["tracking_number"] == "KEX123456789"
    assert first["buyer_name"] == "สมหญิง ใจดี" and first["province"] == "กรุงเทพมหานคร"
    assert first["fulfilment_id"] == str(part(order).id)
    assert first["order_date"] and first["paid_date"] and first["document_no"].startswith("RC")
    unpaid = [r for r in rows if r["order_id"] != order.public_id]
    assert unpaid[0]["fulfilment_status"] == "awaiting_payment" and unpaid[0]["paid_date"] == ""


def test_csv_cells_never_run_as_formulas(client, owner, coffee):
    order = make_order([(coffee, 1)], paid=True)
    order.recipient_name = '=HYPERLINK("http://evil.test","click")'
    db.session.commit()
    rows = read_csv(client.get(url(owner, ".csv")))
    assert rows[0]["buyer_name"].startswith("'=")


def test_csv_date_range_and_bad_dates(client, owner, coffee):
    old = make_order([(coffee, 1)], paid=True)
    part(old).created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    recent = make_order([(coffee, 1)], paid=True)
    since = (utcnow() - timedelta(days=7)).date().isoformat()

    rows = read_csv(client.get(url(owner, f".csv?from={since}")))
    assert {r["order_id"] for r in rows} == {recent.public_id}

    for query in ("?from=yesterday", "?to=2026-13-45", "?from=2026-02-01&to=2026-01-01"):
        response = client.get(url(owner, ".csv" + query))
        assert response.status_code == 422, query
        assert "text/csv" not in response.headers["Content-Type"]


def test_csv_follows_the_list_filters(client, owner, coffee):
    unpaid = make_order([(coffee, 1)])
    paid = make_order([(coffee, 1)], paid=True)
    rows = read_csv(client.get(url(owner, ".csv?tab=todo")))
    assert {r["order_id"] for r in rows} == {paid.public_id}
    rows = read_csv(client.get(url(owner, ".csv?tab=all&status=awaiting_payment")))
    assert {r["order_id"] for r in rows} == {unpaid.public_id}


# ------------------------------------------------------------------ language


def test_pages_speak_english_when_asked(client, owner, coffee):
    order = make_order([(coffee, 1)], paid=True)
    page = client.get(url(owner, f"/{part(order).id}?lang=en")).get_data(as_text=True)
    assert "Accept order" in page and "Jar-roasted coffee" in page
    page = client.get(url(owner, "?lang=th")).get_data(as_text=True)
    assert "คำสั่งซื้อ" in page
