"""The page cache (docs/caching.md): storefront pages and the API's public lists kept
for visitors who are not signed in, until the catalogue changes.

Given a small catalogue and the cache on (checking the catalogue generation every
0.2 s), when visitors open the same pages, then each sees their own cart count and
CSRF token on the one stored page, signed-in users and visitors with a message waiting
get pages of their own, and a price, stock, name or visibility change shows within
the check interval.
"""

from __future__ import annotations

import contextlib
import re
import time

import pytest
from flask import make_response, session
from sqlalchemy import event

from shop.catalog import status
from shop.database import transaction
from shop.extensions import db
from shop.orders.inventory import take_stock
from shop.page_cache import CSRF_PLACEHOLDER, cached_page, page_cache
from tests.api_helpers import bearer, token_for
from tests.cart_helpers import make_catalogue
from tests.factories import UserFactory
from tests.status_helpers import move_listing

CHECK_SECONDS = 0.2


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PAGE_CACHE_ENABLED": True, "PAGE_CACHE_CHECK_SECONDS": CHECK_SECONDS,
            "WTF_CSRF_ENABLED": True}


@pytest.fixture
def catalogue(app):
    return make_catalogue()


@contextlib.contextmanager
def count_queries():
    counter = {"n": 0}

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def product_url(variant) -> str:
    return f"/products/{variant.product.slug}"


def cart_count(html: str) -> int:
    return int(re.search(r"data-cart-count>(\d+)<", html).group(1))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', html).group(1)


def english(app):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    return client


def add_to_cart(client, variant, quantity: int):
    html = text_of(client.get(product_url(variant)))
    return client.post("/cart/add", data={"variant_id": variant.id, "quantity": quantity,
                                          "csrf_token": csrf_of(html)})


def after_the_check_interval() -> None:
    time.sleep(CHECK_SECONDS * 1.5)


def stored_pages(app) -> int:
    with app.test_request_context():
        return len(page_cache().store)


# --- one stored page, each visitor's own parts ---------------------------------------


def test_a_second_visit_is_answered_from_the_cache_without_a_query(app, catalogue):
    client = english(app)
    first = client.get(product_url(catalogue.coffee))
    assert first.status_code == 200
    with count_queries() as queries:
        second = client.get(product_url(catalogue.coffee))
    assert second.status_code == 200
    assert queries["n"] == 0
    assert "Hill coffee" in text_of(second)
    assert CSRF_PLACEHOLDER not in text_of(second)


def test_two_visitors_see_their_own_cart_count_and_token_on_the_stored_page(app, catalogue):
    alice, bob = english(app), english(app)
    assert add_to_cart(alice, catalogue.coffee, 2).status_code == 303
    assert add_to_cart(bob, catalogue.rice, 5).status_code == 303
    url = product_url(catalogue.coffee_kilo)
    pages = {}
    for name, client in (("alice", alice), ("bob", bob), ("alice again", alice), ("bob again", bob)):
        response = client.get(url)
        assert response.status_code == 200
        pages[name] = text_of(response)
    assert stored_pages(app) >= 1
    assert cart_count(pages["alice"]) == cart_count(pages["alice again"]) == 2
    assert cart_count(pages["bob"]) == cart_count(pages["bob again"]) == 5
    assert CSRF_PLACEHOLDER not in pages["alice again"] + pages["bob again"]
    # Each token is the visitor's own: it works for them and not for the other.
    alice_token, bob_token = csrf_of(pages["alice again"]), csrf_of(pages["bob again"])
    refused = bob.post("/cart/add", data={"variant_id": catalogue.coffee_kilo.id, "quantity": 1,
                                          "csrf_token": alice_token})
    assert refused.status_code == 400
    accepted = bob.post("/cart/add", data={"variant_id": catalogue.coffee_kilo.id, "quantity": 1,
                                           "csrf_token": bob_token})
    assert accepted.status_code == 303
    assert cart_count(text_of(bob.get(url))) == 6
    assert cart_count(text_of(alice.get(url))) == 2


def test_a_new_visitor_gets_a_token_and_a_session_cookie_with_the_stored_page(app, catalogue):
    english(app).get(product_url(catalogue.coffee))  # stored
    newcomer = app.test_client()
    response = newcomer.get(product_url(catalogue.coffee))
    assert response.status_code == 200
    assert "Set-Cookie" in response.headers
    token = csrf_of(text_of(response))
    added = newcomer.post("/cart/add", data={"variant_id": catalogue.coffee.id, "quantity": 1, "csrf_token": token})
    assert added.status_code == 303


def test_signed_in_users_never_get_the_anonymous_page(app, catalogue, sign_in):
    user = UserFactory(display_name="Somchai Signedin", locale="en")
    url = product_url(catalogue.coffee)
    anonymous = english(app)
    anonymous.get(url)
    assert "Somchai Signedin" not in text_of(anonymous.get(url))
    member = english(app)
    sign_in(user, client=member, csrf_token=csrf_of(text_of(member.get("/account/login"))))
    html = text_of(member.get(url))
    assert "Somchai Signedin" in html
    assert "Sign in</a>" not in html
    assert "Somchai Signedin" not in text_of(anonymous.get(url))


