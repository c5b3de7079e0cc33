"""Experiences on the search page (docs/search.md, Other kinds): found by the index's
own word cutting, lexicon and romanised keys, shown with their next session, with a
kind facet and a filter by the days of their sessions; bad values are 400s."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.experiences import listing
from shop.experiences import services as svc
from shop.experiences.search import search_experiences
from shop.extensions import db
from shop.search import kinds
from shop.search.indexer import rebuild
from shop.search.query import build_plan
from tests.experience_helpers import FORM, make_host
from tests.factories import MemberFactory, ProductFactory


@pytest.fixture
def offer(app):
    """A coffee workshop in Lampang ten days ahead, a weaving class in Surin this
    weekend, a product about coffee, and an unpublished experience about coffee."""
    coffee = make_host(days_ahead=10)
    weavers = MemberFactory(enterprise__name_en="Tha Sawang Silk", enterprise__name_th="ผ้าไหมท่าสว่าง",
                            enterprise__province_code="32")
    db.session.commit()
    weaving = svc.create_experience(weavers.enterprise, {
        **FORM, "title_th": "เรียนทอผ้าไหมกับช่างทอบ้านท่าสว่าง", "title_en": "A silk-weaving class",
        "description_th": "ทอผ้าไหมผืนเล็กบนกี่พื้นเมือง", "description_en": "Weave a small piece of silk.",
        "province_code": "32", "postcode": "32000", "village": "บ้านท่าสว่าง", "subdistrict": "ท่าสว่าง",
        "district": "เมืองสุรินทร์", "latitude": "", "longitude": "", "included_th": "ผ้าไหมที่ทอเอง"})
    weekend = listing.window("this_weekend")
    svc.add_session(weaving, day=weekend.last.isoformat(), start_time="23:00", seats="8")
    hidden = svc.create_experience(coffee.enterprise, {**FORM, "title_en": "Secret coffee tour", "is_published": ""})
    svc.add_session(hidden, day=(svc.local_now().date() + timedelta(days=3)).isoformat(), start_time="09:00",
                    seats="4")
    ProductFactory(enterprise=coffee.enterprise, slug="jar-roasted-coffee", name_th="กาแฟคั่วโอ่ง",
                   name_en="Jar-roasted coffee")
    rebuild(app)
    return {"coffee": coffee.experience, "weaving": weaving, "hidden": hidden, "session": coffee.session}


def _slugs(query: str, **params) -> list[str]:
    found = search_experiences(kinds.KindQuery(plan=build_plan(query), when=params.get("when"),
                                               day=params.get("day"), province_code=params.get("province"),
                                               locale="th"))
    return [hit.experience.slug for hit in found.hits]


@pytest.mark.parametrize(("query", "expected"), [
    ("กาแฟ", "coffee"), ("coffee", "coffee"), ("คั่วกาแฟในโอ่ง", "coffee"), ("workshop lampang", "coffee"),
    ("ผ้าไหม", "weaving"), ("silk", "weaving"), ("weaving class", "weaving"), ("ท่าสว่าง", "weaving"),
    ("kafae", "coffee"),
])
def test_words_find_experiences_as_they_find_products(app, offer, query, expected):
    assert _slugs(query) == [offer[expected].slug]


@pytest.mark.parametrize("query", ["iphone", "ตั๋วเครื่องบิน", "secret tour"])
def test_nothing_rather_than_junk_and_never_an_unpublished_one(app, offer, query):
    assert _slugs(query) == []


def test_the_days_and_the_province_narrow_them(app, offer):
    assert _slugs("", when="this_weekend") == [offer["weaving"].slug]
    assert _slugs("", day=offer["session"].day) == [offer["coffee"].slug]
    assert _slugs("", day=offer["session"].day - timedelta(days=1)) == []
    assert _slugs("", province="32") == [offer["weaving"].slug]
    assert set(_slugs("")) == {offer["coffee"].slug, offer["weaving"].slug}


def test_the_results_page_shows_experiences_with_their_next_session(client, offer):
    page = client.get("/search?q=coffee&lang=en").get_data(as_text=True)
    assert f"/experiences/{offer['coffee'].slug}?session={offer['session'].id}" in page
    assert "Next session" in page and 'data-facet="kind"' in page
    assert "jar-roasted-coffee" in page  # products are still there
    only = client.get("/search?q=coffee&kind=experience&lang=en").get_data(as_text=True)
    assert f"/experiences/{offer['coffee'].slug}" in only and "/products/jar-roasted-coffee" not in only
    products = client.get("/search?q=coffee&kind=product&lang=en").get_data(as_text=True)
    assert "/products/jar-roasted-coffee" in products and "data-experience-id" not in products
    weekend = client.get("/search?when=this_weekend&lang=en").get_data(as_text=True)
    assert f"/experiences/{offer['weaving'].slug}" in weekend and f"/experiences/{offer['coffee'].slug}" not in weekend
    day = offer["session"].day.isoformat()
    on_day = client.get(f"/search?q=กาแฟ&day={day}&lang=en").get_data(as_text=True)
    assert f"/experiences/{offer['coffee'].slug}" in on_day
    empty = client.get("/search?q=coffee&when=this_weekend&lang=en")
    assert empty.status_code == 200 and "No experience has a session on those days" in empty.get_data(as_text=True)


@pytest.mark.parametrize("query", ["kind=tours", "when=someday", "day=2026-02-30", "day=tomorrow",
                                   "day=2026-05-01&when=this_weekend", "kind=product&kind=experience"])
def test_bad_kind_and_day_values_are_400(client, offer, query):
    assert client.get(f"/search?q=coffee&{query}").status_code == 400


def test_the_list_of_published_experiences_is_kept_for_the_configured_seconds(app):
    import time

    host = make_host(days_ahead=10)
    app.config["EXPERIENCE_SEARCH_CACHE_SECONDS"] = 0.3
    try:
        def titles(query: str) -> list[str]:
            found = search_experiences(kinds.KindQuery(plan=build_plan(query), when=None, day=None, province_code=None,
                                                       locale="en"))
            return [hit.experience.title_en for hit in found.hits]

        assert titles("jar") == ["Jar-roasting workshop"]
        other = svc.create_experience(host.enterprise, {**FORM, "title_en": "Jar painting afternoon",
                                                        "title_th": "วาดลายโอ่ง"})
        svc.add_session(other, day=(svc.local_now().date() + timedelta(days=4)).isoformat(), start_time="13:00",
                        seats="6")
        assert titles("jar") == ["Jar-roasting workshop"]  # the kept list
        time.sleep(0.35)
        assert sorted(titles("jar")) == ["Jar painting afternoon", "Jar-roasting workshop"]
    finally:
        app.config["EXPERIENCE_SEARCH_CACHE_SECONDS"] = 0.0
