"""Money as integer satang (1 baht = 100 satang), and its one conversion for display.

No floats anywhere: amounts are ``int`` satang in the database, in services and in
forms once parsed. ``format_baht`` is the single place that turns satang into text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal

SATANG_PER_BAHT = 100
_BAHT_RE = re.compile(r"^\s*([0-9]{1,12})(?:\.([0-9]{1,2}))?\s*$")


class MoneyParseError(ValueError):
    """Text that is not an amount of baht with at most two decimals."""


def baht_to_satang(text: str | int) -> int:
    """Parse ``"120"``, ``"120.5"`` or ``"1,250.75"`` baht into satang.

    Raises MoneyParseError for negatives, more than two decimals, or anything else.
    """
    if isinstance(text, bool):
        raise MoneyParseError(text)
    if isinstance(text, int):
        return text * SATANG_PER_BAHT
    cleaned = str(text).replace(",", "").replace("฿", "").strip()
    match = _BAHT_RE.match(cleaned)
    if not match:
        raise MoneyParseError(text)
    whole, fraction = match.groups()
    return int(whole) * SATANG_PER_BAHT + int((fraction or "0").ljust(2, "0"))


def satang_to_decimal(satang: int) -> Decimal:
    return Decimal(int(satang)) / SATANG_PER_BAHT


def satang_to_input(satang: int | None) -> str:
    """Satang as the plain text a price field shows for editing: ``12050`` -> ``"120.50"``."""
    if satang is None:
        return ""
    whole, fraction = divmod(int(satang), SATANG_PER_BAHT)
    return f"{whole}.{fraction:02d}" if fraction else str(whole)


def format_baht(satang: int | None, locale: str = "th") -> str:
    """``12000`` -> ``"฿120"``; ``12050`` -> ``"฿120.50"``, grouped for the locale."""
    if satang is None:
        return ""
    return _format_baht(int(satang), str(locale))


@lru_cache(maxsize=8192)
def _format_baht(satang: int, locale: str) -> str:
    # Memoised: Babel's formatting costs ~0.1 ms, and a results page shows dozens of
    # prices from a small set.
    amount = satang_to_decimal(satang)
    pattern = "#,##0" if satang % SATANG_PER_BAHT == 0 else "#,##0.00"
    sign = "-" if satang < 0 else ""
    return f"{sign}฿{format_decimal(abs(amount), format=pattern, locale=locale)}"


def percent_of(satang: int, basis_points: int) -> int:
    """``basis_points`` (1/100 of a percent) of an amount, rounded half up, in satang."""
    return (int(satang) * int(basis_points) + 5_000) // 10_000
