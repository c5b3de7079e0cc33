"""What the search answers, class by class (docs/search.md, "Answers"): parts of
compound words, natural phrases, romanised Thai, the lexicon across languages, typos
and tone-less spelling, ranking, and nothing rather than junk."""

from __future__ import annotations

import pytest

from shop.search.indexer import rebuild
from tests.factories import CategoryFactory, EnterpriseFactory, ProductFactory, TagFactory
from tests.functional.test_search_relevance import result_slugs, search


@pytest.fixture
def shelves(app):
    textiles = CategoryFactory(slug="textiles", name_th="ผ้าและเครื่องแต่งกาย", name_en="Textiles")
    food = CategoryFactory(slug="food", name_th="อาหาร", name_en="Food")
    drinks = CategoryFactory(slug="coffee-tea", name_th="กาแฟและชา", name_en="Coffee and tea")
    north = EnterpriseFactory(name_th="กลุ่มทอผ้าบ้านท่าผา", name_en="Ban Tha Pha Weavers", village="บ้านท่าผา",
                              province_code="50")
    isan = EnterpriseFactory(name_th="ครัวบ้านโนนสูง", name_en="Ban Non Sung Kitchen", village="บ้านโนนสูง",
                             province_code="40")
    products = {
        "sarong": ProductFactory(slug="teen-jok-sarong", enterprise=north, category=textiles, sales_count=3,
                                 name_th="ผ้าซิ่นตีนจกแม่แจ่ม", name_en=None, summary_en=None, description_en=None,
                                 summary_th="ผ้าทอมือ", description_th="ทอมือ"),
        "som-tam": ProductFactory(slug="som-tam-kit", enterprise=isan, category=food, sales_count=10,
                                  name_th="ชุดส้มตำไทยพร้อมปรุง", name_en=None, summary_en=None, description_en=None,
                                  summary_th="มะละกอ", description_th="มะละกอสับ"),
        "sai-ua": ProductFactory(slug="sai-ua", enterprise=north, category=food, sales_count=5,
                                 name_th="ไส้อั่วสมุนไพร", name_en=None, summary_en=None, description_en=None,
                                 summary_th="ไส้อั่วหมู", description_th="ย่างเตาถ่าน"),
        "new-tea": ProductFactory(slug="butterfly-pea-tea", enterprise=isan, category=drinks, sales_count=0,
                                  name_th="ชาดอกอัญชัน", name_en="Butterfly pea tea", summary_en="Blue flower tea",
                                  summary_th="ชาสีฟ้า", description_th="ดอกอัญชันตากแห้ง", description_en="Dried flowers"),
        "old-coffee": ProductFactory(slug="best-selling-coffee", enterprise=north, category=drinks, sales_count=900,
                                     name_th="กาแฟคั่วเข้ม", name_en="Dark roast coffee", summary_en="Goes well with tea cakes",
                                     summary_th="กาแฟ", description_th="กาแฟคั่ว", description_en="Roasted coffee"),
        "rambutan": ProductFactory(slug="dried-rambutan", enterprise=isan, category=food, sales_count=50,
                                   name_th="เงาะอบแห้ง", name_en="Dried rambutan", summary_en="Sweet dried fruit",
                                   summary_th="เงาะ", description_th="เงาะโรงเรียน", description_en="Keeps for a year"),
    }
    TagFactory(product=products["sarong"], tag="ผ้าซิ่น")
    rebuild(app)
    return products


@pytest.mark.parametrize("q", ["ตีนจก", "ซิ่น", "ผ้าถุง", "sarong"])
def test_a_part_of_a_compound_or_its_synonym_finds_the_compound(client, shelves, q):
    assert result_slugs(search(client, q))[:1] == ["teen-jok-sarong"]


@pytest.mark.parametrize("q", ["อยากได้ผ้าซิ่นตีนจกแท้ๆ", "ผ้าซิ่นจากเชียงใหม่", "i want a really good sarong"])
def test_filler_and_place_words_do_not_filter(client, shelves, q):
    assert result_slugs(search(client, q))[:1] == ["teen-jok-sarong"]


@pytest.mark.parametrize("q", ["som tam", "somtum", "sai ua", "teen jok"])
def test_romanised_thai_finds_the_thai_name(client, shelves, q):
    expected = {"som tam": "som-tam-kit", "somtum": "som-tam-kit", "sai ua": "sai-ua", "teen jok": "teen-jok-sarong"}
    assert result_slugs(search(client, q))[:1] == [expected[q]]


@pytest.mark.parametrize("q", ["ไสอัว", "ไส้อัว", "ส้มตำไทบ"])
def test_tone_less_and_misspelt_thai_is_corrected(client, shelves, q):
    slugs = result_slugs(search(client, q))
    assert slugs and slugs[0] in {"sai-ua", "som-tam-kit"}


def test_a_category_name_does_not_match_every_product_in_it(client, shelves):
    # "tea" is in the category "Coffee and tea"; the coffee only mentions tea cakes.
    slugs = result_slugs(search(client, "tea"))
    assert slugs[0] == "butterfly-pea-tea"
    assert "dried-rambutan" not in slugs


def test_a_new_product_wins_on_its_own_name_over_a_best_seller(client, shelves):
    assert result_slugs(search(client, "ชา"))[0] == "butterfly-pea-tea"


def test_ties_are_ordered_the_same_way_every_time(client, shelves):
    first = result_slugs(search(client, "ผ้า"))
    assert first == result_slugs(search(client, "ผ้า"))


@pytest.mark.parametrize("q", ["iphone 15", "nike shoes", "plane ticket", "ตั๋วเครื่องบิน", "โทรศัพท์มือถือ"])
def test_nothing_rather_than_junk(client, shelves, q):
    response = search(client, q)
    assert response.status_code == 200
    assert result_slugs(response) == []
    html = response.get_data(as_text=True)
    assert "/categories/" in html or "/c/" in html or "search-suggestions" in html
