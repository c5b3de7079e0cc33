"""The public impact page and its open data: ``/impact``, ``/impact.json`` and
``/impact.csv`` (docs/impact.md). No sign-in; the figures are cached."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, url_for

from shop.i18n import current_language
from shop.reports import charts, exports, services
from shop.spreadsheets import csv_response

bp = Blueprint("reports", __name__)


def _enterprise_url(slug: str) -> str:
    return url_for("catalog.enterprise", slug=slug, _external=True)


@bp.get("/impact")
def impact():
    locale = current_language()
    figures = services.impact()
    chart = charts.ranked_bars([(p.name(locale), p.income_satang) for p in figures.provinces], locale)
    return render_template("reports/impact.html", figures=figures, chart=chart, locale=locale,
                           definition=services.DEFINITION, stage_label=services.stage_label,
                           cache_minutes=max(1, round(float(current_app.config["IMPACT_CACHE_SECONDS"]) / 60)))


@bp.get("/impact.json")
def impact_json():
    response = jsonify(services.impact_json(services.impact(), current_language(), _enterprise_url))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = _public_cache()
    return response


def _public_cache() -> str:
    return f"public, max-age={int(current_app.config['IMPACT_CACHE_SECONDS'])}"


@bp.get("/impact.csv")
def impact_csv():
    figures = services.impact()
    return csv_response(exports.impact_csv(figures), filename=f"impact-{figures.generated_at:%Y-%m-%d}.csv",
                        cache_control=_public_cache())
