"""The programme report and the impact figures: the income reaching communities
(docs/impact.md) by enterprise, province, programme, stage, channel, month and year.

Everything money-related is one grouped query over the ledger (``income_facts``):
entries of the four income kinds, joined to their order for the paid day and the
channel, grouped by enterprise, channel and Bangkok month. The tables are sums of
those few rows, so they cannot disagree with each other or with the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, case, cast, distinct, exists, func, literal, or_, select
from sqlalchemy.orm import load_only

from shop.accounts.models import RetailBuyer
from shop.cache import local_cache
from shop.catalog import status as catalog_status
from shop.catalog.models import Enterprise, EnterpriseProgramme, Programme
from shop.catalog.services import STAGE_LABELS
from shop.dbtypes import utcnow
from shop.errors import ValidationFailed
from shop.experiences.models import Booking, Experience, ExperienceSession
from shop.extensions import db
from shop.geo import all_provinces, province_by_code
from shop.i18n import BANGKOK
from shop.ledger import services as ledger
from shop.ledger.models import ENTRY_FEE, ENTRY_FEE_REFUND, ENTRY_REFUND, ENTRY_SALE, LedgerEntry
from shop.orders import status as st
from shop.orders.models import Order
from shop.quotes.models import QuoteRequest
from shop.sellers.models import EnterpriseEvent

INCOME_KINDS = (ENTRY_SALE, ENTRY_FEE, ENTRY_FEE_REFUND, ENTRY_REFUND)

CHANNEL_ONLINE = "online"
CHANNEL_RETAIL = "retail_buyer"
CHANNEL_QUOTE = "quote"
CHANNEL_INVOICE = "invoice"
CHANNELS = (CHANNEL_ONLINE, CHANNEL_RETAIL, CHANNEL_QUOTE, CHANNEL_INVOICE)
CHANNEL_LABELS = {
    CHANNEL_ONLINE: _l("Online shoppers"),
    CHANNEL_RETAIL: _l("Retail buyers"),
    CHANNEL_QUOTE: _l("Accepted quotes"),
    CHANNEL_INVOICE: _l("Pay on invoice"),
}
STAGES = catalog_status.TRACK_STAGES
NO_PROGRAMME = 0  # the programme row of enterprises in none

DEFINITION = _l("Income reaching communities: what enterprises earned from paid orders (goods and shipping), "
                "less refunds and the platform fee, by the day the order was paid (Thailand time).")


# ---------------------------------------------------------------- time


def day_start(day: date) -> datetime:
    """Midnight in Bangkok at the start of ``day``, as a UTC instant."""
    return datetime.combine(day, time(), tzinfo=BANGKOK).astimezone(UTC)


def bangkok_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(BANGKOK).date()


def bangkok_month(column):
    """``YYYY-MM`` of a UTC timestamp column in Bangkok (UTC+7 all year), on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Bangkok", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+7 hours")


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(key: str) -> str:
    year, month = int(key[:4]), int(key[5:7])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    keys, key = [], last
    while key >= first:
        keys.append(key)
        key = previous_month(key)
    return keys[::-1]


def growth_percent(current: int, previous: int) -> float | None:
    """``(current − previous) ÷ previous`` in percent, one decimal; None without a previous figure."""
    if previous <= 0:
        return None
    return round((current - previous) * 100 / previous, 1)


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # Bangkok days, both included
    end: date | None = None
    programme_id: int | None = None
    province_code: str | None = None
    stage: str | None = None
    channel: str | None = None

    def as_args(self) -> dict[str, str]:
        """The query-string form (for links to the CSV files)."""
        args = {"from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None,
                "programme": str(self.programme_id) if self.programme_id else None,
                "province": self.province_code, "stage": self.stage, "channel": self.channel}
        return {key: value for key, value in args.items() if value}

    @property
    def any(self) -> bool:
        return bool(self.as_args())


def _refuse(field_name: str, message) -> None:
    raise ValidationFailed(message, fields={field_name: message})


