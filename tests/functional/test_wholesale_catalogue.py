"""The wholesale catalogue at /wholesale/ (docs/product.md: Wholesale).

Given retail-ready and not-ready products, when a verified retail buyer opens the
catalogue, then only visible, retail-ready products are listed, filtered, sorted by
the price per unit at a quantity and paged; everyone else is told how to get access;
a parameter we cannot use answers 400 with the message on the page, never a 500.
"""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from shop.accounts.models import RetailBuyer
from shop.cart.models import CartItem
from shop.catalog import status, wholesale
from shop.catalog.models import Product
from shop.dbtypes import utcnow
from shop.extensions import db
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    EnterpriseFactory,
    ProductFactory,
    RetailBuyerFactory,
    UserFactory,
    VariantFactory,
    WholesaleTierFactory,
    add_product_photo,
)

URL = "/wholesale/"
_serial = iter(range(1, 10**6))


def gtin13(n: int) -> str:
    first = f"885{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first))
    return first + str((10 - total % 10) % 10)


def ready_product(*, price=10000, tiers=((24, 9000),), moq=6, case_pack=6, lead=3, food=False, category=None,
                  enterprise=None, name_en=None, name_th=None, published_days_ago=1, **product_values):
    """A live, retail-ready product of an approved enterprise, with one option."""
    category = category or CategoryFactory(is_food=food)
    values = {"category": category, "published_at": utcnow() - timedelta(days=published_days_ago), **product_values}
    if enterprise is not None:
        values["enterprise"] = enterprise
    if name_en:
        values["name_en"] = name_en
    if name_th:
        values["name_th"] = name_th
    product = ProductFactory(**values)
    variant = VariantFactory(product=product, gtin13=gtin13(next(_serial)), weight_grams=250, shelf_life_days=180,
                             case_pack=case_pack, moq=moq, lead_time_days=lead, price_satang=price, stock=500)
    for min_quantity, unit in tiers:
        WholesaleTierFactory(variant=variant, min_quantity=min_quantity, unit_price_satang=unit)
    if food:
        CertificationFactory(enterprise=product.enterprise, product=product, kind="fda", number="5010112345678")
    db.session.refresh(product)
    return product


@pytest.fixture
def verified(app):
    return RetailBuyerFactory(status=RetailBuyer.VERIFIED, user__email="shop@example.test").user


@pytest.fixture
def buyer_client(make_client, sign_in, verified):
    client = make_client("en")
    sign_in(verified, client=client)
    return client


def text_of(response) -> str:
    return response.get_data(as_text=True)


def listed(response) -> list[int]:
    """The product ids the page lists, in order."""
    return [int(i) for i in re.findall(r'<li class="ws-item" id="product-(\d+)"', text_of(response))]


@contextlib.contextmanager
def count_queries():
    """Counts the SELECTs run inside the block."""
    counter = {"n": 0}

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):  # not the BEGIN of the session bookkeeping
            counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


# ------------------------------------------------------------------ who may see it


def test_a_guest_is_told_how_to_get_access(app, make_client):
    product = ready_product(name_en="Jar-roasted coffee")
    response = make_client("en").get(URL)
    body = text_of(response)
    assert response.status_code == 200
    assert "Jar-roasted coffee" not in body and f"product-{product.id}" not in body
    assert "/account/register/business" in body
    assert "/account/login?next=/wholesale/" in body


def test_a_shopper_is_offered_a_business_account(app, make_client, sign_in):
    ready_product(name_en="Jar-roasted coffee")
    client = sign_in(UserFactory(), client=make_client("en"))
    body = text_of(client.get(URL))
    assert "Jar-roasted coffee" not in body
    assert "Add a business account" in body and "/account/register/business" in body


@pytest.mark.parametrize(("state", "says"), [
    (RetailBuyer.PENDING, "waiting for review"),
    (RetailBuyer.REJECTED, "was not approved"),
])
def test_a_business_account_not_verified_sees_no_list(app, make_client, sign_in, state, says):
    ready_product(name_en="Jar-roasted coffee")
    account = RetailBuyerFactory(status=state, status_reason="Tax ID does not match" if state == "rejected" else None)
    client = sign_in(account.user, client=make_client("en"))
    response = client.get(URL)
    body = text_of(response)
    assert response.status_code == 200
    assert says in body
    assert "Jar-roasted coffee" not in body and "ws-item" not in body
    assert 'href="/wholesale/"' not in body  # no menu link either


