"""Cells of the CSV files people open in Excel or Google Sheets.

Every CSV export goes through here: text that a spreadsheet would run as a formula is
quoted, and money is written as plain baht with two decimals (integer arithmetic).
"""

from __future__ import annotations

# Spreadsheets run cells that start with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Text as a spreadsheet will show it, never run as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def baht_cell(satang: int | None) -> str:
    """Satang as a plain decimal accounting software reads: ``-12345`` -> ``"-123.45"``."""
    if satang is None:
        return ""
    sign = "-" if satang < 0 else ""
    whole, fraction = divmod(abs(int(satang)), 100)
    return f"{sign}{whole}.{fraction:02d}"
