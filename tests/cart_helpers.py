"""Test helpers for the cart, checkout and stock-race tests: a small two-enterprise
catalogue, a valid Thai address as a form posts it, shipping options, and reading
a client's session cart."""

from __future__ import annotations

from dataclasses import dataclass

from flask.testing import FlaskClient
from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import ShippingOption
from tests.factories import EnterpriseFactory, ProductFactory, VariantFactory

# Bangkok: Khlong Toei Nuea, Watthana, 10110.
ADDRESS = {
    "recipient_name": "สมหญิง ใจดี",
    "phone": "081-234-5678",
    "address_line": "99/1 ซอยสุขุมวิท 63",
    "subdistrict": "คลองตันเหนือ",
    "district": "วัฒนา",
    "province_code": "10",
    "postcode": "10110",
}
# A Chiang Mai postcode (San Kamphaeng), to pair with a Bangkok province code.
CHIANG_MAI_POSTCODE = "50130"


@dataclass
class Catalogue:
    coffee: Variant  # enterprise A, ฿120, 250 g
    coffee_kilo: Variant  # enterprise A, ฿400, 1 kg
    rice: Variant  # enterprise B, ฿85, 1 kg


def make_catalogue(*, coffee_stock: int = 20, rice_stock: int = 30) -> Catalogue:
    coffee_farm = EnterpriseFactory(name_en="Mae Jam Coffee", name_th="วิสาหกิจชุมชนกาแฟแม่แจ่ม", province_code="50")
    rice_group = EnterpriseFactory(name_en="Ban Na Rice", name_th="วิสาหกิจชุมชนข้าวบ้านนา", province_code="35")
    coffee_product = ProductFactory(enterprise=coffee_farm, name_en="Hill coffee", name_th="กาแฟดอย")
    rice_product = ProductFactory(enterprise=rice_group, name_en="Jasmine rice", name_th="ข้าวหอมมะลิ")
    coffee = VariantFactory(product=coffee_product, price_satang=12000, stock=coffee_stock, weight_grams=250,
                            name_en="250 g", name_th="250 กรัม")
    coffee_kilo = VariantFactory(product=coffee_product, price_satang=40000, stock=10, weight_grams=1000,
                                 name_en="1 kg", name_th="1 กิโลกรัม", position=1)
    rice = VariantFactory(product=rice_product, price_satang=8500, stock=rice_stock, weight_grams=1000,
                          name_en="1 kg bag", name_th="ถุง 1 กิโลกรัม")
    return Catalogue(coffee=coffee, coffee_kilo=coffee_kilo, rice=rice)


def make_option(enterprise_id: int, **values) -> ShippingOption:
    defaults = {"kind": st.SHIPPING_FLAT, "name_th": "ไปรษณีย์ไทย EMS", "name_en": "Thailand Post EMS",
                "base_fee_satang": 6000}
    option = ShippingOption(enterprise_id=enterprise_id, **{**defaults, **values})
    db.session.add(option)
    db.session.commit()
    return option


def stock_of(variant_id: int) -> int:
    return db.session.scalar(
        select(Variant.stock).where(Variant.id == variant_id).execution_options(populate_existing=True)
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def session_cart(client: FlaskClient) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("cart") or {})


def english_client(app) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def add(client: FlaskClient, variant, quantity=1, **extra):
    variant_id = variant if isinstance(variant, int | str) else variant.id
    return client.post("/cart/add", data={"variant_id": variant_id, "quantity": quantity, **extra})


def checkout_form(**overrides) -> dict:
    data = {**ADDRESS, "email": "guest@example.test", "payment_method": st.PAYMENT_PROMPTPAY_QR, "action": "place"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def race_in_process(app_config: dict, variant_id: int, buyers: int, quantity: int, start, results) -> None:
    """One process of the multi-process race (PostgreSQL): its own app and engine,
    ``buyers`` threads each placing a guest order for ``quantity`` units once
    ``start`` (a multiprocessing barrier) lets every process go. Puts
    ``(placed, sold_out, errors)`` on ``results``."""
    import threading

    from shop import create_app
    from shop.cart import checkout
    from shop.cart.services import SessionCart, StoredLine

    app = create_app(app_config)
    placed = sold_out = 0
    errors: list[str] = []
    lock = threading.Lock()
    go = threading.Barrier(buyers)

    def buy(n: int) -> None:
        nonlocal placed, sold_out
        with app.app_context():
            price = db.session.scalar(select(Variant.price_satang).where(Variant.id == variant_id))
            cart = SessionCart({})
            cart.put(StoredLine(variant_id, quantity, price))
            go.wait()
            try:
                checkout.place_order(cart, buyer=None, address=ADDRESS, email=f"p{n}@example.test")
                outcome = "placed"
            except checkout.SoldOut:
                outcome = "sold_out"
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                outcome = f"{type(exc).__name__}: {exc}"
            finally:
                db.session.remove()
        with lock:
            if outcome == "placed":
                placed += 1
            elif outcome == "sold_out":
                sold_out += 1
            else:
                errors.append(outcome)

    start.wait()
    threads = [threading.Thread(target=buy, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with app.app_context():
        db.engine.dispose()
    results.put((placed, sold_out, errors))
