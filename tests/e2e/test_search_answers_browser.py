"""The results page for a romanised query and for a thing the market does not sell,
in a real browser."""

from __future__ import annotations

import os

import pytest

from shop.search.indexer import rebuild
from tests.factories import CategoryFactory, EnterpriseFactory, ProductFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def catalogue(app):
    food = CategoryFactory(slug="food", name_th="อาหาร", name_en="Food")
    crafts = CategoryFactory(slug="crafts", name_th="หัตถกรรม", name_en="Crafts")
    isan = EnterpriseFactory(province_code="40")
    ProductFactory(slug="som-tam-kit", enterprise=isan, category=food, name_th="ชุดส้มตำไทยพร้อมปรุง", name_en=None,
                   summary_en=None, description_en=None, sales_count=3)
    ProductFactory(slug="sticky-rice-basket", enterprise=isan, category=crafts, name_th="กระติบข้าวเหนียว",
                   name_en="Sticky-rice basket", sales_count=8)
    rebuild(app)


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_romanised_query_shows_the_thai_product(live_server, page, catalogue):
    page.goto(live_server + "/search?q=somtum")
    first = page.locator(".search-hit").first
    first.wait_for()
    assert "/products/som-tam-kit" in first.locator("a").first.get_attribute("href")
    _shot(page, "search-somtum.png")


def test_a_thing_we_do_not_sell_offers_categories(live_server, page, catalogue):
    page.goto(live_server + "/search?q=iphone+15&lang=en")
    assert page.locator(".search-hit").count() == 0
    assert page.get_by_text("The market may not sell it").is_visible()
    chips = page.locator(".search-suggestions a.chip")
    assert chips.count() >= 1
    _shot(page, "search-nothing.png")
