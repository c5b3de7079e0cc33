import pytest

from shop.catalog.certifications import (
    FDA,
    OTOP,
    format_fda_number,
    gtin13_is_valid,
    normalize_community_standard_number,
    normalize_fda_number,
    validate_certification,
)


def test_fda_number_accepts_grouped_and_plain_forms():
    assert normalize_fda_number("50-1-01234-1-0001") == "5010123410001"
    assert normalize_fda_number("5010123410001") == "5010123410001"
    assert format_fda_number("5010123410001") == "50-1-01234-1-0001"


@pytest.mark.parametrize("number", ["", "501012341000", "50101234100011", "99-1-01234-1-0001", "ab-1-01234-1-0001"])
def test_fda_number_refuses_wrong_form_or_unknown_province(number):
    assert normalize_fda_number(number) is None
    with pytest.raises(ValueError):
        validate_certification(FDA, number, None)


def test_community_standard_number():
    assert normalize_community_standard_number("มผช. 156/2559") == "มผช. 156/2559"
    assert normalize_community_standard_number("156/2559") == "มผช. 156/2559"
    assert normalize_community_standard_number("156/1999") is None


def test_otop_needs_one_to_five_stars():
    assert validate_certification(OTOP, None, 5) == (None, 5)
    for stars in (None, 0, 6):
        with pytest.raises(ValueError):
            validate_certification(OTOP, None, stars)


@pytest.mark.parametrize(("code", "valid"), [("8851234567892", False), ("4006381333931", True),
                                             ("885123456789", False), ("885123456789x", False)])
def test_gtin13_check_digit(code, valid):
    assert gtin13_is_valid(code) is valid
