"""The one date style: Buddhist era in Thai, Gregorian in English, Bangkok time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import render_template_string
from flask_babel import force_locale

from shop.i18n import format_day, format_moment, local_day


def test_thai_days_use_the_buddhist_era_and_thai_month_abbreviations():
    assert format_day(date(2026, 12, 2), locale="th") == "2 ธ.ค. 2569"
    assert format_day(date(2026, 12, 2), "long", locale="th") == "2 ธันวาคม 2569"


def test_english_days_are_gregorian():
    assert format_day(date(2026, 12, 2), locale="en") == "2 Dec 2026"
    assert format_day(date(2026, 3, 5), "long", locale="en") == "5 March 2026"


def test_moments_are_shown_in_bangkok_time():
    late_utc = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)  # 01:30 on 1 January in Bangkok
    assert local_day(late_utc) == date(2027, 1, 1)
    assert format_moment(late_utc, locale="th") == "1 ม.ค. 2570 01:30"
    assert format_moment(late_utc, locale="en") == "1 Jan 2027, 01:30"
    naive_utc = datetime(2026, 12, 2, 7, 5)
    assert format_moment(naive_utc, locale="en") == "2 Dec 2026, 14:05"


def test_nothing_is_an_empty_string():
    assert format_day(None) == "" and format_moment(None) == ""


def test_the_template_filters_follow_the_page_language(app):
    moment = datetime(2026, 12, 2, 7, 5, tzinfo=UTC)
    template = "{{ when|dateformat }} | {{ when|datetimeformat('short') }} | {{ when|datetimeformat('medium') }}"
    with app.test_request_context("/"):
        with force_locale("th"):
            assert render_template_string(template, when=moment) == "2 ธ.ค. 2569 | 2 ธ.ค. 2569 14:05 | 2 ธ.ค. 2569 14:05"
        with force_locale("en"):
            assert render_template_string(template, when=moment) == "2 Dec 2026 | 2 Dec 2026, 14:05 | 2 Dec 2026, 14:05"
