"""The home page's shared sections are kept rendered for a few seconds per language."""

from __future__ import annotations

import pytest

from shop.cache import FragmentCache
from tests.factories import ProductFactory


def test_a_fragment_is_rendered_once_within_its_lifetime_and_again_after():
    cache = FragmentCache()
    calls = []

    def render():
        calls.append(1)
        return f"<p>{len(calls)}</p>"

    assert cache.get_or_render("k", render, ttl=60) == "<p>1</p>"
    assert cache.get_or_render("k", render, ttl=60) == "<p>1</p>"
    assert cache.get_or_render("other", render, ttl=60) == "<p>2</p>"
    assert cache.get_or_render("k", render, ttl=0) == "<p>3</p>"  # 0 never caches
    assert len(calls) == 3


@pytest.fixture
def cached_app_config(app_config):
    app_config["FRAGMENT_CACHE_SECONDS"] = 60
    return app_config


def test_home_sections_are_cached_per_language(cached_app_config, app, client):
    ProductFactory(name_th="กาแฟคั่วโอ่ง", name_en="Jar-roasted coffee")
    assert "กาแฟคั่วโอ่ง" in client.get("/").get_data(as_text=True)
    ProductFactory(name_th="ข้าวกล้องหอมมะลิ", name_en="Jasmine brown rice")

    thai = client.get("/").get_data(as_text=True)
    assert "ข้าวกล้องหอมมะลิ" not in thai  # still the cached sections
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Jasmine brown rice" in english  # English has its own entry
    assert 'lang="en"' in english

    app.extensions["chumchon_fragments"].clear()
    assert "ข้าวกล้องหอมมะลิ" in client.get("/?lang=th").get_data(as_text=True)
