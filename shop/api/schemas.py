"""Models shared by every part of the API: errors, pages, money, the base classes.

Request models derive from ``RequestModel`` (strict: a JSON string is not a number,
unknown fields are refused) or ``QueryModel`` (lenient: query values are text);
response models from ``ResponseModel``.

Every text a request carries is one of ``Text`` (one line), ``MultilineText`` or, in
a query, ``SearchText``: the free-text rule of ``shop.text``, so a control or
direction-override character is a 422 naming the field (``address.recipient_name``)
before any service runs; a search drops them instead, as the search page does. A
test walks every request and query model to keep it so.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import Select

from shop import pagination
from shop.api.routing import ApiValueError
from shop.dbtypes import MAX_INT
from shop.money import format_baht
from shop.page_cache import remembered
from shop.pagination import MAX_PAGE, Page
from shop.text import TextRefused, clean_text, drop_controls

#: The most items one page of a list may ask for.
MAX_PER_PAGE = 100

#: A database id as requests give it: 1 to 2³¹−1.
IdInt = Annotated[int, Field(ge=1, le=MAX_INT)]


def _one_line(value: str) -> str:
    try:
        return clean_text(value)
    except TextRefused as exc:
        raise ApiValueError(exc.message()) from None


def _multi_line(value: str) -> str:
    try:
        return clean_text(value, multi_line=True)
    except TextRefused as exc:
        raise ApiValueError(exc.message()) from None


def _search_words(value: str) -> str:
    return drop_controls(value, " ")


#: Free text on one line (names, a SKU, an address line): line breaks become spaces.
Text = Annotated[str, AfterValidator(_one_line)]
#: Free text that keeps its line breaks (a description, a note).
MultilineText = Annotated[str, AfterValidator(_multi_line)]
#: Words to look for (a query parameter): refused characters are dropped, not refused.
SearchText = Annotated[str, AfterValidator(_search_words)]
#: The validators above; a request model's text must carry one of them.
TEXT_RULES = frozenset({_one_line, _multi_line, _search_words})


class RequestModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class QueryModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(ResponseModel):
    code: str = Field(description="A stable, machine-readable code, e.g. `not_found`, `validation_failed`.")
    message: str = Field(description="What went wrong, in the client's language.")
    fields: dict[str, str] = Field(description="One message per bad field, keyed by its path (`lines.0.quantity`).")


class ErrorResponse(ResponseModel):
    """Every error the API answers has this shape."""

    error: ErrorDetail


class Money(ResponseModel):
    """An amount in satang (1/100 baht) and as people read it."""

    satang: int
    display: str = Field(description="Formatted in the response language, e.g. `฿1,250.00`.")


def money(satang: int, locale: str) -> Money:
    return Money(satang=int(satang), display=format_baht(int(satang), locale))


# ------------------------------------------------------------------------ pages


class PageQuery(QueryModel):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE, description=f"Items per page, 1 to {MAX_PER_PAGE}.")


class PageMeta(ResponseModel):
    page: int
    per_page: int
    total: int = Field(description="Items on every page together.")
    pages: int
    next_page: int | None = Field(description="The next page's number, or null on the last page.")


def page_meta(page: Page) -> PageMeta:
    """A counted page's ``meta``."""
    return PageMeta(page=page.number, per_page=page.per_page, total=page.total or 0, pages=page.pages or 0,
                    next_page=page.number + 1 if page.has_next else None)


def paginate(stmt: Select, query: PageQuery, *, catalogue_list: Hashable | None = None) -> tuple[list, PageMeta]:
    """One page of ``stmt`` (which must have a total, stable ORDER BY ending in a
    unique column) and its meta, counted. ``stmt`` selects ORM entities.

    ``catalogue_list`` names a list of the public catalogue by its filters: its total
    is counted once per catalogue generation (docs/caching.md), not on every page."""
    counted_by = None
    if catalogue_list is not None:
        def counted_by(count: Callable[[], int]) -> int:
            return remembered(("api-total", catalogue_list), count)
    page = pagination.paginate(stmt, query.page, query.per_page, count=True, counted_by=counted_by)
    return page.items, page_meta(page)
