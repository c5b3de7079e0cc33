"""The search box and results page in a real browser: type-ahead suggestions with the
keyboard, Enter to search, a facet link narrowing the results and updating counts."""

from __future__ import annotations

import re

import pytest

from shop.search.indexer import rebuild
from tests.factories import CategoryFactory, EnterpriseFactory, ProductFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def catalogue(app):
    drinks = CategoryFactory(slug="drinks", name_th="เครื่องดื่ม", name_en="Drinks")
    snacks = CategoryFactory(slug="snacks", name_th="ขนม", name_en="Snacks")
    north = EnterpriseFactory(province_code="50")
    east = EnterpriseFactory(province_code="21")
    ProductFactory(slug="jar-coffee", enterprise=north, category=drinks, name_th="กาแฟคั่วโอ่ง",
                   name_en="Jar-roasted coffee", sales_count=30)
    ProductFactory(slug="coffee-drip", enterprise=east, category=drinks, name_th="กาแฟดริปซอง",
                   name_en="Drip bag coffee", sales_count=10)
    ProductFactory(slug="coffee-cookies", enterprise=east, category=snacks, name_th="คุกกี้กาแฟ",
                   name_en="Coffee cookies", sales_count=5)
    rebuild(app)


def test_type_ahead_then_enter_then_facet(live_server, page, catalogue):
    page.goto(live_server + "/")
    box = page.locator("#site-search-q")
    box.click()
    box.press_sequentially("กาแ", delay=60)
    listbox = page.get_by_role("listbox")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.first.inner_text().startswith("กาแฟ")

    box.press("ArrowDown")
    first_id = options.first.get_attribute("id")
    assert box.get_attribute("aria-activedescendant") == first_id
    assert options.first.get_attribute("aria-selected") == "true"
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"

    box.fill("coffee")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=coffee"))
    hits = page.locator(".search-hit")
    assert hits.count() == 3
    assert page.locator(".search-hit mark").first.inner_text()

    snacks = page.locator('a.facet-option[data-facet="category"][data-value="snacks"]')
    assert snacks.locator(".facet-count").inner_text() == "1"
    drinks = page.locator('a.facet-option[data-facet="category"][data-value="drinks"]')
    assert drinks.locator(".facet-count").inner_text() == "2"
    drinks.click()
    page.wait_for_url(re.compile(r"category=drinks"))
    assert page.locator(".search-hit").count() == 2
    selected = page.locator('a.facet-option.is-selected[data-facet="category"]')
    assert selected.get_attribute("aria-current") == "true"
    # Province counts now reflect the drinks only.
    provinces = page.locator('a.facet-option[data-facet="province"] .facet-count').all_inner_texts()
    assert sorted(provinces) == ["1", "1"]
    selected.click()
    page.wait_for_url(lambda url: "category=" not in url)
    assert page.locator(".search-hit").count() == 3


def test_clicking_a_product_suggestion_opens_it(live_server, page, catalogue):
    page.goto(live_server + "/")
    box = page.locator("#site-search-q")
    box.click()
    box.press_sequentially("cookie", delay=40)
    product = page.locator('[role="option"].search-suggest-option--product').first
    product.wait_for(state="visible")
    product.click()
    page.wait_for_url(re.compile(r"/products/coffee-cookies"))


def test_filters_collapse_on_a_phone(live_server, page, catalogue):
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(live_server + "/search?q=coffee")
    filters = page.locator("details.search-filters")
    assert filters.get_attribute("open") is None
    assert not page.locator(".facet-option").first.is_visible()
    page.locator("summary.search-filters-toggle").click()
    assert page.locator(".facet-option").first.is_visible()