def _parse_day(raw: str | None, field_name: str) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        _refuse(field_name, _l("Enter the date as YYYY-MM-DD."))
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        _refuse(field_name, _l("Enter a date between 2000 and 2100."))
    return day


def parse_filters(args: Mapping[str, str]) -> Filters:
    """The report's filters from a query string; anything unknown or malformed is a
    ``ValidationFailed`` (422) whose message names the field."""
    start = _parse_day(args.get("from"), "from")
    end = _parse_day(args.get("to"), "to")
    if start and end and start > end:
        _refuse("to", _l("The end date must be on or after the start date."))
    programme_id = None
    raw = (args.get("programme") or "").strip()
    if raw:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or db.session.get(Programme, int(raw)) is None:
            _refuse("programme", _l("Choose a programme from the list."))
        programme_id = int(raw)
    province = (args.get("province") or "").strip() or None
    if province is not None and province_by_code(province) is None:
        _refuse("province", _l("Choose a province from the list."))
    stage = (args.get("stage") or "").strip() or None
    if stage is not None and stage not in STAGES:
        _refuse("stage", _l("Choose one of the four stages."))
    channel = (args.get("channel") or "").strip() or None
    if channel is not None and channel not in CHANNELS:
        _refuse("channel", _l("Choose one of the channels."))
    return Filters(start=start, end=end, programme_id=programme_id, province_code=province, stage=stage,
                   channel=channel)


def _enterprise_conditions(filters: Filters, enterprise_id_column) -> list:
    conditions = []
    if filters.programme_id is not None:
        conditions.append(enterprise_id_column.in_(
            select(EnterpriseProgramme.enterprise_id).where(EnterpriseProgramme.programme_id == filters.programme_id)))
    if filters.province_code is not None or filters.stage is not None:
        wanted = select(Enterprise.id)
        if filters.province_code is not None:
            wanted = wanted.where(Enterprise.province_code == filters.province_code)
        if filters.stage is not None:
            wanted = wanted.where(Enterprise.track_stage == filters.stage)
        conditions.append(enterprise_id_column.in_(wanted))
    return conditions


def _date_conditions(column, start: date | None, end: date | None) -> list:
    conditions = []
    if start is not None:
        conditions.append(column >= day_start(start))
    if end is not None:
        conditions.append(column < day_start(end + timedelta(days=1)))
    return conditions


def channel_of_order():
    """The order's channel (docs/impact.md: the first that applies)."""
    from_quote = exists().where(QuoteRequest.order_id == Order.id)
    retail = exists().where(
        RetailBuyer.user_id == Order.user_id, RetailBuyer.status == RetailBuyer.VERIFIED,
        RetailBuyer.verified_at.is_not(None), RetailBuyer.verified_at <= Order.created_at)
    return case(
        (from_quote, literal(CHANNEL_QUOTE)),
        (Order.payment_method == st.PAYMENT_INVOICE, literal(CHANNEL_INVOICE)),
        (retail, literal(CHANNEL_RETAIL)),
        else_=literal(CHANNEL_ONLINE),
    )


# ---------------------------------------------------------------- figures


@dataclass
class Figures:
    sales_satang: int = 0
    fees_satang: int = 0  # fees less fees given back (negative)
    refunds_satang: int = 0  # negative
    orders: int = 0

    @property
    def income_satang(self) -> int:
        return self.sales_satang + self.fees_satang + self.refunds_satang

    def add(self, other: Figures) -> None:
        self.sales_satang += other.sales_satang
        self.fees_satang += other.fees_satang
        self.refunds_satang += other.refunds_satang
        self.orders += other.orders


@dataclass(frozen=True)
class Fact:
    enterprise_id: int
    channel: str
    month: str  # YYYY-MM, Bangkok
    figures: Figures


