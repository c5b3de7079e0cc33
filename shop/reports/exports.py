"""The report's tables and the impact figures as CSV (through ``shop.spreadsheets``)."""

from __future__ import annotations

from flask_babel import gettext as _

from shop.reports.services import Figures, Impact, PeriodRow, Report
from shop.spreadsheets import CsvText, Number, baht_cell, csv_producer, write_csv

#: Every table of the staff report that has a CSV file, in page order.
TABLES = ("months", "years", "enterprises", "provinces", "programmes", "stages", "channels", "stage_counts",
          "stage_moves", "retail_buyers", "orders")


def _money_header() -> list[str]:
    return [_("Sales (THB)"), _("Fees (THB)"), _("Refunds (THB)"), _("Income (THB)")]


def _money(figures: Figures) -> list:
    return [baht_cell(figures.sales_satang), baht_cell(figures.fees_satang), baht_cell(figures.refunds_satang),
            baht_cell(figures.income_satang)]


def _growth(row: PeriodRow):
    return "" if row.growth is None else Number(f"{row.growth:.1f}")


def _table(report: Report, table: str) -> tuple[list[str], list[list]]:
    if table in ("months", "years"):
        rows = report.months if table == "months" else report.years
        header = [_("Month") if table == "months" else _("Year"), _("Period"), *_money_header(),
                  _("Previous period income (THB)"), _("Growth (%)")]
        return header, [[row.key, row.label, *_money(row.figures), baht_cell(row.previous_satang), _growth(row)]
                        for row in rows]
    if table == "enterprises":
        header = [_("Enterprise"), _("Village"), _("Province"), _("Stage"), _("Orders"), *_money_header()]
        return header, [[row.label, row.extra.get("village", ""), row.extra.get("province", ""),
                         row.extra.get("stage", ""), row.figures.orders, *_money(row.figures)]
                        for row in report.enterprises]
    if table in ("provinces", "programmes", "stages", "channels"):
        first = {"provinces": _("Province"), "programmes": _("Programme"), "stages": _("Stage"),
                 "channels": _("Channel")}[table]
        rows = getattr(report, table)
        return [_("Code"), first, _("Enterprises"), *_money_header()], [
            [row.key, row.label, row.enterprises, *_money(row.figures)] for row in rows]
    if table == "stage_counts":
        return [_("Code"), _("Stage"), _("Enterprises")], [[row.key, row.label, row.enterprises]
                                                            for row in report.stage_counts]
    if table == "stage_moves":
        return [_("Month"), _("Period"), _("From stage"), _("To stage"), _("Moves")], [
            [m.month, m.label, m.from_stage or "", m.to_stage, m.moves] for m in report.stage_moves]
    if table == "retail_buyers":
        return [_("Month"), _("Period"), _("New retail buyers")], [
            [row.key, row.label, row.values["buyers"]] for row in report.retail_buyers]
    if table == "orders":
        return [_("Period"), _("Label"), _("Orders"), _("Customers")], [
            [row.key, row.label, row.values["orders"], row.values["customers"]] for row in report.orders]
    raise KeyError(table)


@csv_producer("Staff programme report tables (/admin/reports/<table>.csv)")
def report_csv(report: Report, table: str) -> CsvText:
    """One table of the staff report as shown, in the reader's language."""
    header, rows = _table(report, table)
    return write_csv(header, rows)


@csv_producer("Public impact figures (/impact.csv)")
def impact_csv(figures: Impact) -> CsvText:
    """The provinces' rows, then the totals, as the impact page shows them."""
    header = [_("Code"), _("Province (Thai)"), _("Province (English)"), _("Income (THB)"), _("Enterprises")]
    rows: list[list] = [[p.code, p.name_th, p.name_en, baht_cell(p.income_satang), p.enterprises]
                        for p in figures.provinces]
    rows += [
        ["total", _("Income reaching communities, all time"), "", baht_cell(figures.income_total_satang), ""],
        [f"year-{figures.year}", _("Income this year"), "", baht_cell(figures.income_this_year_satang), ""],
        ["enterprises_reached", _("Enterprises reached"), "", "", figures.enterprises_reached],
        ["villages_reached", _("Villages reached"), "", "", figures.villages_reached],
        ["provinces_reached", _("Provinces reached"), "", "", figures.provinces_reached],
        ["enterprises_on_market", _("Enterprises on the market"), "", "", figures.enterprises_on_market],
        ["retail_buyers", _("Verified retail buyers"), "", "", figures.retail_buyers],
        ["guests_hosted", _("Guests hosted"), "", "", figures.guests_hosted],
    ]
    return write_csv(header, rows)
