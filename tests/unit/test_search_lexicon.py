"""The bilingual lexicon (shop/search/lexicon.csv) and the word machinery around it:
parts of compounds, tone-less spellings, romanised keys, filler words."""

from __future__ import annotations

import csv

import pytest

from shop.search.analysis import (
    analyze,
    best_split,
    fold_thai,
    roman_key,
    split_words,
    sub_words,
    thai_dictionary,
    thai_roman_keys,
)
from shop.search.query import ROMAN, SYNONYMS_FILE, build_plan, fold_segment, load_synonyms
from shop.thai import is_thai


def _rows() -> list[list[str]]:
    with open(SYNONYMS_FILE, encoding="utf-8", newline="") as fh:
        return [row for row in csv.reader(fh) if row and not row[0].lstrip().startswith("#")]


def test_the_lexicon_has_several_hundred_groups_thai_first():
    rows = _rows()
    assert len(rows) >= 300
    for row in rows:
        assert len(row) >= 2, row
        assert is_thai(row[0]), row  # Thai first
        assert any(term.strip().isascii() for term in row[1:]), row  # and an English or romanised name


def test_every_term_analyses_to_words():
    for row in _rows():
        for term in row:
            assert term == term.strip() and term, row
            tokens = analyze(term)
            assert tokens, term
            assert all(tokens), term


def test_thai_terms_segment_into_known_words():
    """A Thai term the segmenter cuts into unknown single letters would match junk."""
    words = thai_dictionary()
    for row in _rows():
        for term in row:
            if not is_thai(term):
                continue
            for word, _start, _end in split_words(term):
                assert len(word) >= 2 or word in words, (term, word)


def test_no_term_is_listed_twice_in_one_group():
    for row in _rows():
        assert len(row) == len(set(row)), row


def test_merged_groups_stay_small():
    """Groups sharing a term merge; a shared word used by accident would chain whole
    families of products together."""
    table = load_synonyms()
    assert max(len(group) for group in table.groups) <= 12


def test_parts_of_compounds_come_from_whole_segmentations():
    assert {"ผ้า", "ซิ่น", "ตีน", "จก", "ตีนจก"} <= set(sub_words("ผ้าซิ่นตีนจก"))
    assert set(sub_words("ขาวม้า")) == {"ขาว", "ม้า"}  # never ขา: the rest is no word
    assert sub_words("กา") == ()
    assert best_split("ส้มตำ") == ("ส้ม", "ตำ")


def test_tone_less_spelling_and_folded_segmentation():
    assert fold_thai("ไส้อั่ว") == fold_thai("ไสอัว") == "ไสอัว"
    assert fold_thai("น้ำ") == "นา"
    folded = {fold_thai(w): w for w in ("น้ำผึ้ง", "ไส้อั่ว", "ข้าว", "เหนียว")}
    assert fold_segment("นาผึง", folded) == "น้ำผึ้ง"
    assert fold_segment("ขาวเหนียว", folded) == "ข้าวเหนียว"
    assert fold_segment("โทรศัพท์", folded) is None


@pytest.mark.parametrize(("informal", "thai"), [
    ("somtum", "ส้มตำ"), ("khaosoi", "ข้าวซอย"), ("krajood", "กระจูด"), ("thurian", "ทุเรียน"),
    ("ngob", "งอบ"), ("mangkhut", "มังคุด"), ("kanompia", "ขนมเปี๊ยะ"),
])
def test_informal_romanised_spellings_reach_the_thai_word(informal, thai):
    assert roman_key(informal) in thai_roman_keys(thai)


def test_roman_keys_ignore_spaces_doubled_letters_and_aspiration():
    assert roman_key("som tam") == roman_key("somtum")
    assert roman_key("noom") == roman_key("num")
    assert roman_key("teen jok") == roman_key("tin chok")
    assert roman_key("") == ""


def test_filler_words_and_numbers_are_optional():
    plan = build_plan("อยากได้ผ้าซิ่นแท้ๆ")
    required = [slot for slot in plan.slots if not slot.optional]
    assert [slot.alternatives[0] for slot in required] == [("ผ้าซิ่น",)]
    plan = build_plan("really good fish sauce 3")
    assert [s.optional for s in plan.slots][-1] is True
    assert any(not s.optional for s in plan.slots)


def test_latin_words_carry_a_romanised_alternative():
    plan = build_plan("kratip")
    assert (ROMAN + roman_key("kratip"),) in plan.slots[0].alternatives
    assert all(not alt[0].startswith(ROMAN) for alt in build_plan("กระติบ").slots[0].alternatives)


def test_a_synonym_of_a_part_of_a_compound_query_word():
    # ผ้าไหมมัดหมี่ is not in the lexicon; its part ผ้าไหม is, so "silk" + มัดหมี่ matches.
    plan = build_plan("ผ้าไหมมัดหมี่")
    alternatives = {alt for slot in plan.slots for alt in slot.alternatives}
    assert any("silk" in alt for alt in alternatives) or len(plan.slots) > 1
