"""The CSV files people open in Excel, Google Sheets or LibreOffice.

Every CSV the app produces (feeds, exports) is written by ``write_csv`` and answered
by ``csv_response``, so no cell escapes the formula guard:

* ``safe_cell`` puts an apostrophe before text a spreadsheet would run as a formula
  (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return), the
  usual neutralisation: the apostrophe is hidden and the text shows as typed;
* numbers we format ourselves (``int``, ``Number``, ``baht_cell``) are written as they
  are, so ``-14.50`` stays a signed amount;
* ``csv_response`` takes only what ``write_csv`` made, and ``refuse_unguarded_csv``
  (an ``after_request`` hook) fails any ``text/csv`` response that did not come from
  ``csv_response``: an endpoint that writes CSV another way is an error at once, in
  the tests as in production, never a file that runs formulas.

``PRODUCERS`` names every function that makes a CSV; the tests build each one with
hostile text and check every cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from flask import Flask, Response

# Spreadsheets run cells that start with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

#: Every function that makes a CSV: ``"module:function"`` -> what it is.
PRODUCERS: dict[str, str] = {}


def csv_producer(description: str) -> Callable:
    """Record a function that returns ``write_csv``'s output in ``PRODUCERS``."""

    def register(function: Callable) -> Callable:
        PRODUCERS[f"{function.__module__}:{function.__qualname__}"] = description
        return function

    return register


class Number(str):
    """A cell that is a number we formatted (an amount, a count): written as is."""


class CsvText(str):
    """A whole CSV document made by ``write_csv``: the only thing ``csv_response`` sends."""


class CsvResponse(Response):
    """A response made by ``csv_response``."""


def safe_cell(value) -> str:
    """Text as a spreadsheet will show it, never run as a formula."""
    if value is None:
        return ""
    if isinstance(value, Number) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def baht_cell(satang: int | None) -> Number | str:
    """Satang as a plain decimal accounting software reads: ``-12345`` -> ``"-123.45"``."""
    if satang is None:
        return ""
    sign = "-" if satang < 0 else ""
    whole, fraction = divmod(abs(int(satang)), 100)
    return Number(f"{sign}{whole}.{fraction:02d}")


def write_csv(header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = True) -> CsvText:
    """A CSV document (RFC 4180) with every cell through ``safe_cell``. ``bom``: Excel
    reads UTF-8 (Thai) only with one; the channel feeds go without.

    Rows end in ``\r\n``: Python's writer quotes a cell holding a character of the
    line ending, so a carriage return inside a cell is always quoted (with ``\n``
    alone it would not be, and would start a new row in a spreadsheet)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return CsvText(out.getvalue())


def csv_response(body: CsvText, *, filename: str | None = None,
                 cache_control: str = "private, no-store") -> CsvResponse:
    """The HTTP answer for a CSV made by ``write_csv`` (a download when ``filename``)."""
    if not isinstance(body, CsvText):
        raise TypeError("csv_response sends only what write_csv made")
    response = CsvResponse(body.encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = cache_control
    return response


def refuse_unguarded_csv(response: Response) -> Response:
    if response.mimetype == "text/csv" and not isinstance(response, CsvResponse):
        raise RuntimeError("A text/csv response did not come from shop.spreadsheets.csv_response: "
                           "write CSV files with write_csv and csv_response.")
    return response


def init_app(app: Flask) -> None:
    app.after_request(refuse_unguarded_csv)