def income_facts(filters: Filters, *, with_dates: bool = True) -> list[Fact]:
    """Income by (enterprise, channel, Bangkok month): one grouped query over the ledger."""
    facts = (
        select(
            LedgerEntry.enterprise_id.label("enterprise_id"),
            channel_of_order().label("channel"),
            bangkok_month(Order.paid_at).label("month"),
            LedgerEntry.kind.label("kind"),
            LedgerEntry.amount_satang.label("amount"),
            LedgerEntry.order_id.label("order_id"),
        )
        .join(Order, Order.id == LedgerEntry.order_id)
        .where(LedgerEntry.kind.in_(INCOME_KINDS), Order.paid_at.is_not(None),
               *_enterprise_conditions(filters, LedgerEntry.enterprise_id))
    )
    if with_dates:
        facts = facts.where(*_date_conditions(Order.paid_at, filters.start, filters.end))
    rows = facts.subquery()
    statement = select(
        rows.c.enterprise_id, rows.c.channel, rows.c.month,
        func.sum(case((rows.c.kind == ENTRY_SALE, rows.c.amount), else_=0)),
        func.sum(case((rows.c.kind.in_([ENTRY_FEE, ENTRY_FEE_REFUND]), rows.c.amount), else_=0)),
        func.sum(case((rows.c.kind == ENTRY_REFUND, rows.c.amount), else_=0)),
        # One sale entry per enterprise's part, and one part per order and enterprise:
        # counting them counts the enterprise's orders, without a DISTINCT.
        func.sum(case((rows.c.kind == ENTRY_SALE, 1), else_=0)),
    ).group_by(rows.c.enterprise_id, rows.c.channel, rows.c.month)
    if filters.channel is not None:
        statement = statement.where(rows.c.channel == filters.channel)
    return [
        Fact(enterprise_id, channel, month, Figures(int(sales or 0), int(fees or 0), int(refunds or 0), int(orders or 0)))
        for enterprise_id, channel, month, sales, fees, refunds, orders in db.session.execute(statement)
    ]


def ledger_income_total() -> int:
    """The income kinds' sum as the ledger's balances state it (earned + fees + refunds)."""
    return sum(row.earned_satang + row.fees_satang + row.refunds_satang for row in ledger.balances())


# ---------------------------------------------------------------- the staff report


@dataclass
class Row:
    key: str
    label: str
    figures: Figures = field(default_factory=Figures)
    enterprises: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class PeriodRow:
    key: str  # YYYY-MM or YYYY
    label: str
    figures: Figures
    previous_satang: int
    growth: float | None


@dataclass
class StageMove:
    month: str
    label: str
    from_stage: str | None
    to_stage: str
    moves: int


@dataclass
class CountRow:
    key: str
    label: str
    values: dict[str, int]


@dataclass
class Report:
    filters: Filters
    total: Figures
    ledger_total_satang: int | None  # None when filters are set (no ledger figure to compare)
    enterprises: list[Row]
    provinces: list[Row]
    programmes: list[Row]
    stages: list[Row]
    channels: list[Row]
    months: list[PeriodRow]
    years: list[PeriodRow]
    stage_counts: list[Row]
    stage_moves: list[StageMove]
    retail_buyers: list[CountRow]
    orders: list[CountRow]  # per month, then per year, then "all"
    multi_programme: int = 0  # enterprises counted in more than one programme
    guests_hosted: int = 0  # guests of experience sessions held (docs/impact.md)

    @property
    def programme_rows_total(self) -> int:
        return sum(row.figures.income_satang for row in self.programmes)


def month_label(key: str, locale: str) -> str:
    from babel.dates import format_date

    year, month = int(key[:4]), int(key[5:7])
    name = format_date(date(year, month, 1), "MMM", locale=locale)
    return f"{name} {year + 543}" if locale == "th" else f"{name} {year}"


def year_label(year: str | int, locale: str) -> str:
    return str(int(year) + 543) if locale == "th" else str(int(year))


def stage_label(stage: str | None) -> str:
    return str(STAGE_LABELS[stage]) if stage in STAGE_LABELS else (stage or "")


def _enterprises(ids: Iterable[int]) -> dict[int, Enterprise]:
    ids = list(set(ids))
    if not ids:
        return {}
    statement = select(Enterprise).options(load_only(
        Enterprise.id, Enterprise.slug, Enterprise.name_th, Enterprise.name_en, Enterprise.province_code,
        Enterprise.track_stage, Enterprise.village, Enterprise.status))
    return {e.id: e for e in db.session.scalars(statement.where(Enterprise.id.in_(ids)))}