# --- changes show within the check interval ------------------------------------------


def test_a_price_change_shows_within_the_check_interval(app, catalogue):
    client = english(app)
    url = product_url(catalogue.rice)
    assert "฿85" in text_of(client.get(url))
    catalogue.rice.price_satang = 9900
    db.session.commit()
    after_the_check_interval()
    html = text_of(client.get(url))
    assert "฿99" in html
    assert "฿85" not in html


def test_stock_taken_by_an_order_shows_within_the_check_interval(app, catalogue):
    client = english(app)
    url = product_url(catalogue.rice)
    assert "Out of stock" not in text_of(client.get(url))
    with transaction():
        take_stock([(catalogue.rice.id, 30)])  # the checkout's conditional UPDATE
    after_the_check_interval()
    assert "Out of stock" in text_of(client.get(url))


def test_a_stock_edit_and_a_name_edit_show_within_the_check_interval(app, catalogue):
    client = english(app)
    url = product_url(catalogue.rice)
    category_url = f"/categories/{catalogue.rice.product.category.slug}"
    assert "Jasmine rice" in text_of(client.get(category_url))
    client.get(url)
    catalogue.rice.stock = 0
    catalogue.rice.product.name_en = "Riceberry rice"
    db.session.commit()
    after_the_check_interval()
    html = text_of(client.get(url))
    assert "Riceberry rice" in html
    assert "Out of stock" in html
    assert "Riceberry rice" in text_of(client.get(category_url))


def test_a_hidden_product_is_gone_within_the_check_interval(app, catalogue):
    client = english(app)
    url = product_url(catalogue.rice)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    move_listing(catalogue.rice.product, status.PAUSED)
    db.session.commit()
    after_the_check_interval()
    assert client.get(url).status_code == 404


# --- conditional requests -------------------------------------------------------------


def test_etag_answers_304_until_the_visitors_cart_changes(app, catalogue):
    client = english(app)
    url = product_url(catalogue.coffee)
    client.get(url)  # the visitor's first request marks their session: not stored
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert add_to_cart(client, catalogue.rice, 1).status_code == 303
    assert "no-cache" not in client.get(url).headers.get("Cache-Control", "")  # the flash "added": not cached
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert cart_count(text_of(changed)) == 1
    assert changed.headers["ETag"] != etag


def test_the_etag_changes_with_the_catalogue(app, catalogue):
    client = english(app)
    url = product_url(catalogue.coffee)
    client.get(url)
    etag = client.get(url).headers["ETag"]
    catalogue.coffee.product.name_en = "Hill coffee, jar roasted"
    db.session.commit()
    after_the_check_interval()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "jar roasted" in text_of(response)


# --- language, cookies, messages -----------------------------------------------------


def test_each_language_gets_its_own_page(app, catalogue):
    url = product_url(catalogue.coffee)
    thai, eng = app.test_client(), english(app)
    for _ in range(2):
        assert "กาแฟดอย" in text_of(thai.get(url))
        assert "Hill coffee" in text_of(eng.get(url))
        assert '<html lang="en">' in text_of(eng.get(url))
    switched = thai.get(url + "?lang=en")
    assert '<html lang="en">' in text_of(switched)
    assert '<html lang="en">' in text_of(thai.get(url))  # remembered, and served in English
    assert '<html lang="th">' in text_of(app.test_client().get(url))


def test_a_page_that_sets_a_cookie_or_writes_the_session_is_not_stored(app):
    calls = {"cookie": 0, "session": 0, "plain": 0}

    @cached_page
    def cookie_page():
        calls["cookie"] += 1
        response = make_response("cookie page")
        response.set_cookie("seen", "yes")
        return response

    @cached_page
    def session_page():
        calls["session"] += 1
        session["visited"] = True
        return "session page"

    @cached_page
    def plain_page():
        calls["plain"] += 1
        return "plain page"

    app.add_url_rule("/test-cookie-page", view_func=cookie_page)
    app.add_url_rule("/test-session-page", view_func=session_page)
    app.add_url_rule("/test-plain-page", view_func=plain_page)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/test-cookie-page").status_code == 200
        assert client.get("/test-session-page").status_code == 200
        assert client.get("/test-plain-page").status_code == 200
    assert calls == {"cookie": 3, "session": 3, "plain": 1}


def test_a_flashed_message_is_shown_and_never_stored(app, catalogue):
    url = product_url(catalogue.coffee)
    other = english(app)
    other.get(url)  # the page is stored
    flashed = english(app)
    with flashed.session_transaction() as sess:
        sess["_flashes"] = [("info", "Your parcel is on its way")]
    assert "Your parcel is on its way" in text_of(flashed.get(url))
    assert "Your parcel is on its way" not in text_of(flashed.get(url))  # shown once
    assert "Your parcel is on its way" not in text_of(other.get(url))
    assert "Your parcel is on its way" not in text_of(english(app).get("/"))


