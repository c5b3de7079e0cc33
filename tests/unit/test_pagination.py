"""shop.pagination: the one Page type, paginate() and the ?page= parser, and the
page links every HTML list draws with templates/macros/pagination.html."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import render_template_string
from sqlalchemy import event, select

from shop.catalog.models import Category
from shop.errors import NotFound, ValidationFailed
from shop.extensions import db
from shop.pagination import MAX_PAGE, BadPageNumber, Page, paginate, parse_page
from tests.factories import CategoryFactory

# ---------------------------------------------------------------- parse_page


@pytest.mark.parametrize(("raw", "page"), [(None, 1), ("", 1), ("  ", 1), (" 3 ", 3), ("10000", 10_000)])
def test_parse_page_accepts_page_numbers(raw, page):
    assert parse_page(raw) == page
    assert parse_page(raw, lenient=True) == page


BAD_PAGES = ["0", "-2", "abc", "1.0", "10001", "٣", "１", "1e3", "+3", "1_000", "9" * 5000]


@pytest.mark.parametrize("raw", BAD_PAGES)
def test_parse_page_refuses_anything_else_with_a_400(app, raw):
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        with pytest.raises(BadPageNumber) as caught:
            parse_page(raw)
        assert caught.value.status_code == 400
        assert "page number" in str(caught.value.message)


def test_parse_page_raises_the_error_the_caller_names(app):
    with app.test_request_context(), pytest.raises(ValidationFailed) as caught:
        parse_page("-3", error=ValidationFailed)
    assert caught.value.status_code == 422


@pytest.mark.parametrize(("raw", "page"), [
    ("0", 1), ("-4", 1), ("abc", 1), ("1.5", 1), ("٣", 1), ("１", 1), ("10001", MAX_PAGE),
    ("999999999999", MAX_PAGE), ("9" * 5000, MAX_PAGE),
])
def test_lenient_parse_page_shows_the_nearest_page(raw, page):
    assert parse_page(raw, lenient=True) == page


# ---------------------------------------------------------------- paginate


@pytest.fixture
def seven(app):
    """Seven rows, read by id."""
    rows = [CategoryFactory() for _ in range(7)]
    db.session.commit()
    return [c.id for c in rows]


def by_id():
    return select(Category).order_by(Category.id)


def ids(page: Page) -> list[int]:
    return [c.id for c in page.items]


class Statements:
    """The SQL statements sent while it is open."""

    def __init__(self):
        self.sql: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.sql.append(statement.lower())


def test_first_middle_and_last_page(seven):
    first, middle, last = (paginate(by_id(), n, 3) for n in (1, 2, 3))
    assert ids(first) == seven[:3] and first.number == 1
    assert first.has_next and not first.has_prev
    assert ids(middle) == seven[3:6] and middle.has_next and middle.has_prev
    assert ids(last) == seven[6:] and not last.has_next and last.has_prev
    assert first.total is None and first.pages is None  # not counted


def test_a_full_last_page_has_no_next_page(seven):
    # Seven rows, seven a page: the extra row is not there, so no "Next" link to an empty page.
    page = paginate(by_id(), 1, 7)
    assert ids(page) == seven and not page.has_next
    assert paginate(by_id(), 1, 6).has_next


def test_the_extra_row_trick_reads_one_row_more_and_never_counts(seven):
    with Statements() as seen:
        page = paginate(by_id(), 2, 3)
    assert len(seen.sql) == 1
    assert "count(" not in seen.sql[0] and "limit" in seen.sql[0]
    assert len(page.items) == 3 and page.has_next  # the 7th row was read, and kept back


def test_counted_pages_know_the_total(seven):
    with Statements() as seen:
        page = paginate(by_id(), 2, 3, count=True)
    assert any("count(" in sql for sql in seen.sql)
    assert ids(page) == seven[3:6]
    assert (page.total, page.pages, page.has_next) == (7, 3, True)
    last = paginate(by_id(), 3, 3, count=True)
    assert (ids(last), last.has_next) == (seven[6:], False)


def test_an_empty_list(app):
    page = paginate(by_id(), 1, 20)
    assert (page.items, page.number, page.has_next, page.has_prev) == ([], 1, False, False)
    counted = paginate(by_id(), 1, 20, count=True)
    assert (counted.total, counted.pages, counted.has_next) == (0, 0, False)
    assert paginate(by_id(), 1, 20, missing_is_404=True).items == []  # the first page always exists


def test_a_page_past_the_end_is_empty_or_not_found(app, seven):
    page = paginate(by_id(), 5, 3)
    assert page.items == [] and page.number == 5 and page.has_prev and not page.has_next
    counted = paginate(by_id(), 5, 3, count=True)
    assert counted.items == [] and not counted.has_next and counted.pages == 3
    with app.test_request_context(), pytest.raises(NotFound):
        paginate(by_id(), 5, 3, missing_is_404=True)


def test_page_numbers_out_of_range_are_kept_in_range(seven):
    assert paginate(by_id(), -3, 3).number == 1
    assert ids(paginate(by_id(), 0, 3)) == seven[:3]
    assert paginate(by_id(), 10**9, 3).number == MAX_PAGE


@dataclass(frozen=True)
class CountedThings(Page[Category]):
    label: str = ""


def test_a_page_subclass_carries_its_own_fields(seven):
    page = paginate(by_id(), 1, 5, page_type=CountedThings, label="seven")
    assert isinstance(page, CountedThings) and page.label == "seven"
    assert ids(page) == seven[:5] and page.has_next


# ---------------------------------------------------------------- page links


LINKS = '{% from "macros/pagination.html" import page_links with context %}{{ page_links(page, **args) }}'


def links(app, page: Page, url: str = "/categories/coffee?sort=newest", **args) -> str:
    with app.test_request_context(url + ("&" if "?" in url else "?") + "lang=en"):
        app.preprocess_request()
        return render_template_string(LINKS, page=page, args=args)


def test_no_links_for_a_list_on_one_page(app):
    assert "pagination" not in links(app, Page(items=[1], number=1, per_page=20, has_next=False))


def test_links_keep_the_query_and_the_first_page_has_no_page_number(app):
    html = links(app, Page(items=[1], number=2, per_page=1, has_next=True), "/categories/coffee?sort=newest&page=2")
    assert 'rel="prev" href="/categories/coffee?sort=newest"' in html
    assert 'rel="next" href="/categories/coffee?sort=newest&amp;page=3"' in html
    assert "Page 2" in html and "Previous" in html and "Next" in html


def test_links_of_a_counted_list_say_how_many_pages(app):
    html = links(app, Page(items=[1], number=2, per_page=1, has_next=True, total=3))
    assert "Page 2 of 3" in html


def test_links_to_an_endpoint_for_lists_drawn_after_a_post(app):
    html = links(app, Page(items=[1], number=3, per_page=1, has_next=False), "/admin/retail-buyers/5/verify",
                 endpoint="admin.retail_buyers", status="pending")
    assert 'href="/admin/retail-buyers?page=2&amp;status=pending"' in html
    assert "verify" not in html and 'rel="next"' not in html


def test_links_are_in_thai_by_default(app):
    with app.test_request_context("/categories/coffee"):
        app.preprocess_request()
        html = render_template_string(LINKS, page=Page(items=[1], number=2, per_page=1, has_next=True), args={})
    assert "Previous" not in html and "Next" not in html