def _memberships(enterprise_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(set(enterprise_ids))
    found: dict[int, list[int]] = defaultdict(list)
    if ids:
        for enterprise_id, programme_id in db.session.execute(
            select(EnterpriseProgramme.enterprise_id, EnterpriseProgramme.programme_id)
            .where(EnterpriseProgramme.enterprise_id.in_(ids))
        ):
            found[enterprise_id].append(programme_id)
    return found


def programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.name_th, Programme.id)))


def _ranked(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (-row.figures.income_satang, row.label, row.key))


#: The tables that need the income facts (the others are counts of their own).
INCOME_TABLES = ("months", "years", "enterprises", "provinces", "programmes", "stages", "channels")


def build_report(filters: Filters, locale: str = "th", *, today: date | None = None,
                 only: str | None = None) -> Report:
    """Every table of the staff report; ``only`` (a table's name, for its CSV file)
    computes what that table needs and leaves the others empty."""
    today = today or bangkok_today()

    def wanted(name: str) -> bool:
        return only is None or only == name

    facts = income_facts(filters) if only is None or only in INCOME_TABLES else []
    enterprises = _enterprises(fact.enterprise_id for fact in facts)
    memberships = _memberships(enterprises)
    programme_names = {p.id: p.t("name", locale) for p in programmes()}

    total = Figures()
    by_enterprise: dict[int, Row] = {}
    by_province: dict[str, Row] = {}
    by_programme: dict[int, Row] = {}
    by_stage: dict[str, Row] = {stage: Row(stage, stage_label(stage)) for stage in STAGES}
    by_channel: dict[str, Row] = {c: Row(c, str(CHANNEL_LABELS[c])) for c in CHANNELS}
    by_month: dict[str, Figures] = defaultdict(Figures)
    seen = {"province": defaultdict(set), "programme": defaultdict(set), "stage": defaultdict(set),
            "channel": defaultdict(set)}
    for fact in facts:
        enterprise = enterprises.get(fact.enterprise_id)
        if enterprise is None:
            continue
        total.add(fact.figures)
        row = by_enterprise.get(enterprise.id)
        if row is None:
            province = province_by_code(enterprise.province_code)
            row = by_enterprise[enterprise.id] = Row(
                str(enterprise.id), enterprise.t("name", locale), enterprises=1,
                extra={"province": province.name(locale) if province else enterprise.province_code,
                       "stage": stage_label(enterprise.track_stage), "slug": enterprise.slug,
                       "village": enterprise.village or ""})
        row.figures.add(fact.figures)
        code = enterprise.province_code
        if code not in by_province:
            province = province_by_code(code)
            by_province[code] = Row(code, province.name(locale) if province else code)
        by_province[code].figures.add(fact.figures)
        seen["province"][code].add(enterprise.id)
        for programme_id in memberships.get(enterprise.id) or [NO_PROGRAMME]:
            if programme_id not in by_programme:
                label = programme_names.get(programme_id) or str(_l("In no programme"))
                by_programme[programme_id] = Row(str(programme_id), label)
            by_programme[programme_id].figures.add(fact.figures)
            seen["programme"][programme_id].add(enterprise.id)
        if enterprise.track_stage in by_stage:
            by_stage[enterprise.track_stage].figures.add(fact.figures)
            seen["stage"][enterprise.track_stage].add(enterprise.id)
        by_channel[fact.channel].figures.add(fact.figures)
        seen["channel"][fact.channel].add(enterprise.id)
        by_month[fact.month].add(fact.figures)
    for name, rows in (("province", by_province), ("programme", by_programme), ("stage", by_stage),
                       ("channel", by_channel)):
        for key, row in rows.items():
            row.enterprises = len(seen[name].get(key, ()))
            row.figures.orders = 0  # an order with parts from two enterprises would count twice

    months, years = _periods(filters, by_month, today, locale) if wanted("months") or wanted("years") else ([], [])
    return Report(
        filters=filters, total=total,
        ledger_total_satang=None if filters.any or only is not None else ledger_income_total(),
        enterprises=_ranked(by_enterprise.values()),
        provinces=_ranked(by_province.values()),
        programmes=_ranked(by_programme.values()),
        stages=list(by_stage.values()),
        channels=list(by_channel.values()),
        months=months, years=years,
        stage_counts=stage_counts(filters) if wanted("stage_counts") else [],
        stage_moves=stage_moves(filters, locale) if wanted("stage_moves") else [],
        retail_buyers=new_retail_buyers(filters, locale, today=today) if wanted("retail_buyers") else [],
        orders=orders_and_customers(filters, locale) if wanted("orders") else [],
        multi_programme=sum(1 for eid in enterprises if len(memberships.get(eid, ())) > 1),
        guests_hosted=guests_hosted(filters, today=today) if only is None else 0,
    )


