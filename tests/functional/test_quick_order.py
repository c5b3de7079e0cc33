"""Quick order (docs/product.md: Wholesale): SKU lines or a CSV file into the cart,
every line checked first and all or nothing added."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from shop.accounts.models import RetailBuyer
from shop.cart import quick_order
from shop.cart.models import CartItem
from shop.catalog import status
from shop.extensions import db
from tests.cart_helpers import english_client, session_cart
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    EnterpriseFactory,
    ProductFactory,
    RetailBuyerFactory,
    UserFactory,
    VariantFactory,
    WholesaleTierFactory,
)

URL = "/cart/quick-order"


def gtin(n: int) -> str:
    first = f"885{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first))
    return first + str((10 - total % 10) % 10)


def ready_variant(product, sku, *, n, price=18000, stock=200, moq=6, case_pack=6, tiers=()):
    variant = VariantFactory(product=product, sku=sku, price_satang=price, stock=stock, moq=moq,
                             case_pack=case_pack, gtin13=gtin(n), weight_grams=250, shelf_life_days=270)
    for min_quantity, unit_price in tiers or ((1, price),):
        WholesaleTierFactory(variant=variant, min_quantity=min_quantity, unit_price_satang=unit_price)
    return variant


class Shelf:
    """Two enterprises' retail-ready coffee and lime, an SKU both use, and items that
    cannot be quick-ordered at wholesale terms or at all."""

    def __init__(self):
        food = CategoryFactory(is_food=True)
        self.mae_jaem = EnterpriseFactory(slug="mae-jaem", name_en="Mae Jaem Coffee")
        self.paen_tai = EnterpriseFactory(slug="paen-tai", name_en="Paen Tai Lime")
        coffee = ProductFactory(enterprise=self.mae_jaem, category=food, name_en="Medium roast")
        CertificationFactory(enterprise=self.mae_jaem, product=coffee, number="5010112345678")
        lime = ProductFactory(enterprise=self.paen_tai, category=food, name_en="Lime juice")
        CertificationFactory(enterprise=self.paen_tai, product=lime, number="5010112345679")
        self.bag = ready_variant(coffee, "MJ-MED-250-WB", n=1, tiers=((1, 18000), (12, 17200), (50, 15800)))
        self.mae_jaem_dup = ready_variant(coffee, "DUP-1", n=2, price=9000, moq=1, case_pack=2)
        self.lime = ready_variant(lime, "PT-LIME-500", n=3, price=6000, stock=30, moq=1, case_pack=12)
        self.paen_tai_dup = ready_variant(lime, "DUP-1", n=4, price=7000, moq=1, case_pack=2)
        # Not retail-ready: no barcode, no case pack, no tiers.
        soap = ProductFactory(enterprise=self.paen_tai, category=CategoryFactory(is_food=False), name_en="Soap")
        self.soap = VariantFactory(product=soap, sku="PT-SOAP", price_satang=5000, stock=50)
        # Off sale three ways.
        self.withdrawn = ready_variant(coffee, "MJ-OLD", n=5)
        self.withdrawn.is_active = False
        draft = ProductFactory(enterprise=self.mae_jaem, category=food, status=status.DRAFT)
        self.draft = ready_variant(draft, "MJ-DRAFT", n=6)
        suspended = EnterpriseFactory(slug="gone", status=status.ENTERPRISE_SUSPENDED)
        self.suspended = VariantFactory(product=ProductFactory(enterprise=suspended), sku="GONE-1")
        db.session.commit()


@pytest.fixture
def shelf(app):
    return Shelf()


@pytest.fixture
def client(app):
    return english_client(app)


@pytest.fixture
def verified(app):
    return RetailBuyerFactory(status=RetailBuyer.VERIFIED, user__email="shop@example.test").user


def cart_of(user) -> dict[int, tuple[int, int]]:
    items = db.session.scalars(select(CartItem).where(CartItem.user_id == user.id)
                               .execution_options(populate_existing=True))
    return {item.variant_id: (item.quantity, item.price_seen_satang) for item in items}


def post(client, lines=None, *, file=None, filename="order.csv"):
    data = {"lines": lines or ""}
    if file is not None:
        data["file"] = (io.BytesIO(file), filename)
    return client.post(URL, data=data, content_type="multipart/form-data")


# ---------------------------------------------------------------- reading the input (no database)


def test_text_lines_accept_thai_digits_spaces_separators_and_blank_lines(app):
    check = quick_order.parse_text("  MJ-MED-250-WB   ๖๐ \n\n\tPT-LIME-500,12\r\nDUP-1;\t2\n")
    assert [(e.number, e.reference, e.quantity) for e in check.entries] == [
        (1, "MJ-MED-250-WB", "60"), (3, "PT-LIME-500", "12"), (4, "DUP-1", "2")]
    assert not check.form_errors


def test_csv_with_a_bom_semicolons_a_header_and_thai_digits(app):
    data = "\ufeffquantity;sku\r\n๑๒;PT-LIME-500\r\n;\r\n60;MJ-MED-250-WB\r\n".encode()
    check = quick_order.parse_csv(data)
    assert [(e.number, e.reference, e.quantity) for e in check.entries] == [
        (2, "PT-LIME-500", "12"), (4, "MJ-MED-250-WB", "60")]


def test_csv_without_a_header_with_tabs(app):
    check = quick_order.parse_csv(b"MJ-MED-250-WB\t60\nPT-LIME-500\t12\n")
    assert [(e.reference, e.quantity) for e in check.entries] == [("MJ-MED-250-WB", "60"), ("PT-LIME-500", "12")]


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"sku,quantity\n", "no rows"),
    ("sku,quantity\nMJ,1\n".encode("utf-16"), "UTF-8"),
    (b"a" * (quick_order.MAX_FILE_BYTES + 1), "too large"),
])
def test_unreadable_files_are_refused_as_a_whole(app, data, words):
    with force_locale("en"):
        check = quick_order.parse_csv(data)
    assert not check.entries or check.form_errors
    assert words in check.form_errors[0]


def test_too_many_lines_are_refused(app):
    with force_locale("en"):
        check = quick_order.parse_text("\n".join(f"SKU-{i} 1" for i in range(quick_order.MAX_ENTRIES + 1)))
    assert "at most 200 lines" in check.form_errors[0]


# ---------------------------------------------------------------- the page


def test_a_verified_buyer_orders_60_bags_by_sku_at_the_50_plus_tier(app, client, sign_in, shelf, verified):
    sign_in(verified)
    response = post(client, "MJ-MED-250-WB 30\nmj-med-250-wb ๓๐\nmae-jaem/DUP-1 4\n" + gtin(3) + " 12")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cart")
    assert cart_of(verified) == {shelf.bag.id: (60, 15800), shelf.mae_jaem_dup.id: (4, 9000),
                                 shelf.lime.id: (12, 6000)}
    page = client.get("/cart").get_data(as_text=True)
    assert "3 items added to your cart (76 units in all)." in page
    assert "Wholesale price for 50 or more" in page


def test_a_guest_orders_at_retail_prices_without_wholesale_rules(app, client, shelf):
    response = post(client, "MJ-MED-250-WB 7\nPT-SOAP 1")
    assert response.status_code == 303
    assert session_cart(client) == {str(shelf.bag.id): [7, 18000], str(shelf.soap.id): [1, 5000]}


def problems_of(response) -> str:
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_every_line_problem_is_reported_with_its_line_and_sku_and_nothing_is_added(
        app, client, sign_in, shelf, verified):
    sign_in(verified)
    lines = "\n".join([
        "MJ-MED-250-WB 60",   # 1: fine alone
        "NOPE-1 6",           # 2: unknown
        "DUP-1 2",            # 3: ambiguous
        "PT-SOAP 12",         # 4: not retail-ready
        "MJ-OLD 6",           # 5: option withdrawn
        "MJ-DRAFT 6",         # 6: product not live
        "GONE-1 1",           # 7: enterprise suspended
        "PT-LIME-500 0",      # 8: zero
        "paen-tai/DUP-1 -2",  # 9: negative
        "mae-jaem/DUP-1 1.5",  # 10: not whole
        f"{gtin(1)} 99999999999999999999",  # 11: huge (the bag again, by barcode)
    ])
    page = problems_of(post(client, lines))
    assert cart_of(verified) == {}
    assert "Nothing was added to your cart" in page
    assert "Line 2 · <code>NOPE-1</code>" in page and "We found no item with the SKU or barcode NOPE-1." in page
    assert "Line 3 · <code>DUP-1</code>" in page and "Several enterprises use the SKU DUP-1" in page
    assert "mae-jaem/DUP-1" in page and "paen-tai/DUP-1" in page and gtin(2) in page
    assert "Line 4 · <code>PT-SOAP</code>" in page and "is not in the wholesale catalogue" in page
    for number, sku in ((5, "MJ-OLD"), (6, "MJ-DRAFT"), (7, "GONE-1")):
        assert f"Line {number} · <code>{sku}</code>" in page
    assert page.count("is not on sale.") == 3
    assert "Line 8 · <code>PT-LIME-500</code>" in page
    assert page.count("The quantity must be at least 1.") == 2
    assert "Line 10 · <code>mae-jaem/DUP-1</code>" in page and "Enter the quantity as a whole number" in page
    assert f"Line 11 · <code>{gtin(1)}</code>" in page and f"You can buy at most {app.config['ORDER_MAX_LINE_QUANTITY']} of one item" in page
    # What was typed is kept.
    assert "paen-tai/DUP-1 -2" in page


def test_moq_case_pack_and_stock_problems_offer_the_suggested_quantities(app, client, sign_in, shelf, verified):
    sign_in(verified)
    page = problems_of(post(client, "MJ-MED-250-WB 4\nPT-LIME-500 13\nmae-jaem/DUP-1 3"))
    assert "The minimum order of Medium roast (250 g) is 6, in packs of 6." in page
    assert "comes in packs of 12: order a multiple of 12" in page
    assert "Suggested quantity: 6" in page and "Suggested quantity: 12" in page and "Suggested quantity: 4" in page
    assert cart_of(verified) == {}
    # One click: the suggested quantities.
    response = post(client, "MJ-MED-250-WB 6\nPT-LIME-500 12\nmae-jaem/DUP-1 4")
    assert response.status_code == 303
    assert cart_of(verified) == {shelf.bag.id: (6, 18000), shelf.lime.id: (12, 6000), shelf.mae_jaem_dup.id: (4, 9000)}


def test_the_suggestion_button_posts_the_corrected_lines(app, client, sign_in, shelf, verified):
    sign_in(verified)
    page = problems_of(post(client, "MJ-MED-250-WB 4\nNOPE 1\nmj-med-250-wb 3"))
    assert "Line 1, 3 · <code>MJ-MED-250-WB</code>" in page
    assert "Use the suggested quantities" in page
    # Summed lines become one, at the first one's place; the rest as typed.
    assert 'value="MJ-MED-250-WB 6\nNOPE 1"' in page


def test_stock_counts_what_is_already_in_the_cart(app, client, sign_in, shelf, verified):
    sign_in(verified)
    assert post(client, "PT-LIME-500 24").status_code == 303
    page = problems_of(post(client, "PT-LIME-500 12\nMJ-MED-250-WB 6"))
    assert "Only 30 of Lime juice (250 g) left, and 24 are already in your cart." in page
    assert cart_of(verified) == {shelf.lime.id: (24, 6000)}


def test_stock_for_a_shopper(app, client, sign_in, shelf):
    shopper = UserFactory()
    sign_in(shopper)
    page = problems_of(post(client, "PT-LIME-500 31\nMJ-MED-250-WB 1"))
    assert "Only 30 of Lime juice (250 g) left." in page and "Suggested quantity: 30" in page
    assert cart_of(shopper) == {}


def test_a_guest_cart_is_left_as_it_was_when_a_line_fails(app, client, shelf):
    assert post(client, "MJ-MED-250-WB 2").status_code == 303
    before = session_cart(client)
    problems_of(post(client, "MJ-MED-250-WB 1\nNOPE 1"))
    assert session_cart(client) == before


def test_a_csv_upload_is_added_and_its_errors_name_rows(app, client, sign_in, shelf, verified):
    sign_in(verified)
    bad = "\ufeffsku;quantity\r\nMJ-MED-250-WB;๖๐\r\nPT-LIME-500;5\r\n".encode()
    page = problems_of(post(client, file=bad))
    assert "Row 3 · <code>PT-LIME-500</code>" in page
    good = "\ufeffsku;quantity\r\nMJ-MED-250-WB;๖๐\r\nPT-LIME-500;12\r\n".encode()
    assert post(client, file=good).status_code == 303
    assert cart_of(verified) == {shelf.bag.id: (60, 15800), shelf.lime.id: (12, 6000)}


def test_an_unreadable_file_is_a_422_with_the_reason(app, client, shelf):
    page = problems_of(post(client, file=b"\x00\x01binary"))
    assert "This is not a CSV file." in page


def test_empty_input_is_refused(app, client, shelf):
    page = problems_of(post(client, "\n  \n"))
    assert "Type at least one line" in page


def test_the_page_is_in_thai_by_default(app, shelf):
    page = problems_of(post(app.test_client(), "NOPE 1"))
    assert "ไม่" in page and "NOPE" in page


def test_the_60_bag_order_on_the_demo_catalogue(app, client, sign_in, verified):
    from shop.catalog.demo import load_demo_catalogue, standard_tiers

    load_demo_catalogue(photo_width=48)
    sign_in(verified)
    response = post(client, "MJ-MED-250-WB 60")
    assert response.status_code == 303, response.get_data(as_text=True)
    [(quantity, price)] = cart_of(verified).values()
    tiers = sorted(standard_tiers(180_00))
    assert 50 in [minimum for minimum, _ in tiers]
    assert quantity == 60
    assert price == [unit for minimum, unit in tiers if minimum <= 60][-1] < 180_00
    page = client.get("/cart").get_data(as_text=True)
    assert "Wholesale price for 50 or more" in page


def test_control_characters_are_refused_in_the_text_and_in_a_file(app, client, shelf):
    page = problems_of(post(client, "MJ-MED-250-WB\u202e 2"))
    assert "changes the direction of the text (U+202E)" in page
    page = problems_of(post(client, file=b"sku,quantity\nMJ-MED-250-WB,2\nPT-LIME\x07,1\n"))
    assert "Row 3: This text contains an invisible control character (U+0007)" in page
    assert session_cart(client) == {}


def test_a_cart_full_of_other_items_refuses_the_list(app, client, shelf, monkeypatch):
    monkeypatch.setattr("shop.cart.services.MAX_CART_LINES", 1)
    assert post(client, "MJ-MED-250-WB 1").status_code == 303
    page = problems_of(post(client, "PT-LIME-500 1"))
    assert "Your cart holds at most 1 different items." in page
    assert list(session_cart(client)) == [str(shelf.bag.id)]
