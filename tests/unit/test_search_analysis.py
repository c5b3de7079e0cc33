"""Thai/English text analysis for search: segmentation, offsets, stemming, synonyms,
query cleaning and spelling correction, all offline."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shop.search.analysis import analyze, analyze_words, split_words, text_analyzer
from shop.search.highlight import highlight
from shop.search.query import (
    MAX_QUERY_CHARS,
    MAX_SLOTS,
    build_plan,
    clean_query,
    correct_query,
    load_synonyms,
    whoosh_query,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("กาแฟคั่วโอ่ง", ["กาแฟ", "คั่ว", "โอ่ง"]),
        ("มะนาวผง", ["มะนาว", "ผง"]),
        ("ข้าวกล้องปลอดสารพิษ", ["ข้าวกล้อง", "ปลอด", "สารพิษ"]),
        ("กาแฟcoffee", ["กาแฟ", "coffee"]),
        ("Jar-roasted coffee, 250g", ["Jar", "roasted", "coffee", "250g"]),
    ],
)
def test_thai_is_segmented_into_words_and_english_split_on_non_letters(text, words):
    assert [w for w, _, _ in split_words(text)] == words


def test_offsets_point_at_the_words_in_the_original_text():
    text = "ของดี กาแฟคั่วโอ่ง (coffee)"
    for word, start, end in split_words(text):
        assert text[start:end].strip() == word


def test_repetition_mark_and_punctuation_are_not_words():
    assert analyze("ดีๆ !!! *** ~~ (((") == ["ดี"]


def test_english_is_lowercased_and_stemmed_thai_left_alone():
    assert analyze("Roasted COFFEES กาแฟ") == ["roast", "coffe", "กาแฟ"]
    assert analyze_words("Roasted COFFEES") == ["roasted", "coffees"]


def test_full_width_and_zero_width_characters_are_normalised():
    assert analyze("ＣＯＦＦＥＥ") == ["coffe"]
    assert analyze("กา\u200bแฟ") == ["กาแฟ"]


def test_sara_am_is_kept_whole():
    # NFKC would split ำ into two characters and break words such as น้ำ.
    assert "น้ำ" in analyze_words("น้ำผึ้ง") or "น้ำผึ้ง" in analyze_words("น้ำผึ้ง")


def test_analyzer_is_picklable_for_the_index_schema():
    import pickle

    analyzer = text_analyzer()
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer


def test_segmenter_works_offline_and_writes_nothing_to_home(tmp_path):
    """A fresh interpreter with sockets disabled and HOME pointing at an empty folder."""
    home = tmp_path / "home"
    home.mkdir()
    data_dir = tmp_path / "pythainlp-data"
    script = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network disabled in this test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from shop.search.analysis import analyze
        from shop.thai import segmenter_name
        print(segmenter_name(), "|".join(analyze("กาแฟคั่วโอ่งมะนาวผง")))
        """
    )
    env = {**os.environ, "HOME": str(home), "PYTHAINLP_DATA": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("PYTHAINLP_OFFLINE", None)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                         cwd=ROOT, check=True)
    engine, words = out.stdout.strip().split(" ", 1)
    assert engine in ("nlpo3", "newmm")
    assert words.split("|") == ["กาแฟ", "คั่ว", "โอ่ง", "มะนาว", "ผง"]
    assert not (home / "pythainlp-data").exists()


# --- query plans ---------------------------------------------------------------------


def test_synonyms_expand_both_ways():
    thai = build_plan("กาแฟ")
    english = build_plan("coffee")
    assert {("กาแฟ",), ("coffe",)} <= {alt for slot in thai.slots for alt in slot.alternatives}
    # A Latin word also carries its romanised key (dropped at search time when the
    # word itself is an indexed word, as "coffee" is).
    assert {("กาแฟ",), ("coffe",), ("~cVf",)} <= {alt for slot in english.slots for alt in slot.alternatives}


def test_multi_word_synonyms_match_as_a_phrase_of_the_query():
    plan = build_plan("brown rice")
    assert len(plan.slots) == 1
    assert {("brown", "rice"), ("ข้าวกล้อง",)} <= set(plan.slots[0].alternatives)
    plan = build_plan("ข้าวกล้อง")
    assert {("brown", "rice"), ("ข้าวกล้อง",)} <= set(plan.slots[0].alternatives)