# ---------------------------------------------------------------- guests hosted


def guests_hosted(filters: Filters | None = None, *, today: date | None = None) -> int:
    """Guests of experience sessions held before ``today`` (Bangkok) whose booking was
    checked in or paid (and not cancelled): adults and children. Filtered by the
    session's day and the hosting enterprise (programme, province, stage), and by the
    booking order's channel."""
    filters = filters or Filters()
    today = today or bangkok_today()
    paid = and_(Order.status.in_((st.ORDER_PAID, st.ORDER_PARTIALLY_REFUNDED)), Booking.seats_released.is_(False))
    statement = (
        select(func.coalesce(func.sum(Booking.adults + Booking.children), 0))
        .join(ExperienceSession, ExperienceSession.id == Booking.session_id)
        .join(Experience, Experience.id == ExperienceSession.experience_id)
        .join(Order, Order.id == Booking.order_id)
        .where(ExperienceSession.day < today, ExperienceSession.cancelled_at.is_(None),
               or_(Booking.checked_in_at.is_not(None), paid),
               *_enterprise_conditions(filters, Experience.enterprise_id))
    )
    if filters.start is not None:
        statement = statement.where(ExperienceSession.day >= filters.start)
    if filters.end is not None:
        statement = statement.where(ExperienceSession.day <= filters.end)
    if filters.channel is not None:
        statement = statement.where(channel_of_order() == filters.channel)
    return int(db.session.scalar(statement) or 0)


def _periods(filters: Filters, by_month: Mapping[str, Figures], today: date,
             locale: str) -> tuple[list[PeriodRow], list[PeriodRow]]:
    """Month and year rows in the range, each with the whole previous period's income
    (same filters, no date range) and the growth against it."""
    series: dict[str, int] = defaultdict(int)
    if filters.start is None and filters.end is None:
        for key, figures in by_month.items():
            series[key] += figures.income_satang
    else:
        for fact in income_facts(filters, with_dates=False):
            series[fact.month] += fact.figures.income_satang
    if not by_month and filters.start is None:
        return [], []
    first = month_key(filters.start) if filters.start else min(by_month)
    last = month_key(filters.end) if filters.end else max(max(by_month, default=month_key(today)), month_key(today))
    months = []
    for key in months_between(first, last):
        figures = by_month.get(key) or Figures()
        previous = series.get(previous_month(key), 0)
        months.append(PeriodRow(key, month_label(key, locale), figures, previous,
                                 growth_percent(figures.income_satang, previous)))
    by_year: dict[str, Figures] = defaultdict(Figures)
    for row in months:
        by_year[row.key[:4]].add(row.figures)
    year_series: dict[str, int] = defaultdict(int)
    for key, amount in series.items():
        year_series[key[:4]] += amount
    years = []
    for year in sorted(by_year):
        figures = by_year[year]
        previous = year_series.get(str(int(year) - 1), 0)
        years.append(PeriodRow(year, year_label(year, locale), figures, previous,
                               growth_percent(figures.income_satang, previous)))
    return months, years