def test_a_verified_buyer_sees_the_list_and_the_menu_link(app, buyer_client):
    product = ready_product(name_en="Jar-roasted coffee")
    response = buyer_client.get(URL)
    assert response.status_code == 200
    assert listed(response) == [product.id]
    assert 'href="/wholesale/"' in text_of(buyer_client.get("/"))
    # The business-account card links to the catalogue too.
    assert 'href="/wholesale/"' in text_of(buyer_client.get("/account/"))


# ------------------------------------------------------------------ what it lists


def test_only_visible_retail_ready_products_are_listed(app, buyer_client):
    ready = ready_product()
    no_barcode = ready_product()
    no_barcode.variants[0].gtin13 = None
    draft = ready_product(status=status.DRAFT)
    suspended = ready_product(enterprise=EnterpriseFactory(status=status.ENTERPRISE_SUSPENDED))
    food_without_fda = ready_product(category=CategoryFactory(is_food=True))
    db.session.commit()
    ids = listed(buyer_client.get(URL))
    assert ready.id in ids
    for hidden in (no_barcode, draft, suspended, food_without_fda):
        assert hidden.id not in ids

    # Once the missing barcode is added, the product enters the catalogue.
    no_barcode.variants[0].gtin13 = gtin13(999_999)
    db.session.commit()
    assert no_barcode.id in listed(buyer_client.get(URL))


def test_each_option_shows_its_terms_and_an_add_to_cart_form(app, buyer_client):
    product = ready_product(price=18000, tiers=((12, 17200), (50, 15800)), moq=10, case_pack=6, lead=5,
                            name_en="Medium roast")
    add_product_photo(product)
    CertificationFactory(enterprise=product.enterprise, product=None, kind="gap", number="GAP-123")
    variant = product.variants[0]
    body = text_of(buyer_client.get(URL))
    assert "Medium roast" in body and product.enterprise.name_en in body and "Chiang Mai" in body
    assert variant.sku in body and "250 g" in body
    assert "฿180" in body and "฿172" in body and "฿158" in body
    assert "Minimum order 10" in body and "Case of 6" in body and "ships within 5 days" in body
    assert "GAP" in body
    assert '<img src="' in body
    # The quantity starts at the least a buyer may order: 10 rounded up to whole cases.
    form = re.search(r'<form class="ws-add".*?</form>', body, re.S).group(0)
    assert 'action="/cart/add"' in form and 'name="csrf_token"' in form
    assert f'name="variant_id" value="{variant.id}"' in form
    assert 'name="quantity" value="12"' in form and 'step="6"' in form and 'min="12"' in form
    # ... priced at that quantity with the tier it reaches.
    assert "฿172</strong> per unit for 12" in body
    # From here the buyer can also ask for a quote on the option, or order by SKU.
    assert f'href="/quotes/new?variant={variant.id}"' in body
    assert 'href="/cart/quick-order"' in body and 'href="/account/quotes"' in body
    assert buyer_client.get(f"/quotes/new?variant={variant.id}").status_code == 200

    # The form posts to the cart like the product page's, and comes back here.
    response = buyer_client.post("/cart/add", data={"variant_id": variant.id, "quantity": 12, "next": URL})
    assert response.status_code == 303 and response.headers["Location"].endswith(URL)
    item = db.session.scalar(select(CartItem).where(CartItem.variant_id == variant.id))
    assert item.quantity == 12


# ------------------------------------------------------------------ filters


def test_filter_by_category_includes_subcategories(app, buyer_client):
    drinks = CategoryFactory(slug="drinks", is_food=False)
    coffee = CategoryFactory(slug="coffee", parent=drinks, is_food=False)
    in_child = ready_product(category=coffee)
    in_parent = ready_product(category=drinks)
    elsewhere = ready_product()
    assert sorted(listed(buyer_client.get(URL + "?category=drinks"))) == sorted([in_child.id, in_parent.id])
    assert listed(buyer_client.get(URL + "?category=coffee")) == [in_child.id]
    assert elsewhere.id in listed(buyer_client.get(URL))


def test_filter_by_province(app, buyer_client):
    lampang = ready_product(enterprise=EnterpriseFactory(province_code="52"))
    chiang_mai = ready_product(enterprise=EnterpriseFactory(province_code="50"))
    assert listed(buyer_client.get(URL + "?province=lampang")) == [lampang.id]
    assert listed(buyer_client.get(URL + "?province=chiang-mai")) == [chiang_mai.id]
    assert listed(buyer_client.get(URL + "?province=bangkok")) == []


