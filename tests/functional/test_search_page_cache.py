"""Search pages in the page cache (docs/caching.md: Search pages): the results page, the
type-ahead and the API's search kept for visitors who are not signed in, keyed by the
index they were searched in as well as the catalogue generation.

Given a small indexed catalogue and the cache on (checking the catalogue generation
every 0.2 s), when visitors search, then each sees their own cart on the one stored
page, signed-in users get pages of their own, an edit shows as soon as the index has
applied it (a page rendered between the commit and the index is not kept past it), an
experience filter by days follows the date, and bad input is still a 400.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import quote

import pytest

from shop.extensions import db
from shop.page_cache import CSRF_PLACEHOLDER, page_cache
from shop.search import indexer
from shop.search import services as search_services
from tests.cart_helpers import make_catalogue
from tests.factories import UserFactory
from tests.functional.test_page_cache import (
    CHECK_SECONDS,
    add_to_cart,
    after_the_check_interval,
    cart_count,
    count_queries,
    csrf_of,
    english,
    text_of,
)
from tests.functional.test_page_cache import redis_url as shared_redis_url


@pytest.fixture
def settings() -> dict:
    """More settings for one test (``@pytest.mark.parametrize("settings", [{…}])``)."""
    return {}


@pytest.fixture
def app_config(app_config, settings):
    return {**app_config, "PAGE_CACHE_ENABLED": True, "PAGE_CACHE_CHECK_SECONDS": CHECK_SECONDS,
            "WTF_CSRF_ENABLED": True, **settings}


@pytest.fixture
def catalogue(app):
    found = make_catalogue()
    indexer.rebuild(app)
    return found


@pytest.fixture
def searches(monkeypatch):
    """How many searches ran (pages rendered rather than answered from the cache)."""
    counter = {"n": 0}
    search = search_services.search

    def counting(*args, **kwargs):
        counter["n"] += 1
        return search(*args, **kwargs)

    monkeypatch.setattr(search_services, "search", counting)
    return counter


def apply_the_log(app) -> None:
    """What the indexer thread does a moment after a commit (tests run it by hand)."""
    db.session.rollback()  # end the test's read: SQLite lets one writer in at a time
    assert indexer.drain(app).rows >= 1


def stored_pages(app) -> int:
    with app.test_request_context():
        return len(page_cache().store)


def product_names(html: str) -> list[str]:
    """The products found, in order, without their highlighting."""
    return [re.sub(r"</?mark>", "", name) for name in re.findall(r'<h3 class="search-hit-title">(.*?)</h3>', html)]


# --- one stored page, each visitor's own parts ---------------------------------------


def test_two_visitors_with_different_carts_share_one_stored_search_page(app, catalogue, searches):
    alice, bob = english(app), english(app)
    assert add_to_cart(alice, catalogue.coffee, 2).status_code == 303
    assert add_to_cart(bob, catalogue.rice, 5).status_code == 303
    for client in (alice, bob):
        client.get("/cart")  # "Added to your cart": a flashed message is shown on a page of one's own
    url = "/search?q=coffee"
    first = alice.get(url)
    assert first.status_code == 200 and searches["n"] == 1
    with count_queries() as queries:
        second = bob.get(url)
    assert second.status_code == 200
    assert searches["n"] == 1 and queries["n"] == 0  # Bob's answer is the page stored for Alice
    alice_html, bob_html = text_of(first), text_of(second)
    assert product_names(bob_html) == ["Hill coffee"]
    assert cart_count(alice_html) == 2 and cart_count(bob_html) == 5
    assert CSRF_PLACEHOLDER not in alice_html + bob_html
    # Neither visitor's token is on the page, and each keeps a token of their own.
    with alice.session_transaction() as sess:
        alice_secret = sess.get("csrf_token")
    with bob.session_transaction() as sess:
        bob_secret = sess.get("csrf_token")
    assert alice_secret and bob_secret and alice_secret != bob_secret
    assert alice_secret not in bob_html and bob_secret not in alice_html
    assert cart_count(text_of(alice.get(url))) == 2 and searches["n"] == 1
    bob_token = csrf_of(text_of(bob.get(f"/products/{catalogue.coffee.product.slug}")))
    added = bob.post("/cart/add", data={"variant_id": catalogue.coffee.id, "quantity": 1, "csrf_token": bob_token})
    assert added.status_code == 303
    bob.get("/cart")
    assert cart_count(text_of(bob.get(url))) == 6
    assert cart_count(text_of(alice.get(url))) == 2
    assert searches["n"] == 1


def test_a_signed_in_user_is_never_given_the_stored_search_page(app, catalogue, sign_in, searches):
    user = UserFactory(display_name="Somchai Signedin", locale="en")
    url = "/search?q=rice"
    anonymous = english(app)
    anonymous.get(url)
    anonymous.get(url)
    assert searches["n"] == 1
    member = english(app)
    sign_in(user, client=member, csrf_token=csrf_of(text_of(member.get("/account/login"))))
    for _ in range(2):
        html = text_of(member.get(url))
        assert "Somchai Signedin" in html and product_names(html) == ["Jasmine rice"]
    assert searches["n"] == 3  # rendered for the member each time
    assert "Somchai Signedin" not in text_of(anonymous.get(url))
    assert searches["n"] == 3


def test_the_type_ahead_and_the_api_search_are_kept_for_anonymous_clients(app, catalogue, searches):
    client = english(app)
    first = client.get("/search/suggest?q=hil")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, max-age=30"
    with count_queries() as queries:
        again = client.get("/search/suggest?q=hil")
    assert queries["n"] == 0 and again.get_json() == first.get_json()
    assert again.headers["Cache-Control"] == "private, max-age=30"
    assert client.get("/search/suggest?q=hil", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304

    api = app.test_client()
    url = "/api/v1/search?q=coffee"
    assert api.get(url).status_code == 200
    assert [hit["product"]["name_en"] for hit in api.get(url).get_json()["hits"]] == ["Hill coffee"]
    assert searches["n"] == 1
    # A client with a token is answered afresh (its token is checked).
    from tests.api_helpers import bearer, token_for

    token = token_for(UserFactory())
    assert api.get(url, headers=bearer(token)).status_code == 200
    assert searches["n"] == 2
    # The API's answers follow the index as the pages do.
    assert api.get("/api/v1/search?q=arabica").get_json()["hits"] == []
    catalogue.coffee.product.name_en = "Arabica hill coffee"
    db.session.commit()
    after_the_check_interval()
    assert api.get("/api/v1/search?q=arabica").get_json()["hits"] == []
    apply_the_log(app)
    hits = api.get("/api/v1/search?q=arabica").get_json()["hits"]
    assert [hit["product"]["name_en"] for hit in hits] == ["Arabica hill coffee"]


# --- freshness: the index, the catalogue, the date ------------------------------------


def test_a_renamed_product_shows_once_the_index_applied_it_never_the_page_rendered_before(app, catalogue, searches):
    client = english(app)
    url = "/search?q=arabica"
    assert product_names(text_of(client.get(url))) == []
    catalogue.coffee.product.name_en = "Arabica hill coffee"
    db.session.commit()
    after_the_check_interval()
    # The catalogue moved but the index has not applied the row yet: this page is
    # rendered (a new catalogue generation) and still finds nothing.
    renders = searches["n"]
    assert product_names(text_of(client.get(url))) == []
    assert searches["n"] == renders + 1
    assert product_names(text_of(client.get(url))) == []  # kept, for the index as it is
    assert searches["n"] == renders + 1
    apply_the_log(app)
    started = time.monotonic()
    html = text_of(client.get(url))
    assert product_names(html) == ["Arabica hill coffee"]
    assert time.monotonic() - started < 2.0
    assert searches["n"] == renders + 2


def test_a_price_change_shows_on_the_cards_and_in_the_price_facet(app, catalogue, searches):
    client = english(app)
    url = "/search?q=rice"
    html = text_of(client.get(url))
    assert "฿85" in html and 'data-value="over-1000"' not in html
    catalogue.rice.price_satang = 150000
    catalogue.rice.product.refresh_min_price()  # as the seller's listing form does
    db.session.commit()
    after_the_check_interval()
    # The card is read from the database: the new price shows within the check interval;
    # the price band is the index's, which has not applied the change yet.
    html = text_of(client.get(url))
    assert "฿1,500" in html and "฿85" not in html
    assert 'data-value="over-1000"' not in html
    apply_the_log(app)
    # The band follows as soon as the index applied the row.
    html = text_of(client.get(url))
    assert 'data-value="over-1000"' in html and "฿1,500" in html


def test_a_page_kept_before_the_catalogue_changed_is_not_served_after(app, catalogue, searches):
    client = english(app)
    url = "/search?q=coffee&sort=price_asc"
    assert "฿120" in text_of(client.get(url))
    client.get(url)
    assert searches["n"] == 1
    catalogue.coffee.price_satang = 13500
    db.session.commit()
    apply_the_log(app)
    after_the_check_interval()
    html = text_of(client.get(url))
    assert "฿135" in html and "฿120" not in html
    assert searches["n"] == 2


def _move_clocks(monkeypatch, days: int) -> None:
    """Every clock the search page reads (its key's date, the experiences' windows and
    open sessions) ``days`` ahead."""
    from shop import dbtypes
    from shop.experiences import services as experience_services

    real = dbtypes.utcnow

    def later():
        return real() + timedelta(days=days)

    monkeypatch.setattr(dbtypes, "utcnow", later)
    monkeypatch.setattr(experience_services, "utcnow", later)


def test_a_day_filter_of_experiences_is_not_answered_from_yesterdays_page(app, monkeypatch, searches):
    from tests.experience_helpers import make_host

    host = make_host(days_ahead=7)  # on the eighth day from today: not in "the next 7 days" today
    slug = f"/experiences/{host.experience.slug}"
    db.session.commit()  # end the test's transaction: SQLite lets one writer in at a time
    indexer.rebuild(app)
    client = english(app)
    url = "/search?when=next_7_days"
    assert slug not in text_of(client.get(url))
    assert slug not in text_of(client.get(url))
    assert searches["n"] == 1
    _move_clocks(monkeypatch, days=1)  # tomorrow, nothing changed in the catalogue
    assert slug in text_of(client.get(url))
    assert searches["n"] == 2


@pytest.mark.parametrize("settings", [{"EXPERIENCE_SEARCH_CACHE_SECONDS": 1.5}])
def test_experiences_kept_by_the_search_are_not_kept_on_a_page_past_their_own_seconds(app, settings, searches):
    """``EXPERIENCE_SEARCH_CACHE_SECONDS``: each process keeps the list of published
    experiences that long, so a page rendered just after a change may show the list
    from before it; it is rendered again once that list is surely newer."""
    from shop.experiences import services as svc
    from tests.experience_helpers import FORM, make_host

    seconds = settings["EXPERIENCE_SEARCH_CACHE_SECONDS"]
    host = make_host(days_ahead=10)
    enterprise = host.enterprise
    db.session.commit()  # end the test's transaction: SQLite lets one writer in at a time
    indexer.rebuild(app)
    client = english(app)
    url = "/search?q=painting"
    started = time.monotonic()
    assert "data-experience-id" not in text_of(client.get(url))  # the list is read now
    other = svc.create_experience(enterprise, {**FORM, "title_en": "Jar painting afternoon",
                                                    "title_th": "วาดลายโอ่ง"})
    svc.add_session(other, day=(svc.local_now().date() + timedelta(days=4)).isoformat(), start_time="13:00",
                    seats="6")
    after_the_check_interval()
    html = text_of(client.get(url))  # a new catalogue generation, and the list kept from before it
    if time.monotonic() - started < seconds * 0.9:  # (a slow machine may have read the list again)
        assert "Jar painting afternoon" not in html
    time.sleep(seconds + 0.1)
    assert "Jar painting afternoon" in text_of(client.get(url))


# --- input and memory ----------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "q=" + "x" * 2001,  # over MAX_RAW_QUERY_CHARS: 400, and longer than the cache keys
    "q=" + quote("กาแฟ" * 130),  # a long query string: answered without the cache
    "page=0", "page=abc", "page=999", "sort=cheapest", "price=free", "province=atlantis", "category=nope",
    "wholesale=maybe", "q=a&q=b", "day=2026-02-30", "when=someday", "kind=tours",
])
def test_bad_input_is_still_refused_and_never_kept(app, catalogue, searches, query):
    client = english(app)
    expected = client.get(f"/search?{query}").status_code
    assert expected in (200, 400)
    assert client.get(f"/search?{query}").status_code == expected
    if expected == 400:
        assert stored_pages(app) == 0
    assert client.get(f"/search/suggest?{query}").status_code in (200, 400)
    assert app.test_client().get(f"/api/v1/search?{query}").status_code in (200, 422)


def test_odd_parameters_answer_like_before(app, catalogue, searches):
    client = english(app)
    for query in ("q=coffee&utm_source=x", "q=%00", "q=%3Cscript%3E", "q=", "q=coffee&page=2"):
        first, second = client.get(f"/search?{query}"), client.get(f"/search?{query}")
        assert first.status_code == second.status_code == 200
        assert "<script>" not in text_of(second)


@pytest.mark.parametrize("settings", [{"PAGE_CACHE_ENTRIES": 3}])
def test_many_distinct_queries_stay_within_the_stores_bound(app, catalogue, settings):
    client = english(app)
    for i in range(12):
        assert client.get(f"/search?q=coffee+{i}").status_code == 200
        assert client.get(f"/search/suggest?q=co{i}").status_code == 200
        assert stored_pages(app) <= 3
    assert stored_pages(app) == 3


# --- shared in Redis -------------------------------------------------------------------


redis_url = shared_redis_url  # the fixture: a Redis on 127.0.0.1:6379, or the test is skipped


def test_search_pages_are_shared_through_redis_by_one_index_only(app_config, redis_url, catalogue, searches):
    """Workers reading the same index folder share their pages; a host with its own
    replica (another folder, which may be behind) renders its own."""
    from shop import create_app

    shared = {**app_config, "REDIS_URL": redis_url}
    first, same_index = create_app(shared), create_app(shared)
    replica = create_app({**shared, "SEARCH_INDEX_DIR": app_config["SEARCH_INDEX_DIR"] + "-replica"})
    url = "/search?q=coffee"
    try:
        with first.app_context():
            assert english(first).get(url).status_code == 200
        with same_index.app_context():
            assert product_names(text_of(english(same_index).get(url))) == ["Hill coffee"]
        assert searches["n"] == 1  # the first worker's page
        with replica.app_context():
            indexer.rebuild(replica)
            assert product_names(text_of(english(replica).get(url))) == ["Hill coffee"]
        assert searches["n"] == 2
    finally:
        for other in (first, same_index, replica):
            with other.app_context():
                db.session.remove()
                db.engine.dispose()