def stage_counts(filters: Filters) -> list[Row]:
    """Approved enterprises at each stage today."""
    statement = (select(Enterprise.track_stage, func.count(Enterprise.id))
                 .where(Enterprise.status == catalog_status.ENTERPRISE_APPROVED,
                        *_enterprise_conditions(filters, Enterprise.id))
                 .group_by(Enterprise.track_stage))
    counts = dict(db.session.execute(statement).all())
    return [Row(stage, stage_label(stage), enterprises=int(counts.get(stage, 0))) for stage in STAGES]


def stage_moves(filters: Filters, locale: str) -> list[StageMove]:
    """Stage moves by month (Bangkok), from and to, oldest month first."""
    month = bangkok_month(EnterpriseEvent.created_at).label("month")
    inner = (select(month, EnterpriseEvent.from_value.label("from_stage"), EnterpriseEvent.to_value.label("to_stage"))
             .where(EnterpriseEvent.kind == EnterpriseEvent.KIND_STAGE,
                    *_date_conditions(EnterpriseEvent.created_at, filters.start, filters.end),
                    *_enterprise_conditions(Filters(programme_id=filters.programme_id,
                                                    province_code=filters.province_code),
                                            EnterpriseEvent.enterprise_id)))
    if filters.stage is not None:
        inner = inner.where(EnterpriseEvent.to_value == filters.stage)
    rows = inner.subquery()
    statement = (select(rows.c.month, rows.c.from_stage, rows.c.to_stage, func.count())
                 .group_by(rows.c.month, rows.c.from_stage, rows.c.to_stage))
    order = {stage: index for index, stage in enumerate(STAGES)}
    moves = [StageMove(m, month_label(m, locale), f, t, int(n)) for m, f, t, n in db.session.execute(statement)]
    return sorted(moves, key=lambda move: (move.month, order.get(move.from_stage or "", -1), order.get(move.to_stage, 9)))


def new_retail_buyers(filters: Filters, locale: str, *, today: date) -> list[CountRow]:
    """Retail buyers verified in each month of the range (verified still)."""
    month = bangkok_month(RetailBuyer.verified_at).label("month")
    inner = (select(month).where(RetailBuyer.status == RetailBuyer.VERIFIED, RetailBuyer.verified_at.is_not(None),
                                 *_date_conditions(RetailBuyer.verified_at, filters.start, filters.end))).subquery()
    counts = dict(db.session.execute(select(inner.c.month, func.count()).group_by(inner.c.month)).all())
    if not counts and filters.start is None:
        return []
    first = month_key(filters.start) if filters.start else min(counts)
    last = month_key(filters.end) if filters.end else max(max(counts, default=month_key(today)), month_key(today))
    return [CountRow(key, month_label(key, locale), {"buyers": int(counts.get(key, 0))})
            for key in months_between(first, last)]


def _orders_query(filters: Filters):
    """Paid orders with a sale of an enterprise the filters keep: (month, year, order, customer)."""
    customer = case((Order.user_id.is_not(None), literal("u") + cast(Order.user_id, String)),
                    else_=literal("e") + func.lower(Order.email))
    month = bangkok_month(Order.paid_at)
    columns = [month.label("month"), Order.id.label("order_id"), customer.label("customer")]
    if filters.channel:
        columns.append(channel_of_order().label("channel"))
    inner = (
        select(*columns)
        .where(Order.paid_at.is_not(None),
               exists().where(LedgerEntry.order_id == Order.id, LedgerEntry.kind == ENTRY_SALE,
                              *_enterprise_conditions(filters, LedgerEntry.enterprise_id)),
               *_date_conditions(Order.paid_at, filters.start, filters.end))
    ).subquery()
    where = [inner.c.channel == filters.channel] if filters.channel else []
    return inner, where