def test_thai_compound_query_becomes_one_slot_per_word():
    plan = build_plan("มะนาวผง")
    assert len(plan.slots) == 2
    assert {("มะนาว",), ("lime",)} <= set(plan.slots[0].alternatives)
    assert {("ผง",), ("powder",)} <= set(plan.slots[1].alternatives)


def test_synonym_groups_sharing_a_word_are_merged(tmp_path):
    path = tmp_path / "syn.csv"
    path.write_text("# comment\nอินทรีย์,organic\nออร์แกนิก,organic\n\n", encoding="utf-8")
    table = load_synonyms(path)
    assert len(table.groups) == 1
    assert set(table.groups[0]) == {("อินทรีย์",), ("organ",), ("ออร์แกนิก",)}


@pytest.mark.parametrize("raw", ["status:draft", "enterprise_id:1", "name:*", "*", "?", "~", "cofee~5", "((((",
                                 "a AND b OR NOT c", '"unterminated', "\\", "${}"])
def test_query_syntax_is_plain_text(raw):
    plan = build_plan(raw)
    query = whoosh_query(plan)
    text = str(query)
    # Only our fields, only plain terms: no wildcard, fuzzy or field the user chose.
    for klass in ("Wildcard", "Prefix", "FuzzyTerm", "Regex"):
        assert klass not in repr(query)
    assert "status:" not in text and "enterprise_id:" not in text


def test_query_is_cleaned_and_bounded():
    text, truncated = clean_query("กาแฟ\x00\x01  coffee\t\n" + "x" * 500)
    assert "\x00" not in text and "\x01" not in text
    assert len(text) <= MAX_QUERY_CHARS and truncated
    plan = build_plan(" ".join(f"word{i}" for i in range(50)))
    assert len(plan.slots) == MAX_SLOTS and plan.truncated
    assert build_plan("🙂🙂🙂").is_empty
    assert build_plan("\ud800 broken surrogate").slots  # unpaired surrogate dropped, words kept


# --- spelling ------------------------------------------------------------------------

LEXICON = {"coffee", "กาแฟ", "คั่ว", "โอ่ง", "มะนาว", "ผง", "lime", "powder"}


def _suggest(word, maxdist):
    """A stand-in for the index's corrector: the closest lexicon word sharing the first
    letter, within ``maxdist`` edits."""

    def distance(a, b):
        previous = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            current = [i]
            for j, cb in enumerate(b, 1):
                current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
            previous = current
        return previous[-1]

    candidates = [w for w in LEXICON if w[:1] == word[:1] and distance(w, word.lower()) <= maxdist]
    return min(candidates, key=lambda w: distance(w, word.lower())) if candidates else None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("cofee", "coffee"),
        ("Coffe", "coffee"),
        ("lime powdr", "lime powder"),
        ("กาแฝ", "กาแฟ"),
        ("กาแฝคั่ว", "กาแฟคั่ว"),
    ],
)
def test_misspelt_words_are_corrected_from_the_lexicon(typed, expected):
    correction = correct_query(typed, LEXICON.__contains__, _suggest)
    assert correction.changed
    assert correction.text.lower() == expected


def test_known_words_are_left_alone():
    correction = correct_query("coffee กาแฟ", LEXICON.__contains__, _suggest)
    assert not correction.changed


# --- highlighting --------------------------------------------------------------------


def test_highlight_marks_matched_words_and_escapes_the_rest():
    html = str(highlight("<b>กาแฟคั่วโอ่ง</b> & Roasted coffee", {"กาแฟ", "coffe", "roast"}))
    assert html == "&lt;b&gt;<mark>กาแฟ</mark>คั่วโอ่ง&lt;/b&gt; &amp; <mark>Roasted</mark> <mark>coffee</mark>"


def test_adjacent_thai_matches_share_one_mark():
    assert str(highlight("มะนาวผง", {"มะนาว", "ผง"})) == "<mark>มะนาวผง</mark>"
