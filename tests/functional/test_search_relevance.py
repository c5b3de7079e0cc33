"""Search over a small catalogue built here: Thai and English queries, synonyms,
spelling, facets, sorting, freshness through the outbox, and what must never show."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from shop.catalog import status
from shop.extensions import db
from shop.search import indexer
from shop.search.indexer import drain, rebuild
from shop.search.models import SearchOutbox
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    EnterpriseFactory,
    ProductFactory,
    TagFactory,
    VariantFactory,
    WholesaleTierFactory,
)
from tests.status_helpers import move_listing, suspend_enterprise


def index_now(app):
    """Drain the outbox as the indexer would. The test's own session first ends its
    transaction: on SQLite an open write transaction would hold the lock the indexer
    needs (the web app commits before the indexer runs, too)."""
    db.session.commit()
    return drain(app)


def result_slugs(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'class="search-hit" data-product-id="\d+">\s*<a class="search-hit-link" href="/products/([^"]+)"',
                      html)


def search(client, q: str = "", **params):
    query = "&".join([f"q={quote(q)}"] + [f"{k}={quote(str(v))}" for k, v in params.items()])
    return client.get(f"/search?{query}")


@pytest.fixture
def catalogue(app):
    coffee_cat = CategoryFactory(slug="coffee-tea", name_th="กาแฟและชา", name_en="Coffee and tea")
    food = CategoryFactory(slug="food", name_th="อาหาร", name_en="Food")
    mae_jaem = EnterpriseFactory(name_th="วิสาหกิจชุมชนกาแฟบ้านแม่แจ่ม", name_en="Ban Mae Jaem Coffee Group",
                                 village="บ้านแม่แจ่ม", province_code="50")
    paen_tai = EnterpriseFactory(name_th="วิสาหกิจชุมชนบ้านแพนใต้", name_en="Ban Paen Tai Lime Group",
                                 village="บ้านแพนใต้", province_code="36")
    chae_khon = EnterpriseFactory(name_th="วิสาหกิจชุมชนบ้านแจ้คอน", name_en="Ban Chae Khon Farmers",
                                  village="บ้านแจ้คอน", province_code="52")
    pending = EnterpriseFactory(status=status.ENTERPRISE_PENDING, province_code="50")

    products = {
        "coffee": ProductFactory(
            slug="jar-roasted-coffee", enterprise=mae_jaem, category=coffee_cat,
            name_th="กาแฟคั่วโอ่งบ้านแม่แจ่ม", name_en="Jar-roasted coffee from Ban Mae Jaem",
            summary_th="กาแฟอาราบิก้าคั่วในโอ่งดิน", summary_en="Arabica roasted in clay jars",
            min_price_satang=25000, sales_count=40),
        "ground": ProductFactory(
            slug="ground-coffee", enterprise=mae_jaem, category=coffee_cat,
            name_th="กาแฟบดละเอียด", name_en="Fine ground coffee", min_price_satang=18000, sales_count=5),
        "lime-powder": ProductFactory(
            slug="lime-powder", enterprise=paen_tai, category=food,
            name_th="มะนาวผงบ้านแพนใต้", name_en="Lime powder from Ban Paen Tai",
            min_price_satang=9000, sales_count=12),
        "lime-juice": ProductFactory(
            slug="lime-juice", enterprise=paen_tai, category=food,
            name_th="น้ำมะนาวแท้บรรจุขวด", name_en="Bottled pure lime juice", min_price_satang=6000),
        "brown-rice": ProductFactory(
            slug="brown-rice", enterprise=chae_khon, category=food,
            name_th="ข้าวกล้องปลอดสารพิษ", name_en="Pesticide-free brown rice", min_price_satang=15000),
        "honey": ProductFactory(  # Thai text only: found in English through synonyms
            slug="wild-honey", enterprise=chae_khon, category=food,
            name_th="น้ำผึ้งป่าเดือนห้า", name_en=None, description_en=None, description_th="น้ำผึ้งจากป่าชุมชน",
            min_price_satang=32000),
        "draft": ProductFactory(
            slug="secret-drip-coffee", enterprise=mae_jaem, category=coffee_cat, status=status.DRAFT,
            name_th="กาแฟดริปสูตรลับ", name_en="Secret drip coffee"),
        "hidden": ProductFactory(
            slug="pending-coffee", enterprise=pending, category=coffee_cat,
            name_th="กาแฟรอตรวจ", name_en="Unapproved enterprise coffee"),
    }
    TagFactory(product=products["coffee"], tag="กาแฟ")
    TagFactory(product=products["coffee"], tag="arabica")
    variant = VariantFactory(product=products["coffee"], price_satang=25000)
    WholesaleTierFactory(variant=variant)
    CertificationFactory(enterprise=paen_tai, product=products["lime-powder"], kind="organic", number=None)
    rebuild(app)
    return products


def test_thai_query_finds_the_thai_product(client, catalogue):
    slugs = result_slugs(search(client, "กาแฟ"))
    assert "jar-roasted-coffee" in slugs and "ground-coffee" in slugs
    assert "lime-powder" not in slugs


def test_english_query_finds_the_same_products(client, catalogue):
    assert set(result_slugs(search(client, "coffee"))) == set(result_slugs(search(client, "กาแฟ")))


@pytest.mark.parametrize("q", ["มะนาวผง", "lime powder", "Lime Powder", "มะนาว ผง"])
def test_lime_powder_in_either_language(client, catalogue, q):
    assert result_slugs(search(client, q))[0] == "lime-powder"


@pytest.mark.parametrize("q", ["ข้าวกล้อง", "brown rice"])
def test_brown_rice_in_either_language(client, catalogue, q):
    assert result_slugs(search(client, q)) == ["brown-rice"]


def test_synonym_matches_across_languages(client, catalogue):
    assert result_slugs(search(client, "honey")) == ["wild-honey"]
    assert result_slugs(search(client, "น้ำผึ้ง")) == ["wild-honey"]


def test_mixed_thai_and_english_query(client, catalogue):
    assert result_slugs(search(client, "กาแฟ arabica")) == ["jar-roasted-coffee"]


@pytest.mark.parametrize(("typo", "expected"), [("cofee", "jar-roasted-coffee"), ("กาแฝ", "jar-roasted-coffee"),
                                                ("lime powdr", "lime-powder")])
def test_one_letter_typo_is_corrected(client, catalogue, typo, expected):
    response = search(client, typo)
    assert response.status_code == 200
    assert expected in result_slugs(response)
    assert "Showing results for" in response.get_data(as_text=True) or "แสดงผลสำหรับ" in response.get_data(as_text=True)


def test_did_you_mean_is_offered_when_few_results(app, client, catalogue):
    from shop.search import services

    with app.test_request_context("/search"):
        page = services.search(services.parse_params({"q": "cofee"}))
    assert page.corrected_from == "cofee" and page.query == "coffee"


def test_results_are_highlighted_and_escaped(client, catalogue):
    html = search(client, "มะนาวผง", lang="th").get_data(as_text=True)
    assert "<mark>มะนาวผง</mark>" in html
    html = search(client, "<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_drafts_and_unapproved_enterprises_are_never_returned(client, catalogue):
    for q in ["กาแฟดริปสูตรลับ", "Secret drip coffee", "secret", "กาแฟรอตรวจ", "Unapproved", "coffee", ""]:
        slugs = result_slugs(search(client, q))
        assert "secret-drip-coffee" not in slugs and "pending-coffee" not in slugs


@pytest.mark.parametrize("q", ["status:draft", "status:live", "enterprise_id:1", "name:*", "slug:secret*",
                               "id:[0 TO 99999]"])
def test_field_syntax_is_plain_text(client, catalogue, q):
    response = search(client, q)
    assert response.status_code == 200
    assert "secret-drip-coffee" not in result_slugs(response)


def test_paused_product_disappears_after_the_outbox_drains(app, client, catalogue):
    product = catalogue["lime-powder"]
    move_listing(product, status.PAUSED)
    db.session.commit()
    assert db.session.scalar(select(func.count(SearchOutbox.id))) >= 1
    # The index is behind until the outbox is drained; the page still hides the product
    # because it re-checks visibility in the database.
    assert "lime-powder" not in result_slugs(search(client, "lime powder"))
    result = index_now(app)
    assert result.removed >= 1 and result.rows >= 1
    # The log keeps its rows (other hosts follow it too); this host's index has
    # applied them all.
    assert indexer.watermark_of(app.config["SEARCH_INDEX_DIR"]) == db.session.scalar(select(func.max(SearchOutbox.id)))
    assert client.get("/healthz").get_json()["search_index"]["pending"] == 0
    assert "lime-powder" not in result_slugs(search(client, "lime"))
    move_listing(product, status.LIVE)
    db.session.commit()
    index_now(app)
    assert "lime-powder" in result_slugs(search(client, "lime"))


def test_new_and_edited_products_show_without_rebuild(app, client, catalogue):
    new = ProductFactory(slug="banana-chips", name_th="กล้วยตากบ้านบางกระทุ่ม", name_en="Sun-dried banana")
    index_now(app)
    assert result_slugs(search(client, "banana")) == ["banana-chips"]
    new.name_en = "Sun-dried plantain"
    db.session.commit()
    index_now(app)
    assert result_slugs(search(client, "plantain")) == ["banana-chips"]
    db.session.delete(new)
    db.session.commit()
    index_now(app)
    assert result_slugs(search(client, "plantain")) == []


def test_enterprise_suspension_removes_its_products(app, client, catalogue):
    enterprise = catalogue["coffee"].enterprise
    suspend_enterprise(enterprise)
    db.session.commit()
    index_now(app)
    assert result_slugs(search(client, "coffee")) == []


def test_price_change_resorts(app, client, catalogue):
    assert result_slugs(search(client, "coffee", sort="price_asc")) == ["ground-coffee", "jar-roasted-coffee"]
    product = catalogue["coffee"]
    product.variants[0].price_satang = 9900
    product.min_price_satang = 9900
    db.session.commit()
    index_now(app)
    assert result_slugs(search(client, "coffee", sort="price_asc")) == ["jar-roasted-coffee", "ground-coffee"]
    assert result_slugs(search(client, "coffee", sort="price_desc")) == ["ground-coffee", "jar-roasted-coffee"]


def test_other_sorts(client, catalogue):
    assert result_slugs(search(client, "coffee", sort="bestselling")) == ["jar-roasted-coffee", "ground-coffee"]
    assert len(result_slugs(search(client, "", sort="newest"))) == 6


def test_facets_filter_and_count(client, catalogue):
    html = search(client, "").get_data(as_text=True)
    assert re.search(r'data-facet="category" data-value="food"[^>]*>\s*<span class="facet-label">[^<]*</span>\s*'
                     r'<span class="facet-count">4</span>', html)
    assert result_slugs(search(client, "", category="food", sort="price_asc")) == [
        "lime-juice", "lime-powder", "brown-rice", "wild-honey"]
    assert result_slugs(search(client, "", province="chiang-mai")) == ["jar-roasted-coffee", "ground-coffee"]
    assert result_slugs(search(client, "", cert="organic")) == ["lime-powder"]
    assert set(result_slugs(search(client, "", price="under-100"))) == {"lime-powder", "lime-juice"}
    assert result_slugs(search(client, "", wholesale="1")) == ["jar-roasted-coffee"]
    assert result_slugs(search(client, "lime", category="coffee-tea")) == []


def test_empty_and_no_hit_queries_get_suggestions(client, catalogue):
    html = search(client, "qqqqzzzz").get_data(as_text=True)
    assert "Popular categories" in html or "หมวดหมู่ยอดนิยม" in html
    assert "/categories/food" in html


@pytest.mark.parametrize(("params", "message"), [
    ({"category": "../../etc"}, "category"),
    ({"category": "no-such-category"}, "category"),
    ({"province": "atlantis"}, "province"),
    ({"cert": "bogus"}, "certification"),
    ({"price": "cheap"}, "price"),
    ({"wholesale": "yes"}, "wholesale"),
    ({"sort": "random"}, "sort"),
    ({"page": "0"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": "99999999999999999999"}, "page"),
])
def test_bad_facet_values_are_a_clear_400(client, catalogue, params, message):
    response = client.get("/search?q=coffee&lang=en&" + "&".join(f"{k}={quote(v)}" for k, v in params.items()))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).lower()


def test_pagination(app, client, catalogue):
    from shop.search import services

    for i in range(services.PER_PAGE + 3):
        ProductFactory(slug=f"chili-{i}", name_th=f"น้ำพริกสูตร {i}", name_en=f"Chili paste recipe {i}")
    index_now(app)
    first = result_slugs(search(client, "chili paste"))
    second = result_slugs(search(client, "chili paste", page=2))
    assert len(first) == services.PER_PAGE and len(second) == 3
    assert not set(first) & set(second)
    assert result_slugs(search(client, "chili paste", page=5)) == []


def test_suggestions_endpoint(client, catalogue):
    body = client.get("/search/suggest?q=" + quote("กาแ")).get_json()
    texts = [s["text"] for s in body["suggestions"]]
    assert "กาแฟ" in texts
    assert any(s["kind"] == "product" and s["url"] == "/products/jar-roasted-coffee" for s in body["suggestions"])
    body = client.get("/search/suggest?q=cof").get_json()
    assert body["suggestions"][0]["text"] == "coffee"
    assert all("secret" not in s["url"] for s in body["suggestions"])
    assert client.get("/search/suggest?q=").get_json()["suggestions"] == []
    assert client.get("/search/suggest?q=" + "x" * 3000).status_code == 400


def test_healthz_names_the_search_index(client, catalogue):
    body = client.get("/healthz").get_json()
    report = body["search_index"]
    assert report["ok"] is True and report["state"] == "ok"
    assert report["documents"] == 6
    assert report["pending"] == 0


def test_reindex_command_and_if_missing(app, runner, catalogue):
    result = runner.invoke(args=["search", "reindex", "--if-missing"])
    assert "nothing to do" in result.output
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 6 products" in result.output


def test_missing_index_is_reported_and_rebuilt(app, client, runner):
    ProductFactory(slug="lonely", name_en="Lonely product")
    body = client.get("/healthz").get_json()
    assert body["search_index"]["state"] == "missing" and body["search_index"]["ok"] is False
    response = search(client, "lonely")
    assert response.status_code == 503
    result = runner.invoke(args=["search", "reindex", "--if-missing"])
    assert "Indexed 1 products" in result.output
    assert result_slugs(search(client, "lonely")) == ["lonely"]


def test_corrupt_index_is_reported_and_rebuilt(app, client, runner, catalogue):
    from pathlib import Path

    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    for toc in index_dir.glob("_products_*.toc"):
        toc.write_bytes(b"not a table of contents")
    from shop.search.indexer import handle_for

    handle_for(app).forget()
    body = client.get("/healthz").get_json()
    assert body["search_index"]["ok"] is False
    assert search(client, "coffee").status_code == 503
    result = runner.invoke(args=["search", "reindex", "--if-missing"])
    assert "Indexed 6 products" in result.output
    assert "jar-roasted-coffee" in result_slugs(search(client, "coffee"))


def test_failed_index_commit_keeps_the_outbox_rows_for_replay(app, client, catalogue, monkeypatch):
    from shop.search import indexer

    product = catalogue["lime-juice"]
    product.name_en = "Bottled key lime juice"
    db.session.commit()
    pending = db.session.scalar(select(func.count(SearchOutbox.id)))
    db.session.commit()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(indexer, "product_document", broken)
    mark = indexer.watermark_of(app.config["SEARCH_INDEX_DIR"])
    with pytest.raises(OSError):
        index_now(app)
    assert db.session.scalar(select(func.count(SearchOutbox.id))) == pending
    assert indexer.watermark_of(app.config["SEARCH_INDEX_DIR"]) == mark  # nothing counted as applied
    db.session.commit()
    monkeypatch.undo()
    index_now(app)
    assert result_slugs(search(client, "key lime")) == ["lime-juice"]


def test_inline_mode_indexes_on_commit(app, client, catalogue):
    from shop.search.indexer import state_for

    state_for(app).mode = "inline"
    ProductFactory(slug="indigo-scarf", name_th="ผ้าพันคอย้อมคราม", name_en="Indigo-dyed scarf")
    assert result_slugs(search(client, "scarf")) == ["indigo-scarf"]
    assert result_slugs(search(client, "ผ้าพันคอ")) == ["indigo-scarf"]


def test_an_empty_catalogue_searches_without_error(app, client, runner):
    result = runner.invoke(args=["search", "reindex"])
    assert "Indexed 0 products" in result.output
    response = search(client, "coffee")
    assert response.status_code == 200 and result_slugs(response) == []
    assert search(client, "").status_code == 200
    assert client.get("/search/suggest?q=co").get_json()["suggestions"] == []
    assert client.get("/healthz").get_json()["search_index"]["ok"] is True


def test_thread_mode_indexes_within_seconds_of_a_commit(app, client, catalogue):
    import time

    from shop.search.indexer import ensure_thread, state_for, stop_thread

    state_for(app).mode = "thread"
    ensure_thread(app)
    try:
        ProductFactory(slug="sticky-rice", name_th="ข้าวเหนียวเขี้ยวงู", name_en="Sticky rice")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and result_slugs(search(client, "sticky rice")) != ["sticky-rice"]:
            db.session.commit()
            time.sleep(0.05)
        assert result_slugs(search(client, "sticky rice")) == ["sticky-rice"]
    finally:
        stop_thread(app)


def test_worker_drain_and_status_commands(app, client, runner, catalogue):
    import json

    ProductFactory(slug="clay-pot", name_en="Clay cooking pot")
    db.session.commit()
    status_report = json.loads(runner.invoke(args=["search", "status"]).output)
    assert status_report["pending"] >= 1 and status_report["state"] == "ok"
    result = runner.invoke(args=["search", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result_slugs(search(client, "cooking pot")) == ["clay-pot"]
    assert json.loads(runner.invoke(args=["search", "status"]).output)["pending"] == 0
    result = runner.invoke(args=["search", "drain"])
    assert "Applied 0 outbox rows" in result.output