def orders_and_customers(filters: Filters, locale: str) -> list[CountRow]:
    inner, where = _orders_query(filters)
    year = func.substr(inner.c.month, 1, 4)
    rows = []
    for key, orders, customers in db.session.execute(
        select(inner.c.month, func.count(distinct(inner.c.order_id)), func.count(distinct(inner.c.customer)))
        .where(*where).group_by(inner.c.month).order_by(inner.c.month)
    ):
        rows.append(CountRow(key, month_label(key, locale), {"orders": int(orders), "customers": int(customers)}))
    for key, orders, customers in db.session.execute(
        select(year, func.count(distinct(inner.c.order_id)), func.count(distinct(inner.c.customer)))
        .where(*where).group_by(year).order_by(year)
    ):
        rows.append(CountRow(str(key), year_label(key, locale), {"orders": int(orders), "customers": int(customers)}))
    orders, customers = db.session.execute(
        select(func.count(distinct(inner.c.order_id)), func.count(distinct(inner.c.customer))).where(*where)).one()
    rows.append(CountRow("all", str(_l("All")), {"orders": int(orders or 0), "customers": int(customers or 0)}))
    return rows


# ---------------------------------------------------------------- the public figures


@dataclass(frozen=True)
class ProvinceFigure:
    code: str
    name_th: str
    name_en: str
    income_satang: int
    enterprises: int

    def name(self, locale: str) -> str:
        return self.name_th if locale == "th" else self.name_en


@dataclass(frozen=True)
class Story:
    enterprise_id: int
    slug: str
    name_th: str
    name_en: str | None
    province_code: str
    from_stage: str | None
    to_stage: str
    moved_at: datetime
    story_th: str
    story_en: str

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else None) or self.name_th

    def story(self, locale: str) -> str:
        return (self.story_en if locale == "en" and self.story_en else None) or self.story_th


@dataclass(frozen=True)
class Impact:
    generated_at: datetime
    year: int
    income_total_satang: int
    income_this_year_satang: int
    enterprises_reached: int
    villages_reached: int
    provinces_reached: int
    enterprises_on_market: int
    retail_buyers: int
    guests_hosted: int
    provinces: tuple[ProvinceFigure, ...]
    stories: tuple[Story, ...]


STORY_LIMIT = 6
STORY_EXCERPT = 280


def excerpt(text: str | None, limit: int = STORY_EXCERPT) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,.;:") + "…"


def compute_impact(now: datetime | None = None) -> Impact:
    """The public figures: four grouped queries and the latest stories."""
    now = now or utcnow()
    today = bangkok_today(now)
    year_start = day_start(date(today.year, 1, 1))
    income_kinds = LedgerEntry.kind.in_(INCOME_KINDS)
    per_enterprise = db.session.execute(
        select(LedgerEntry.enterprise_id, func.sum(LedgerEntry.amount_satang),
               func.sum(case((LedgerEntry.kind == ENTRY_SALE, 1), else_=0)))
        .where(income_kinds).group_by(LedgerEntry.enterprise_id)
    ).all()
    total = sum(int(income or 0) for _eid, income, _sales in per_enterprise)
    this_year = int(db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_satang), 0))
        .join(Order, Order.id == LedgerEntry.order_id)
        .where(income_kinds, Order.paid_at >= year_start)))
    reached = {eid: int(income or 0) for eid, income, sales in per_enterprise if sales}
    by_province: dict[str, list[int]] = {}
    villages = set()
    if reached:
        for eid, code, district, subdistrict, village in db.session.execute(
            select(Enterprise.id, Enterprise.province_code, Enterprise.district, Enterprise.subdistrict,
                   Enterprise.village).where(Enterprise.id.in_(list(reached)))
        ):
            figures = by_province.setdefault(code, [0, 0])
            figures[0] += reached[eid]
            figures[1] += 1
            if village and village.strip():
                villages.add((code, district or "", subdistrict or "", village.strip()))
    names = {p.code: p for p in all_provinces()}
    provinces = []
    for code, (income, count) in by_province.items():
        province = names.get(code)
        provinces.append(ProvinceFigure(code, province.name_th if province else code,
                                        province.name_en if province else code, income, count))
    provinces.sort(key=lambda p: (-p.income_satang, p.name_en, p.code))
    on_market = int(db.session.scalar(select(func.count(Enterprise.id))
                                      .where(Enterprise.status == catalog_status.ENTERPRISE_APPROVED)))
    buyers = int(db.session.scalar(select(func.count(RetailBuyer.id))
                                   .where(RetailBuyer.status == RetailBuyer.VERIFIED)))
    return Impact(
        generated_at=now, year=today.year, income_total_satang=total, income_this_year_satang=this_year,
        enterprises_reached=len(reached), villages_reached=len(villages),
        provinces_reached=len(provinces), enterprises_on_market=on_market, retail_buyers=buyers,
        guests_hosted=guests_hosted(today=today), provinces=tuple(provinces), stories=tuple(latest_stories()),
    )


