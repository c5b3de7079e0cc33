"""Pagination for every list in the shop: one ``Page`` type, ``paginate`` to read one
page of a query, and ``parse_page`` for the ``?page=`` of a URL.

Two ways of knowing whether another page follows:

* by default ``paginate`` reads one row more than the page holds and keeps it back:
  the list is never counted, so a page costs the same at the end of a long list as
  at its start (the storefront, the dashboards, the back office);
* ``count=True`` counts the whole list as well, for lists that show their total (the
  JSON API's ``meta``). ``counted_by`` may hand back a total counted before (the API's
  catalogue lists keep theirs while the catalogue stays the same); the page then
  reads one row more as well, so whether another page follows never depends on it.

The query must have a total order (an ``ORDER BY`` ending on a unique column), or
PostgreSQL may show a row on two pages and skip another. The HTML lists draw their
links with ``templates/macros/pagination.html``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from shop.errors import DomainError, NotFound
from shop.extensions import db

T = TypeVar("T")
P = TypeVar("P", bound="Page")

#: The last page any list shows; a number beyond it is refused (or shows this page).
MAX_PAGE = 10_000
_MAX_DIGITS = len(str(MAX_PAGE))


class BadPageNumber(DomainError):
    """``?page=`` that is not a page number (a 400)."""

    status_code = 400
    code = "bad_request"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list. ``total`` is the size of the whole list when it was counted
    (``paginate(count=True)``), else None. Areas that show more with a list (tab
    counts, a filter) subclass it with fields of their own, all with defaults."""

    items: list[T]
    number: int = 1
    per_page: int = 20
    has_next: bool = False
    total: int | None = None

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        """How many pages the whole list fills (0 when it is empty); None when not counted."""
        if self.total is None:
            return None
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0


def paginate(stmt: Select, page: int, per_page: int, *, count: bool = False, missing_is_404: bool = False,
             counted_by: Callable[[Callable[[], int]], int] | None = None,
             page_type: type[P] = Page, **extra: Any) -> P:  # type: ignore[assignment]
    """Page ``page`` (from 1) of ``stmt``, ``per_page`` rows, as ``page_type`` (``Page``
    or a subclass, given ``extra`` for its own fields).

    ``stmt`` selects ORM entities in a total order. ``page`` is kept within 1 to
    ``MAX_PAGE`` whatever the caller passes. ``missing_is_404``: a page past the end
    of the list (other than the first) is "not found" rather than an empty page, for
    public URLs that search engines follow.
    """
    page = max(1, min(int(page), MAX_PAGE))
    offset = (page - 1) * per_page
    total = None

    def count_rows() -> int:
        return int(db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)

    if count and counted_by is not None:
        total = counted_by(count_rows)
        rows = list(db.session.scalars(stmt.limit(per_page + 1).offset(offset)))
        has_next = len(rows) > per_page
        rows = rows[:per_page]
    elif count:
        total = count_rows()
        rows = list(db.session.scalars(stmt.limit(per_page).offset(offset)))
        has_next = offset + len(rows) < total
    else:
        # One row more than the page: if it comes back, another page follows.
        rows = list(db.session.scalars(stmt.limit(per_page + 1).offset(offset)))
        has_next = len(rows) > per_page
        rows = rows[:per_page]
    if missing_is_404 and page > 1 and not rows:
        raise NotFound(_l("There is no page %(page)s in this list.", page=page))
    return page_type(items=rows, number=page, per_page=per_page, has_next=has_next, total=total, **extra)


def parse_page(value: str | None, *, lenient: bool = False, error: type[DomainError] = BadPageNumber) -> int:
    """``?page=`` as a page number from 1 to ``MAX_PAGE``; missing or empty is page 1.

    Anything else (``abc``, ``0``, ``-1``, ``1.5``, non-ASCII digits, a number past
    ``MAX_PAGE``) raises ``error`` (a 400 by default) with a clear message. With
    ``lenient``, it shows the nearest page instead (the first, or ``MAX_PAGE``): for
    dashboard and back-office lists, whose links people bookmark and edit.
    """
    text = (value or "").strip()
    if not text:
        return 1
    if text.isascii() and text.isdigit():
        # Compared by length first: a long run of digits is never parsed at all.
        number = int(text) if len(text) <= _MAX_DIGITS else MAX_PAGE + 1
        if 1 <= number <= MAX_PAGE:
            return number
        if lenient:
            return max(1, min(number, MAX_PAGE))
    elif lenient:
        return 1
    raise error(_l("The page number must be a whole number from 1 to %(max)s.", max=MAX_PAGE))