def test_filter_by_certification_of_the_product_or_its_enterprise(app, buyer_client):
    organic_product = ready_product()
    CertificationFactory(enterprise=organic_product.enterprise, product=organic_product, kind="organic", number="O-1")
    organic_farm = ready_product()
    CertificationFactory(enterprise=organic_farm.enterprise, product=None, kind="organic", number="O-2")
    plain = ready_product()
    ids = listed(buyer_client.get(URL + "?cert=organic"))
    assert sorted(ids) == sorted([organic_product.id, organic_farm.id])
    assert plain.id not in ids


def test_filter_by_lead_time(app, buyer_client):
    quick = ready_product(lead=2)
    slow = ready_product(lead=14)
    unknown = ready_product(lead=None)
    assert listed(buyer_client.get(URL + "?lead=3")) == [quick.id]
    assert sorted(listed(buyer_client.get(URL + "?lead=14"))) == sorted([quick.id, slow.id])
    assert unknown.id in listed(buyer_client.get(URL))


def test_no_match_says_so(app, buyer_client):
    ready_product()
    body = text_of(buyer_client.get(URL + "?lead=0"))
    assert "No retail-ready product matches these filters." in body


# ------------------------------------------------------------------ sorting


def test_sort_by_price_follows_the_tiers_at_the_quantity(app, buyer_client):
    # A: ฿100 retail, ฿60 from 100 units. B: ฿80 whatever the quantity.
    a = ready_product(price=10000, tiers=((100, 6000),), moq=2, case_pack=2, name_en="A")
    b = ready_product(price=8000, tiers=((2, 8000),), moq=2, case_pack=2, name_en="B")
    assert listed(buyer_client.get(URL + "?sort=price&qty=1")) == [b.id, a.id]
    assert listed(buyer_client.get(URL + "?sort=price&qty=100")) == [a.id, b.id]
    assert listed(buyer_client.get(URL)) == [b.id, a.id]  # price is the default order
    body = text_of(buyer_client.get(URL + "?qty=100"))
    assert "฿60</strong> per unit for 100" in body


def test_a_quantity_below_the_minimum_order_prices_the_minimum_order(app, buyer_client):
    # Sold from 50 units in cases of 12: asking the price of 1 prices 60 (50 in whole cases).
    product = ready_product(price=10000, tiers=((60, 7000),), moq=50, case_pack=12)
    variant = product.variants[0]
    assert wholesale.buy_quantity(variant, 1) == 60
    assert wholesale.buy_quantity(variant, 61) == 72
    body = text_of(buyer_client.get(URL + "?qty=1"))
    assert "฿70</strong> per unit for 60" in body


def test_the_sql_price_agrees_with_the_pricing_rule(app, verified):
    products = [
        ready_product(price=10000, tiers=((100, 6000), (12, 9000)), moq=6, case_pack=6),
        ready_product(price=8000, tiers=((2, 8000), (50, 9000)), moq=1, case_pack=2),  # a dearer tier is ignored
        ready_product(price=5000, tiers=((40, 4000),), moq=25, case_pack=10),
    ]
    extra = VariantFactory(product=products[0], price_satang=7000, moq=1, case_pack=3, stock=5)
    WholesaleTierFactory(variant=extra, min_quantity=30, unit_price_satang=5000)
    inactive = VariantFactory(product=products[1], price_satang=100, is_active=False)
    WholesaleTierFactory(variant=inactive, min_quantity=1, unit_price_satang=50)
    for product in products:
        db.session.refresh(product)
    for qty in (1, 2, 7, 12, 30, 40, 99, 100, 5000):
        sql = dict(db.session.execute(
            select(Product.id, wholesale.price_at_expression(qty)).where(Product.id.in_([p.id for p in products]))
        ).all())
        assert sql == {p.id: wholesale.cheapest_unit_price(p, qty, verified) for p in products}, qty


def test_sort_by_name_in_the_reader_language_and_by_newest(app, buyer_client, make_client, sign_in, verified):
    older = ready_product(name_en="Banana chips", name_th="กล้วยฉาบ", published_days_ago=5)
    newer = ready_product(name_en="Arabica beans", name_th="เมล็ดกาแฟ", published_days_ago=1)
    assert listed(buyer_client.get(URL + "?sort=name")) == [newer.id, older.id]
    assert listed(buyer_client.get(URL + "?sort=newest")) == [newer.id, older.id]
    thai = sign_in(verified, client=make_client("th"))
    assert listed(thai.get(URL + "?sort=name")) == [older.id, newer.id]  # ก before เ