def latest_stories(limit: int = STORY_LIMIT) -> list[Story]:
    """Approved enterprises' latest forward stage moves, one per enterprise, newest first."""
    order = {stage: index for index, stage in enumerate(STAGES)}
    statement = (
        select(EnterpriseEvent, Enterprise)
        .join(Enterprise, Enterprise.id == EnterpriseEvent.enterprise_id)
        .where(EnterpriseEvent.kind == EnterpriseEvent.KIND_STAGE,
               Enterprise.status == catalog_status.ENTERPRISE_APPROVED)
        .order_by(EnterpriseEvent.created_at.desc(), EnterpriseEvent.id.desc())
        .limit(limit * 10)
    )
    stories, seen = [], set()
    for event, enterprise in db.session.execute(statement):
        if enterprise.id in seen or order.get(event.to_value, -1) <= order.get(event.from_value or "", -1):
            continue
        seen.add(enterprise.id)
        stories.append(Story(
            enterprise_id=enterprise.id, slug=enterprise.slug, name_th=enterprise.name_th, name_en=enterprise.name_en,
            province_code=enterprise.province_code, from_stage=event.from_value, to_stage=event.to_value,
            moved_at=event.created_at, story_th=excerpt(enterprise.story_th or enterprise.tagline_th),
            story_en=excerpt(enterprise.story_en or enterprise.tagline_en)))
        if len(stories) == limit:
            break
    return stories


def impact() -> Impact:
    """The public figures, kept for ``IMPACT_CACHE_SECONDS`` per worker."""
    ttl = float(current_app.config["IMPACT_CACHE_SECONDS"])
    return local_cache().get_or_render(("impact-figures",), compute_impact, ttl)


def baht_text(satang: int) -> str:
    sign = "-" if satang < 0 else ""
    whole, fraction = divmod(abs(int(satang)), 100)
    return f"{sign}{whole}.{fraction:02d}"


def impact_json(figures: Impact, locale: str, url_for_enterprise) -> dict:
    """The open data (docs/impact.md lists the keys; they stay stable)."""
    return {
        "definition": str(DEFINITION),
        "generated_at": figures.generated_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "cache_seconds": int(current_app.config["IMPACT_CACHE_SECONDS"]),
        "currency": "THB",
        "income_total_satang": figures.income_total_satang,
        "income_total_baht": baht_text(figures.income_total_satang),
        "year": figures.year,
        "income_this_year_satang": figures.income_this_year_satang,
        "income_this_year_baht": baht_text(figures.income_this_year_satang),
        "enterprises_reached": figures.enterprises_reached,
        "villages_reached": figures.villages_reached,
        "provinces_reached": figures.provinces_reached,
        "enterprises_on_market": figures.enterprises_on_market,
        "retail_buyers": figures.retail_buyers,
        "guests_hosted": figures.guests_hosted,
        "provinces": [
            {"code": p.code, "name_th": p.name_th, "name_en": p.name_en, "income_satang": p.income_satang,
             "income_baht": baht_text(p.income_satang), "enterprises": p.enterprises}
            for p in figures.provinces
        ],
        "stories": [
            {"enterprise": s.name(locale), "slug": s.slug, "url": url_for_enterprise(s.slug),
             "province_code": s.province_code, "from_stage": s.from_stage, "to_stage": s.to_stage,
             "moved_on": s.moved_at.astimezone(BANGKOK).date().isoformat(), "story": s.story(locale)}
            for s in figures.stories
        ],
    }
