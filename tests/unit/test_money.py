import pytest

from shop.money import MoneyParseError, baht_to_satang, format_baht, percent_of, satang_to_input


@pytest.mark.parametrize(
    ("text", "satang"),
    [("120", 12000), ("120.5", 12050), ("120.50", 12050), ("1,250.75", 125075), ("฿99", 9900), ("0", 0), (7, 700)],
)
def test_baht_to_satang_parses_amounts(text, satang):
    assert baht_to_satang(text) == satang


@pytest.mark.parametrize("text", ["-1", "1.234", "abc", "", "1e3", "12.", ".5", True, "๑๒๐"])
def test_baht_to_satang_refuses_anything_else(text):
    with pytest.raises(MoneyParseError):
        baht_to_satang(text)


def test_format_baht_drops_zero_satang_and_groups_thousands():
    assert format_baht(12000) == "฿120"
    assert format_baht(123456789) == "฿1,234,567.89"
    assert format_baht(12050, "en") == "฿120.50"
    assert format_baht(None) == ""


def test_satang_to_input_round_trips():
    for satang in (0, 5, 12000, 12050, 99999):
        assert baht_to_satang(satang_to_input(satang)) == satang


def test_percent_of_rounds_half_up_in_integers():
    assert percent_of(10000, 500) == 500
    assert percent_of(199, 500) == 10  # 9.95 -> 10
    assert isinstance(percent_of(333, 333), int)