# ------------------------------------------------------------------ pages


def test_the_list_is_paged(app, buyer_client):
    farm = EnterpriseFactory()
    category = CategoryFactory(is_food=False)
    ids = [ready_product(enterprise=farm, category=category, price=10000 + i).id
           for i in range(wholesale.PER_PAGE + 1)]
    first = buyer_client.get(URL)
    assert listed(first) == ids[:wholesale.PER_PAGE]
    assert 'rel="next"' in text_of(first)
    second = buyer_client.get(URL + "?page=2")
    assert listed(second) == ids[wholesale.PER_PAGE:]
    beyond = buyer_client.get(URL + "?page=5")
    assert beyond.status_code == 200 and listed(beyond) == []
    assert "There is no page 5 in this list." in text_of(beyond)


def test_the_page_reads_the_same_number_of_queries_for_many_products(app, buyer_client):
    category = CategoryFactory(is_food=False)

    def queries() -> int:
        with count_queries() as counter:
            response = buyer_client.get(URL)
        assert response.status_code == 200
        return counter["n"]

    queries()  # the first request after signing in reads the session once more
    ready_product(category=category)  # each count follows a commit, as the other does
    few = queries()
    for _ in range(8):
        product = ready_product(category=category)
        add_product_photo(product)
        CertificationFactory(enterprise=product.enterprise, product=None, kind="gap", number="G")
    assert queries() == few


# ------------------------------------------------------------------ bad parameters


@pytest.mark.parametrize(("query", "message"), [
    ("qty=0", "The quantity must be a whole number from 1 to 9999."),
    ("qty=-3", "The quantity must be a whole number from 1 to 9999."),
    ("qty=10000", "The quantity must be a whole number from 1 to 9999."),
    ("qty=" + "9" * 400, "The quantity must be a whole number from 1 to 9999."),
    ("qty=abc", "The quantity must be a whole number from 1 to 9999."),
    ("qty=1.5", "The quantity must be a whole number from 1 to 9999."),
    ("lead=-1", "The lead time must be a whole number of days from 0 to 365."),
    ("lead=366", "The lead time must be a whole number of days from 0 to 365."),
    ("lead=soon", "The lead time must be a whole number of days from 0 to 365."),
    ("category=no-such-thing", "We do not know that category."),
    ("province=atlantis", "We do not know that province."),
    ("cert=iso9001", "We do not know that certification."),
    ("sort=cheapest", "We cannot sort the wholesale list that way."),
    ("page=0", "The page number must be a whole number"),
    ("page=abc", "The page number must be a whole number"),
])
def test_bad_parameters_answer_400_with_a_message(app, buyer_client, query, message):
    ready_product(name_en="Jar-roasted coffee")
    response = buyer_client.get(f"{URL}?{query}")
    body = text_of(response)
    assert response.status_code == 400
    assert message in body
    assert "ws-item" not in body
    assert 'class="ws-filters"' in body  # the form is there to try again


def test_a_refused_quantity_stays_in_the_form_to_correct(app, buyer_client):
    body = text_of(buyer_client.get(URL + "?qty=0&lead=2"))
    assert 'name="qty" type="number" min="1" max="9999" inputmode="numeric" value="0"' in body
    assert 'name="lead" type="number" min="0" max="365" inputmode="numeric" value="2"' in body


def test_thai_digits_are_read_as_a_quantity(app, buyer_client):
    ready_product()
    assert buyer_client.get(URL + "?qty=๑๒").status_code == 200


def test_bad_parameters_in_thai(app, make_client, sign_in, verified):
    client = sign_in(verified, client=make_client("th"))
    body = text_of(client.get(URL + "?qty=0"))
    assert "จำนวนต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 9999" in body


# ------------------------------------------------------------------ languages


def test_english_and_thai(app, make_client, sign_in, verified):
    product = ready_product(name_en="Jar-roasted coffee", name_th="กาแฟคั่วโอ่ง")
    english = sign_in(verified, client=make_client("en"))
    body = text_of(english.get(URL))
    assert "Wholesale catalogue" in body and "Jar-roasted coffee" in body
    thai = sign_in(verified, client=make_client("th"))
    body = text_of(thai.get(URL))
    assert "แคตตาล็อกขายส่ง" in body and "กาแฟคั่วโอ่ง" in body
    assert product.id in listed(thai.get(URL))
    guest = text_of(make_client("th").get(URL))
    assert "แคตตาล็อกขายส่ง" in guest