def test_only_200_answers_are_stored(app, catalogue):
    client = english(app)
    assert client.get("/products/no-such-product").status_code == 404
    assert stored_pages(app) == 0
    assert client.get("/categories/no-such-category").status_code == 404
    assert stored_pages(app) == 0


def test_the_query_string_is_part_of_the_key_in_any_order(app, catalogue):
    client = english(app)
    slug = catalogue.coffee.product.category.slug
    first = text_of(client.get(f"/categories/{slug}?sort=price_asc&page=1"))
    with count_queries() as queries:
        second = text_of(client.get(f"/categories/{slug}?page=1&sort=price_asc"))
    assert queries["n"] == 0
    assert first == second
    assert stored_pages(app) == 1
    client.get(f"/categories/{slug}?sort=price_desc")
    assert stored_pages(app) == 2


# --- the JSON API --------------------------------------------------------------------


def test_the_api_product_list_is_kept_for_anonymous_clients_only(app, catalogue):
    client = app.test_client()
    first = client.get("/api/v1/products?sort=price_asc")
    assert first.status_code == 200
    assert first.json["meta"]["total"] == 2
    with count_queries() as queries:
        second = client.get("/api/v1/products?sort=price_asc")
    assert queries["n"] == 0
    assert second.json == first.json
    assert "Accept-Language" in second.headers["Vary"]
    assert client.get("/api/v1/products?sort=price_asc",
                      headers={"If-None-Match": second.headers["ETag"]}).status_code == 304
    # A client with a token is answered afresh (its token is checked, its wholesale
    # prices may differ), and a token that is not valid is still refused.
    user = UserFactory()
    with count_queries() as queries:
        signed = client.get("/api/v1/products?sort=price_asc", headers=bearer(token_for(user)))
    assert signed.status_code == 200
    assert queries["n"] > 0
    assert client.get("/api/v1/products", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_the_api_list_follows_the_catalogue_and_its_total_with_a_token(app, catalogue):
    client = app.test_client()
    user = UserFactory()
    headers = bearer(token_for(user))
    assert client.get("/api/v1/products").json["meta"]["total"] == 2
    assert client.get("/api/v1/products", headers=headers).json["meta"]["total"] == 2
    move_listing(catalogue.rice.product, status.PAUSED)
    db.session.commit()
    after_the_check_interval()
    assert client.get("/api/v1/products").json["meta"]["total"] == 1
    assert client.get("/api/v1/products", headers=headers).json["meta"]["total"] == 1


def test_the_api_answers_in_the_clients_language(app, catalogue):
    client = app.test_client()
    url = f"/api/v1/products/{catalogue.coffee.product.id}"
    for _ in range(2):
        thai = client.get(url, headers={"Accept-Language": "th"}).json
        eng = client.get(url, headers={"Accept-Language": "en"}).json
        assert thai["variants"][0]["availability_label"] != eng["variants"][0]["availability_label"]
        assert eng["variants"][0]["availability_label"] == "In stock"


# --- shared in Redis -----------------------------------------------------------------


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/5"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield url
    for name in client.scan_iter(match="chumchon:page:*"):
        client.delete(name)


def test_pages_are_shared_through_redis(app_config, redis_url, catalogue):
    from shop import create_app

    second_host = create_app({**app_config, "REDIS_URL": redis_url})
    first_host = create_app({**app_config, "REDIS_URL": redis_url})
    url = product_url(catalogue.coffee)
    with first_host.app_context():
        first = english(first_host).get(url)
        assert first.status_code == 200
    with second_host.app_context():
        with count_queries() as queries:
            second = english(second_host).get(url)
        visitor = second_host.test_client()
        assert cart_count(text_of(visitor.get(url))) == 0
    assert second.status_code == 200
    assert queries["n"] == 0  # the first host's page
    assert cart_count(text_of(second)) == 0
    assert CSRF_PLACEHOLDER not in text_of(second)
    catalogue.coffee.price_satang = 15500
    db.session.commit()
    after_the_check_interval()
    with second_host.app_context():
        assert "฿155" in text_of(english(second_host).get(url))
    for host in (first_host, second_host):
        with host.app_context():
            db.engine.dispose()


def test_experiences_on_a_cached_province_page_follow_their_price_and_seats(app):
    from datetime import timedelta

    from shop.experiences import services as svc
    from tests.experience_helpers import book, make_host

    host = make_host(seats=2, days_ahead=3)
    later = svc.add_session(host.experience, day=(host.session.day + timedelta(days=7)).isoformat(),
                            start_time="09:00", seats="5")
    client = english(app)
    url = "/provinces/lampang"
    html = text_of(client.get(url))
    assert "฿650 a person" in html and host.session.day.strftime("%-d %b") in html
    assert text_of(client.get(url)) == html  # kept
    host.experience.price_satang = 70000  # a flush of an experience row
    db.session.commit()
    after_the_check_interval()
    assert "฿700 a person" in text_of(client.get(url))
    book(host.session.id, adults=2)  # the first session is full: seats taken by an UPDATE statement
    after_the_check_interval()
    html = text_of(client.get(url))
    assert later.day.strftime("%-d %b") in html and host.session.day.strftime("%-d %b") not in html
