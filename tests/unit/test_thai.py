"""Thai numbers and Thai writing (``shop.thai``): the one reading of Thai digits, phone
numbers and tax IDs that accounts, sellers, the cart and addresses share."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from shop import thai

# ---------------------------------------------------------------- digits


@pytest.mark.parametrize("typed, ascii", [
    ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
    (" ๕๐๑๘๐ ", "50180"),  # surrounding spaces go
    ("๑ 2-๓", "1 2-3"),  # inner separators stay: the callers decide
    ("abc", "abc"),
    ("", ""),
    (None, ""),
])
def test_ascii_digits(typed, ascii):
    assert thai.ascii_digits(typed) == ascii


def test_separators_are_spaces_dashes_dots_slashes_and_brackets():
    assert thai.SEPARATORS.sub("", "(081) 234-56.7/8") == "0812345678"


@pytest.mark.parametrize("text, answer", [("กาแฟ", True), ("coffee ๕", True), ("coffee 5", False), ("", False)])
def test_is_thai(text, answer):
    assert thai.is_thai(text) is answer


# ---------------------------------------------------------------- Thai phone numbers


@pytest.mark.parametrize("typed, stored", [
    ("081 234 5678", "0812345678"), ("+66 81 234 5678", "0812345678"), ("66812345678", "0812345678"),
    ("02-123-4567", "021234567"), ("๐๘๑๒๓๔๕๖๗๘", "0812345678"), ("(081) 234.5678", "0812345678"),
])
def test_thai_phones(typed, stored):
    assert thai.thai_phone_problem(typed) is None
    assert thai.normalize_thai_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "1812345678", "08123456789", "0812-345-67x", "", None])
def test_bad_thai_phones(typed):
    assert thai.thai_phone_problem(typed) is not None


def test_only_an_international_prefix_of_the_right_length_becomes_a_zero():
    # "66" starts a number only when 9 or 10 digits follow it; a local number may start with 66.
    assert thai.normalize_thai_phone("6681234567") == "6681234567"
    assert thai.normalize_thai_phone("+6621234567") == "021234567"


def test_thai_phone_message_is_thai_by_default(app):
    assert str(thai.thai_phone_problem("1")) == "กรอกเบอร์โทร 9 หรือ 10 หลักที่ขึ้นต้นด้วย 0 เช่น 081 234 5678"
    with force_locale("en"):
        assert "9 or 10 digits" in str(thai.thai_phone_problem("1"))


# ---------------------------------------------------------------- any phone number, kept as typed


@pytest.mark.parametrize("typed", ["081 234 5678", "+66 (81) 234-5678", "+44 20 7946 0958", "021234567"])
def test_phone_numbers_as_typed(typed):
    assert thai.looks_like_phone(typed)


@pytest.mark.parametrize("typed", ["call me", "12345678", "1234567890123", "๐๘๑๒๓๔๕๖๗๘", "081.234.5678", ""])
def test_not_phone_numbers(typed):
    assert not thai.looks_like_phone(typed)


# ---------------------------------------------------------------- tax and national IDs


def test_check_digit():
    # PTT Public Company Limited: 0107544000108.
    assert thai.thai_tax_id_check_digit("010754400010") == 8
    assert thai.thai_id_is_valid("3100101234566") and not thai.thai_id_is_valid("3100101234565")
    assert not thai.thai_id_is_valid("310010123456") and not thai.thai_id_is_valid("๓๑๐๐๑๐๑๒๓๔๕๖๖")


@pytest.mark.parametrize("typed, stored", [
    ("0105561234560", "0105561234560"), ("0 1055 61234 56 0", "0105561234560"),
    ("0-1055-61234-56-0", "0105561234560"),
])
def test_tax_ids(typed, stored):
    assert thai.tax_id_problem(typed) is None
    assert thai.normalize_tax_id(typed) == stored


@pytest.mark.parametrize("typed, reason", [
    ("0105561234567", "not valid"),  # wrong check digit
    ("010556123456", "13 digits"),
    ("๐๑๐๗๕๔๔๐๐๐๑๐๘", "13 digits"),  # Thai digits are not read in a tax ID
    ("0.1055.61234.56.0", "13 digits"),  # only spaces and dashes are taken out
    ("", "13 digits"),
    (None, "13 digits"),
])
def test_bad_tax_ids(app, typed, reason):
    with force_locale("en"):
        assert reason in str(thai.tax_id_problem(typed))


# ---------------------------------------------------------------- words


def test_segmenter_cuts_thai_into_words():
    assert thai.segmenter()("กาแฟคั่ว") == ["กาแฟ", "คั่ว"]
    assert thai.segmenter_name() in ("nlpo3", "newmm")


def test_thai_names_sort_in_dictionary_order():
    from shop.geo import province_choices
    from shop.thai import thai_sorted

    assert thai_sorted(["ลำปาง", "เชียงใหม่", "กรุงเทพมหานคร", "แพร่", "ชลบุรี"]) == [
        "กรุงเทพมหานคร", "ชลบุรี", "เชียงใหม่", "แพร่", "ลำปาง"]
    names = [name for _, name in province_choices("th")]
    assert names.index("เชียงใหม่") < names.index("ตรัง") < names.index("ลำปาง")
    assert names[0] == "กระบี่"
    english = [name for _, name in province_choices("en")]
    assert english == sorted(english)
