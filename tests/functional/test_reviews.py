"""Reviews over HTTP and through their services: only a signed-in buyer whose part of
the order was delivered reviews, once per bought item; bad ratings and text are
refused with a message and nothing written; the enterprise replies once; staff hide
and show; the product's rating aggregates stay equal to the rows; the product page,
the cards and the API show them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from shop.catalog.models import Product
from shop.database import end_read
from shop.extensions import db
from shop.orders import status as st
from shop.reviews import ratings, services
from shop.reviews.models import HIDDEN, VISIBLE, Review, short_name
from shop.search.indexer import rebuild
from tests.factories import EnterpriseFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order


@pytest.fixture
def world(app):
    enterprise = EnterpriseFactory(name_th="วิสาหกิจชุมชนกาแฟดอยช้าง", name_en="Doi Chang Coffee Group")
    product = ProductFactory(enterprise=enterprise, name_th="กาแฟคั่วกลาง", name_en="Medium roast coffee",
                             slug="medium-roast")
    coffee = VariantFactory(product=product, name_th="ถุง 250 กรัม", name_en="250 g bag", stock=50)
    owner = MemberFactory(enterprise=enterprise).user
    other_owner = MemberFactory().user
    shopper = UserFactory(email="somchai@example.test", display_name="Somchai Kaewmanee")
    stranger = UserFactory(email="stranger@example.test")
    staff = UserFactory(email="staff@example.test", is_staff=True)
    return {"enterprise": enterprise, "product": product, "coffee": coffee, "owner": owner,
            "other_owner": other_owner, "shopper": shopper, "stranger": stranger, "staff": staff}


def _delivered(world, quantity: int = 1, user=None):
    return make_order([(world["coffee"], quantity)], user=user or world["shopper"],
                      fulfilment_status=st.FULFILMENT_DELIVERED)


def _review_url(order) -> str:
    return f"/orders/{order.public_id}/items/{order.lines[0].id}/review"


def _count() -> int:
    return db.session.scalar(select(func.count(Review.id)))


def _aggregates(product) -> tuple[int, int]:
    db.session.expire_all()
    row = db.session.get(Product, product.id)
    return row.rating_sum, row.rating_count


def _post_review(client, order, **form):
    data = {"rating": "5", "title": "", "body": ""}
    data.update(form)
    return client.post(_review_url(order), data={k: v for k, v in data.items() if v is not None})


def _write(world, rating: int, *, user=None, body: str | None = None) -> Review:
    order = _delivered(world, user=user)
    return services.write_review(user or world["shopper"], order.lines[0].id, rating=rating, body=body)


# ---------------------------------------------------------------- writing


def test_a_delivered_buyer_reviews_from_the_order_page(client, sign_in, world, make_client):
    order = _delivered(world)
    sign_in(world["shopper"])
    page = client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert _review_url(order) in page
    assert client.get(_review_url(order)).status_code == 200

    response = _post_review(client, order, rating="4", title="หอมมาก", body="ส่งไว ห่อมาดี\nจะสั่งอีก")
    assert response.status_code == 303
    assert _aggregates(world["product"]) == (4, 1)
    review = db.session.scalar(select(Review))
    assert (review.rating, review.title, review.body, review.status) == (4, "หอมมาก", "ส่งไว ห่อมาดี\nจะสั่งอีก", VISIBLE)
    assert review.enterprise_id == world["enterprise"].id

    page = client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert _review_url(order) not in page
    assert f"/reviews/{review.id}/edit" in page

    product_page = make_client("en").get("/products/medium-roast").get_data(as_text=True)
    assert "หอมมาก" in product_page and "Somchai K." in product_page and "Kaewmanee" not in product_page
    assert "Verified purchase" in product_page and "250 g bag" in product_page
    assert "Rated 4.0 out of 5 by 1 buyers" in product_page
    assert "4 out of 5 stars" in product_page


@pytest.mark.parametrize("state", ["unpaid", "paid", "shipped"])
def test_an_item_not_yet_delivered_cannot_be_reviewed(client, sign_in, world, state):
    if state == "unpaid":
        order = make_order([(world["coffee"], 1)], user=world["shopper"])
    else:
        order = make_order([(world["coffee"], 1)], user=world["shopper"],
                           fulfilment_status=st.FULFILMENT_NEW if state == "paid" else st.FULFILMENT_SHIPPED,
                           paid=True)
    sign_in(world["shopper"])
    assert _review_url(order) not in client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    client.get("/?lang=en")
    response = _post_review(client, order, rating="5")
    assert response.status_code == 403
    assert "once its parcel has been delivered" in response.get_data(as_text=True)
    assert client.get(_review_url(order)).status_code == 403
    assert _count() == 0 and _aggregates(world["product"]) == (0, 0)


def test_someone_elses_item_is_not_found_and_a_guest_is_sent_to_sign_in(client, sign_in, world, make_client):
    order = _delivered(world)
    guest = make_client("en")
    response = guest.post(_review_url(order), data={"rating": "5"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]

    sign_in(world["stranger"])
    response = _post_review(client, order, rating="5")
    assert response.status_code == 404
    assert client.get(_review_url(order)).status_code == 404
    # Staff may open any order, but review only their own purchases.
    sign_in(world["staff"])
    assert _post_review(client, order, rating="5").status_code == 404
    assert _count() == 0 and _aggregates(world["product"]) == (0, 0)


def test_a_line_of_another_order_in_the_url_is_not_found(client, sign_in, world):
    mine = _delivered(world)
    theirs = _delivered(world, user=world["stranger"])
    sign_in(world["shopper"])
    response = client.post(f"/orders/{mine.public_id}/items/{theirs.lines[0].id}/review", data={"rating": "5"})
    assert response.status_code == 404
    assert _count() == 0


def test_one_review_per_bought_item(client, sign_in, world):
    first = _delivered(world)
    sign_in(world["shopper"])
    assert _post_review(client, first, rating="5").status_code == 303
    again = _post_review(client, first, rating="1")
    assert again.status_code == 409
    assert "already reviewed this item" in again.get_data(as_text=True) or "รีวิวสินค้านี้ไปแล้ว" in again.get_data(as_text=True)
    # The link followed again opens the review written.
    assert "/edit" in client.get(_review_url(first)).headers["Location"]
    assert _count() == 1 and _aggregates(world["product"]) == (5, 1)
    # The same product bought again is another purchase: it may be reviewed too.
    second = _delivered(world)
    assert _post_review(client, second, rating="3").status_code == 303
    assert _count() == 2 and _aggregates(world["product"]) == (8, 2)


@pytest.mark.parametrize("rating", ["0", "6", "abc", "", "4.5", "-1", "๕", None])
def test_a_bad_rating_is_refused_and_nothing_written(client, sign_in, world, rating):
    order = _delivered(world)
    sign_in(world["shopper"])
    client.get("/?lang=en")
    response = _post_review(client, order, rating=rating, body="good")
    assert response.status_code == 422
    assert "Choose a rating from 1 to 5 stars." in response.get_data(as_text=True)
    assert _count() == 0 and _aggregates(world["product"]) == (0, 0)


@pytest.mark.parametrize("field, value, message", [
    ("body", "ก" * 2001, "at most 2000 characters"),
    ("title", "x" * 121, "at most 120 characters"),
    ("body", "fine\u202eevil", ""),
])
def test_bad_text_is_refused_and_nothing_written(client, sign_in, world, field, value, message):
    order = _delivered(world)
    sign_in(world["shopper"])
    client.get("/?lang=en")
    response = _post_review(client, order, rating="5", **{field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == 0 and _aggregates(world["product"]) == (0, 0)


def test_the_service_refuses_a_rating_of_the_wrong_type(world):
    order = _delivered(world)
    for bad in (True, 3.0, [5], None, 10**20):
        with pytest.raises(services.ValidationFailed):
            services.write_review(world["shopper"], order.lines[0].id, rating=bad)
    assert _count() == 0


# ---------------------------------------------------------------- editing


def test_the_buyer_changes_their_review_within_the_window(client, sign_in, world):
    review = _write(world, 5)
    sign_in(world["shopper"])
    response = client.post(f"/reviews/{review.id}/edit", data={"rating": "2", "title": "ขมไป", "body": ""})
    assert response.status_code == 303
    assert _aggregates(world["product"]) == (2, 1)
    db.session.execute(update(Review).where(Review.id == review.id)
                       .values(created_at=review.created_at - timedelta(days=services.EDIT_DAYS + 1)))
    db.session.commit()
    client.get("/?lang=en")
    late = client.post(f"/reviews/{review.id}/edit", data={"rating": "5"})
    assert late.status_code == 403
    assert "30 days" in late.get_data(as_text=True)
    assert _aggregates(world["product"]) == (2, 1)
    # Someone else's review: not found.
    sign_in(world["stranger"])
    assert client.post(f"/reviews/{review.id}/edit", data={"rating": "1"}).status_code == 404
    assert client.get(f"/reviews/{review.id}/edit").status_code == 404


# ---------------------------------------------------------------- the enterprise's reply


def test_the_enterprise_replies_once(client, sign_in, world):
    review = _write(world, 4, body="ดีมาก")
    enterprise_id = world["enterprise"].id
    reply_url = f"/seller/{enterprise_id}/reviews/{review.id}/reply"
    sign_in(world["owner"])
    listing = client.get(f"/seller/{enterprise_id}/reviews")
    assert listing.status_code == 200 and "ดีมาก" in listing.get_data(as_text=True)

    empty = client.post(reply_url, data={f"r{review.id}-reply": "  "})
    assert empty.status_code == 422
    response = client.post(reply_url, data={f"r{review.id}-reply": "ขอบคุณมากค่ะ"})
    assert response.status_code == 303
    second = client.post(reply_url, data={f"r{review.id}-reply": "อีกครั้ง"})
    assert second.status_code == 409
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply_body == "ขอบคุณมากค่ะ"
    page = client.get("/products/medium-roast?lang=en").get_data(as_text=True)
    assert "ขอบคุณมากค่ะ" in page and "Reply from Doi Chang Coffee Group" in page


def test_another_enterprises_member_cannot_reply_or_read(client, sign_in, world):
    review = _write(world, 4)
    other_enterprise_id = world["other_owner"].memberships[0].enterprise_id
    sign_in(world["other_owner"])
    assert client.get(f"/seller/{world['enterprise'].id}/reviews").status_code == 404
    assert client.post(f"/seller/{world['enterprise'].id}/reviews/{review.id}/reply",
                       data={f"r{review.id}-reply": "x"}).status_code == 404
    # Their own enterprise's page, with this review's id: not theirs either.
    assert client.post(f"/seller/{other_enterprise_id}/reviews/{review.id}/reply",
                       data={f"r{review.id}-reply": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply_body is None


# ---------------------------------------------------------------- staff


def test_staff_hide_and_show_a_review(client, sign_in, world):
    review = _write(world, 1, body="คำหยาบ spam")
    _write(world, 5, body="อร่อย")
    assert _aggregates(world["product"]) == (6, 2)
    sign_in(world["shopper"])
    assert client.get("/admin/reviews").status_code == 403

    sign_in(world["staff"])
    assert "คำหยาบ spam" in client.get("/admin/reviews").get_data(as_text=True)
    no_reason = client.post(f"/admin/reviews/{review.id}/hide", data={f"h{review.id}-reason": ""})
    assert no_reason.status_code == 422
    assert _aggregates(world["product"]) == (6, 2)

    hidden = client.post(f"/admin/reviews/{review.id}/hide", data={f"h{review.id}-reason": "abusive words"})
    assert hidden.status_code == 303
    assert _aggregates(world["product"]) == (5, 1)
    db.session.expire_all()
    row = db.session.get(Review, review.id)
    assert (row.status, row.hidden_reason) == (HIDDEN, "abusive words")
    assert [c.to_status for c in services.history(row)] == [HIDDEN]
    page = client.get("/products/medium-roast").get_data(as_text=True)
    assert "คำหยาบ spam" not in page and "อร่อย" in page
    sign_in(world["shopper"])
    client.get("/?lang=en")
    order_page = client.get(f"/orders/{row.line.order.public_id}").get_data(as_text=True)
    assert "Hidden by the programme staff" in order_page and f"/reviews/{review.id}/edit" not in order_page
    sign_in(world["staff"])
    assert "คำหยาบ spam" in client.get("/admin/reviews?show=hidden").get_data(as_text=True)
    assert "คำหยาบ spam" not in client.get("/admin/reviews?show=visible").get_data(as_text=True)
    # Hiding twice is refused; a hidden review gets no reply.
    assert client.post(f"/admin/reviews/{review.id}/hide", data={f"h{review.id}-reason": "again"}).status_code == 409
    with pytest.raises(services.ReviewRefused):
        services.reply(world["owner"], world["enterprise"].id, review.id, "answer")

    shown = client.post(f"/admin/reviews/{review.id}/unhide")
    assert shown.status_code == 303
    assert _aggregates(world["product"]) == (6, 2)
    assert "คำหยาบ spam" in client.get("/products/medium-roast").get_data(as_text=True)
    assert client.post("/admin/reviews/999999/unhide").status_code == 404


def test_aggregates_equal_the_rows_after_a_sequence_of_operations(world):
    staff, product = world["staff"], world["product"]
    a = _write(world, 5)
    b = _write(world, 3)
    c = _write(world, 1, user=world["stranger"])
    services.edit_review(world["shopper"], b.id, rating=4)
    services.hide(staff, c.id, "spam")
    services.edit_review(world["shopper"], a.id, rating=2)
    services.unhide(staff, c.id)
    services.hide(staff, a.id, "personal details")
    with pytest.raises(services.ReviewRefused):
        services.edit_review(world["shopper"], a.id, rating=5)  # hidden: not changed, not counted
    d = _write(world, 4)
    services.reply(world["owner"], world["enterprise"].id, d.id, "ขอบคุณครับ")
    assert _aggregates(product) == ratings.recomputed(product.id) == (4 + 1 + 4, 3)
    assert ratings.distribution(product.id) == {5: 0, 4: 2, 3: 0, 2: 0, 1: 1}


# ---------------------------------------------------------------- storefront and API


def test_cards_and_the_product_page_show_the_stars(app, client, world):
    _write(world, 5)
    _write(world, 4)
    other = ProductFactory(enterprise=world["enterprise"], category=world["product"].category)
    VariantFactory(product=other)
    html = client.get(f"/categories/{world['product'].category.slug}?lang=en").get_data(as_text=True)
    assert "Rated 4.5 out of 5 by 2 buyers" in html
    assert html.count('class="stars"') == 1  # the product without reviews shows none
    product_page = client.get("/products/medium-roast?lang=en").get_data(as_text=True)
    assert "Rated 4.5 out of 5 by 2 buyers" in product_page
    assert "★★★★★" in product_page
    thai = client.get("/products/medium-roast?lang=th").get_data(as_text=True)
    assert "ยืนยันการซื้อแล้ว" in thai
    end_read()  # the test's reads end before the index is built
    rebuild(app)
    search = client.get("/search?q=coffee&lang=en").get_data(as_text=True)
    assert "Rated 4.5 out of 5 by 2 buyers" in search
    listing = client.get("/products/medium-roast/reviews?lang=en")
    assert listing.status_code == 200 and "Somchai K." in listing.get_data(as_text=True)
    assert client.get("/products/medium-roast/reviews?page=9").status_code == 404
    assert client.get("/products/medium-roast/reviews?page=abc").status_code == 400
    assert client.get("/products/no-such-thing/reviews").status_code == 404


def test_the_product_pages_structured_data_carries_the_shown_reviews(client, world):
    from tests.functional.test_seo import parse
    from tests.schemaorg_helpers import validate

    shown = _write(world, 5, body="หอมมาก </script> ชงแล้วกลมกล่อม")
    hidden = _write(world, 1, user=world["stranger"], body="spam spam")
    services.hide(world["staff"], hidden.id, "spam")
    product = parse(client.get("/products/medium-roast?lang=en")).of_type("Product")
    assert validate(product) == []
    assert product["aggregateRating"]["ratingCount"] == 1
    assert [(r["author"]["name"], r["reviewRating"]["ratingValue"], r["reviewBody"]) for r in product["review"]] == [
        (shown.author_name, 5, "หอมมาก </script> ชงแล้วกลมกล่อม")]


def test_the_product_page_reads_its_latest_reviews_once(client, world):
    # Shown on the page and named in its structured data: one query for both.
    from sqlalchemy import event

    _write(world, 5, body="หอมมาก")
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        html = client.get("/products/medium-roast?lang=en").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "หอมมาก" in html
    assert len([s for s in statements if "FROM reviews" in s and "ORDER BY reviews.created_at DESC" in s]) == 1


def test_the_api_fills_the_rating_and_lists_reviews(client, world):
    first = _write(world, 5, body="Lovely")
    _write(world, 4, user=world["stranger"])
    hidden = _write(world, 1, body="rude")
    services.hide(world["staff"], hidden.id, "abuse")
    services.reply(world["owner"], world["enterprise"].id, first.id, "Thank you!")

    detail = client.get(f"/api/v1/products/{world['product'].id}").get_json()
    assert (detail["rating_average"], detail["rating_count"]) == (4.5, 2)
    listed = client.get("/api/v1/products").get_json()["data"][0]
    assert (listed["rating_average"], listed["rating_count"]) == (4.5, 2)

    answer = client.get("/api/v1/products/medium-roast/reviews?per_page=1")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["summary"] == {"average": 4.5, "count": 2,
                               "distribution": {"5": 1, "4": 1, "3": 0, "2": 0, "1": 0}}
    assert body["meta"]["total"] == 2 and body["meta"]["next_page"] == 2
    newest = body["data"][0]
    assert newest["rating"] == 4 and newest["verified_purchase"] is True and newest["option_en"] == "250 g bag"
    older = client.get("/api/v1/products/medium-roast/reviews?page=2&per_page=1").get_json()["data"][0]
    assert older["text"] == "Lovely" and older["author"] == "Somchai K." and older["reply"]["text"] == "Thank you!"
    assert client.get("/api/v1/products/no-such-thing/reviews").status_code == 404
    assert client.get("/api/v1/products/medium-roast/reviews?page=0").status_code == 422
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/products/{slug}/reviews" in spec["paths"] or "/products/{slug}/reviews" in spec["paths"]


def test_short_names_show_the_first_name_and_an_initial():
    assert short_name("Somchai Kaewmanee") == "Somchai K."
    assert short_name("สมชาย แก้วมณี") == "สมชาย ก."
    assert short_name("คุณนภา ใจงาม (Napa Jaingam)") == "คุณนภา จ."
    assert short_name("Napa") == "Napa"
    assert short_name("   ") == "—"
