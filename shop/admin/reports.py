"""Staff programme reports at ``/admin/reports`` (docs/impact.md): the income reaching
communities by enterprise, province, programme, stage, channel and period, with CSV
files of every table. The figures come from ``shop.reports.services``."""

from __future__ import annotations

from flask import abort, render_template, request

from shop.admin import bp
from shop.errors import ValidationFailed
from shop.geo import province_choices
from shop.i18n import current_language
from shop.reports import charts, exports
from shop.reports import services as reports
from shop.spreadsheets import csv_response


def _choices(locale: str) -> dict:
    return dict(programmes=reports.programmes(), provinces=province_choices(locale), stages=reports.STAGES,
                channels=reports.CHANNELS, channel_labels=reports.CHANNEL_LABELS, stage_label=reports.stage_label,
                args=request.args, locale=locale, tables=exports.TABLES, definition=reports.DEFINITION)


@bp.get("/reports")
def reports_index():
    locale = current_language()
    try:
        filters = reports.parse_filters(request.args)
    except ValidationFailed as error:
        return render_template("admin/reports.html", report=None, error=error.message, field_errors=error.fields,
                               **_choices(locale)), error.status_code
    report = reports.build_report(filters, locale)
    monthly_orders = {row.key: row.values["orders"] for row in report.orders}
    month_chart = charts.monthly_chart(
        [(row.key, row.figures.income_satang, monthly_orders.get(row.key, 0)) for row in report.months], locale)
    province_chart = charts.ranked_bars([(row.label, row.figures.income_satang) for row in report.provinces], locale)
    channel_chart = charts.ranked_bars([(row.label, row.figures.income_satang) for row in report.channels], locale)
    stage_chart = charts.ranked_bars([(row.label, row.figures.income_satang) for row in report.stages], locale)
    return render_template(
        "admin/reports.html", report=report, filters=filters, error=None, field_errors={},
        month_chart=month_chart, province_chart=province_chart, channel_chart=channel_chart,
        stage_chart=stage_chart, csv_args=filters.as_args(), **_choices(locale),
    )


@bp.get("/reports/<table>.csv")
def reports_csv(table: str):
    if table not in exports.TABLES:
        abort(404)
    filters = reports.parse_filters(request.args)
    report = reports.build_report(filters, current_language(), only=table)
    return csv_response(exports.report_csv(report, table), filename=f"report-{table}.csv")
