"""The indicators of DESIGN §7 for a period: counted in SQL with GROUP BY, folded into rates in Python.

No Flask request here: callers pass the period and the day the clocks are judged on (``today``). Only aggregates
leave this module — never a case, a title or a name.

By department each step is counted where it was held: acceptance (及时受理率) by the office that received and
decided it — the petition office, before any assignment — and everything after by the department the case was
assigned to. The due dates read here are the stored ones, which portal.cases.services.clocks keeps in line with the
calendar.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field, fields

from sqlalchemy import case as when
from sqlalchemy import func
from sqlalchemy.orm import aliased

from portal.accounts.models import User
from portal.cases.models import Case, CaseType, Category, Channel, Evaluation, Rating, Status
from portal.extensions import db
from portal.org.models import Department, Kind
from portal.stats.kept import NONE
from portal.stats.kept import CaseCount as k

FIRST_YEAR = 2000  # the earliest year a person may ask for; older records are not expected in this system
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY)


class BadPeriod(ValueError):
    """The requested period cannot be shown; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the period ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """Whole months by the day a case was received (收到之日), ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date
    year: int | None = None  # None: the last twelve months (or the range below)
    ranged: bool = False  # any span of days a person or a report asks for (a week, a half month, two months)

    @classmethod
    def last_12_months(cls, today: dt.date) -> Period:
        first = _add_months(today.replace(day=1), -11)
        return cls(start=first, end=today)

    @classmethod
    def for_year(cls, year: int, today: dt.date) -> Period:
        # The current year ends today: months still to come would only be empty bars.
        return cls(start=dt.date(year, 1, 1), end=min(dt.date(year, 12, 31), today), year=year)

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        return cls(start=start, end=end, ranged=True)

    @property
    def kind(self) -> str:
        if self.ranged:
            return "range"
        return "year" if self.year is not None else "last_12_months"

    def previous(self) -> Period:
        """The span of the same length just before this one (a circular's “上期”); whole months stay whole months."""
        if self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1:
            months = len(self.months)
            start = _add_months(self.start, -months)
            return Period.between(start, self.start - dt.timedelta(days=1))
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        return Period.between(end - length, end)

    @property
    def months(self) -> list[dt.date]:
        """The first day of every month in the period, in order."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = _add_months(month, 1)
        return months

    @property
    def label(self) -> str:
        if self.ranged:
            end = f"{self.end.month}月{self.end.day}日"
            if self.end.year != self.start.year:
                end = f"{self.end.year}年{end}"
            return f"{self.start.year}年{self.start.month}月{self.start.day}日至{end}"
        if self.year is not None:
            return f"{self.year}年"
        return f"{self.start.year}年{self.start.month}月至{self.end.year}年{self.end.month}月"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "year": self.year,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "months": [f"{m:%Y-%m}" for m in self.months],
        }


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def period_from(year: str | None, today: dt.date) -> Period:
    """The period a ``year`` query parameter asks for; None means the last twelve months.

    Raises ``BadPeriod`` with a message for people when the value is not a year that can be shown.
    """
    if year is None:
        return Period.last_12_months(today)
    if not re.fullmatch(r"[0-9]{4}", year) or not FIRST_YEAR <= int(year) <= today.year:
        raise BadPeriod(f"年份应为 {FIRST_YEAR} 至 {today.year} 之间的四位数字，例如 {today.year}。")
    return Period.for_year(int(year), today)


def available_years(today: dt.date) -> list[int]:
    """Years that have cases, newest first (at least the current year): the choices of the period selector."""
    first = db.session.execute(db.select(func.min(Case.received_on))).scalar()
    start = max(FIRST_YEAR, min(first.year, today.year)) if first else today.year
    return list(range(today.year, start - 1, -1))


# --- counts and rates ----------------------------------------------------------------------------------------
@dataclass
class Counts:
    """The numerators and denominators of every indicator for one group of cases."""

    received: int = 0  # all registered
    repeat: int = 0  # with repeat_of set
    skipped_level: int = 0  # 越级: brought here before the level that should handle it first
    acceptance_counted: int = 0  # acceptance clock ended (accept_due < today) or decided
    decided_in_time: int = 0  # decided_on <= accept_due
    handling_counted: int = 0  # handling clock ended (handle_due < today) or replied
    replied_in_time: int = 0  # replied_on <= handle_due (handle_due already carries an extension)
    delivered: int = 0  # reply delivered: open to evaluation
    evaluated: int = 0
    acceptance_satisfied: int = 0  # 满意 + 基本满意 for the petition office's acceptance
    handling_satisfied: int = 0  # 满意 + 基本满意 for the department's handling
    closed: int = 0  # 销号
    # Closed, never asked for review (review_level 0) and not followed by a repeat petition on the same matter
    # received in the period (the name is the API's, kept from before the repeat rule).
    closed_without_review: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def rate(self, indicator: Indicator) -> float | None:
        """numerator ÷ denominator, rounded to four places; None when nothing was counted (shown as “—”)."""
        denominator = getattr(self, indicator.denominator)
        if not denominator:
            return None
        return round(getattr(self, indicator.numerator) / denominator, 4)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def split(self) -> tuple[Counts, Counts]:
        """(the acceptance step's counts, everything else): they belong to different departments."""
        step = Counts(**{name: getattr(self, name) for name in ACCEPTANCE_FIELDS})
        rest = Counts(**{f.name: getattr(self, f.name) for f in fields(self) if f.name not in ACCEPTANCE_FIELDS})
        return step, rest


ACCEPTANCE_FIELDS = ("acceptance_counted", "decided_in_time")
# What each Counts field is called where a number is shown or a list of its cases is titled.
COUNT_LABELS = {
    "received": "登记件数",
    "repeat": "重复信访件",
    "skipped_level": "越级信访件",
    "acceptance_counted": "受理期限已届满或已决定",
    "decided_in_time": "按期作出受理决定",
    "handling_counted": "办理期限已届满或已答复",
    "replied_in_time": "按期答复",
    "delivered": "答复已送达（可评价）",
    "evaluated": "已评价",
    "acceptance_satisfied": "受理满意（含基本满意）",
    "handling_satisfied": "办理满意（含基本满意）",
    "closed": "已销号",
    "closed_without_review": "一次性化解",
}


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    numerator: str  # a Counts field
    denominator: str  # a Counts field
    definition: str  # DESIGN §7, in Chinese, as printed under 指标说明
    by_department: bool = True
    higher_is_better: bool = True


# DESIGN §7, written down once: the page, its 指标说明, the JSON and its schema all read this table.
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "timely_acceptance",
        "及时受理率",
        "decided_in_time",
        "acceptance_counted",
        "在受理期限内作出受理决定（受理、不予受理或转送）的信访件数 ÷ 受理期限已届满或已作出受理决定的信访件数。"
        "受理在交办之前，按单位统计时计入登记受理的信访部门，不计入责任单位。",
    ),
    Indicator(
        "on_time_handling",
        "按期办结率",
        "replied_in_time",
        "handling_counted",
        "在办理期限内（经批准延期的，按延长后的期限计算）出具书面答复的信访件数 ÷ 办理期限已届满或已答复的信访件数。",
    ),
    Indicator(
        "evaluation", "参评率", "evaluated", "delivered", "作出满意度评价的信访件数 ÷ 答复已送达、可以评价的信访件数。"
    ),
    Indicator(
        "acceptance_satisfaction",
        "满意率（受理）",
        "acceptance_satisfied",
        "evaluated",
        "对信访部门受理工作评价为“满意”或“基本满意”的件数（满意 + 基本满意）÷ 已评价的信访件数。",
        by_department=False,
    ),
    Indicator(
        "handling_satisfaction",
        "满意率（办理）",
        "handling_satisfied",
        "evaluated",
        "对责任单位办理工作评价为“满意”或“基本满意”的件数（满意 + 基本满意）÷ 已评价的信访件数。"
        "按单位统计的满意率即为此项。",
    ),
    Indicator(
        "repeat",
        "重复信访率",
        "repeat",
        "received",
        "重复信访件数 ÷ 登记的全部信访件数。此项越低越好。",
        higher_is_better=False,
    ),
    Indicator(
        "first_time_resolution",
        "一次性化解率",
        "closed_without_review",
        "closed",
        "已销号、未申请复查，且统计期内信访人未就同一事项再次信访的信访件数 ÷ 已销号的信访件数。",
    ),
)
DEPARTMENT_INDICATORS = tuple(i for i in INDICATORS if i.by_department)


def _rates(counts: Counts, indicators: tuple[Indicator, ...]) -> dict[str, float | None]:
    return {i.key: counts.rate(i) for i in indicators}


# --- the report ----------------------------------------------------------------------------------------------
@dataclass
class MonthRow:
    month: dt.date  # first day of the month
    by_channel: dict[Channel, int] = field(default_factory=lambda: dict.fromkeys(Channel, 0))
    by_case_type: dict[CaseType, int] = field(default_factory=lambda: dict.fromkeys(CaseType, 0))

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())

    def as_dict(self) -> dict:
        return {
            "month": f"{self.month:%Y-%m}",
            "total": self.total,
            "by_channel": {c.value: n for c, n in self.by_channel.items()},
            "by_case_type": {t.value: n for t, n in self.by_case_type.items()},
        }


@dataclass
class DepartmentRow:
    id: int
    name: str
    counts: Counts

    @property
    def rates(self) -> dict[str, float | None]:
        return _rates(self.counts, DEPARTMENT_INDICATORS)

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "totals": self.counts.as_dict(), "rates": self.rates}


@dataclass
class Report:
    period: Period
    as_of: dt.date  # the day clocks were judged on
    overall: Counts
    unassigned: Counts  # cases with no department (not accepted, forwarded, not yet assigned): overall only
    departments: list[DepartmentRow]
    monthly: list[MonthRow]

    @property
    def rates(self) -> dict[str, float | None]:
        return _rates(self.overall, INDICATORS)

    def channel_totals(self) -> dict[Channel, int]:
        return {c: sum(m.by_channel[c] for m in self.monthly) for c in Channel}

    def case_type_totals(self) -> dict[CaseType, int]:
        return {t: sum(m.by_case_type[t] for m in self.monthly) for t in CaseType}

    def as_dict(self) -> dict:
        """The JSON of ``GET /api/v1/stats`` (its schema is ``OPENAPI_PATHS`` in ``portal.stats.views``)."""
        return {
            "period": self.period.as_dict(),
            "as_of": self.as_of.isoformat(),
            "totals": self.overall.as_dict(),
            "rates": self.rates,
            "unassigned": self.unassigned.as_dict(),
            "monthly": [m.as_dict() for m in self.monthly],
            "departments": [d.as_dict() for d in self.departments],
            "labels": {
                "channels": {c.value: c.label for c in Channel},
                "case_types": {t.value: t.label for t in CaseType},
                "rates": {i.key: i.label for i in INDICATORS},
            },
        }


def _flag(condition):
    return func.sum(when((condition, 1), else_=0))


def _repeated_in(period: Period):
    """A later petition on the same matter received in ``period``: a repeat of this case, or a later repeat of the
    case this one repeats."""
    later = aliased(Case)
    same_matter = db.or_(
        later.repeat_of_id == Case.id,
        db.and_(Case.repeat_of_id.is_not(None), later.repeat_of_id == Case.repeat_of_id, later.id > Case.id),
    )
    return db.select(later.id).where(same_matter, later.received_on.between(period.start, period.end)).exists()


def conditions(today: dt.date, period: Period) -> dict[str, tuple]:
    """What each ``Counts`` field counts, written once: (a condition on the case, a condition on its evaluation).
    The GROUP BY below sums them over a join on evaluations; the case lists behind the staff dashboard's numbers
    (``where_counted``) filter cases by the same two conditions."""
    satisfied = list(SATISFIED)
    has_evaluation = Evaluation.id.is_not(None)
    return {
        "received": (None, None),
        "repeat": (Case.repeat_of_id.is_not(None), None),
        "skipped_level": (Case.skipped_level.is_(True), None),
        "acceptance_counted": (db.or_(Case.accept_due < today, Case.decided_on.is_not(None)), None),
        "decided_in_time": (db.and_(Case.decided_on.is_not(None), Case.decided_on <= Case.accept_due), None),
        "handling_counted": (db.or_(Case.handle_due < today, Case.replied_on.is_not(None)), None),
        "replied_in_time": (db.and_(Case.replied_on.is_not(None), Case.replied_on <= Case.handle_due), None),
        "delivered": (Case.delivered_on.is_not(None), None),
        "evaluated": (None, has_evaluation),
        "acceptance_satisfied": (None, Evaluation.acceptance.in_(satisfied)),
        "handling_satisfied": (None, Evaluation.handling.in_(satisfied)),
        "closed": (Case.status == Status.CLOSED, None),
        "closed_without_review": (
            db.and_(Case.status == Status.CLOSED, Case.review_level == 0, db.not_(_repeated_in(period))),
            None,
        ),
    }


def where_counted(field_name: str, today: dt.date, period: Period):
    """The cases that ``Counts.<field_name>`` counts (received in ``period`` is the caller's filter), as a WHERE
    clause on ``Case`` alone: the staff dashboard links every number to this list."""
    on_case, on_evaluation = conditions(today, period)[field_name]
    clauses = [c for c in (on_case,) if c is not None]
    if on_evaluation is not None:
        clauses.append(Case.evaluation.has(on_evaluation))
    return db.and_(db.true(), *clauses)


def _count_columns(today: dt.date, period: Period) -> list:
    """One SUM(CASE …) per ``Counts`` field, in field order; the query joins evaluations (one per case at most)."""
    table = conditions(today, period)
    columns = []
    for f in fields(Counts):
        on_case, on_evaluation = table[f.name]
        both = [c for c in (on_case, on_evaluation) if c is not None]
        columns.append(func.count(Case.id) if not both else _flag(db.and_(*both)))
    return columns


def _in_period(period: Period):
    return Case.received_on.between(period.start, period.end)


def _petition_office():
    return db.select(func.min(Department.id)).where(Department.kind == Kind.PETITION_OFFICE).scalar_subquery()


def acceptance_held_by(department_id: int):
    """The cases whose acceptance step ``department_id`` held (the rule of ``build_report``, as a filter)."""
    registered_there = db.select(User.id).where(User.department_id == department_id)
    return db.or_(
        Case.registered_by_id.in_(registered_there),
        db.and_(Case.registered_by_id.is_(None), _petition_office() == department_id),
    )


def build_report(period: Period, today: dt.date, where=None) -> Report:
    """Count every indicator of ``period``, overall, by department and by month. ``where``: a further condition on
    ``Case`` (a department-scoped viewer's own department). The whole months of the period come from the kept counts
    (``portal.stats.kept``; a few thousand rows), the days at its edges and any ``where`` from the cases: two GROUP BY
    queries over each part."""
    names = dict(db.session.execute(db.select(Department.id, Department.name)).all())
    by_department: dict[tuple, Counts] = {}
    months = {m: MonthRow(m) for m in period.months}
    kept, live = _parts(period) if where is None else (None, [(period.start, period.end)])
    if kept is not None:
        _kept_report(period, today, kept, by_department, months)
    for start, end in live:
        _live_report(period, today, start, end, where, by_department, months)
    overall, unassigned, rows = Counts(), Counts(), {}
    for (department_id, holder_id), counts in by_department.items():
        overall += counts
        step, rest = counts.split()
        for key, part in ((holder_id, step), (department_id, rest)):
            if key is None:
                unassigned += part
            else:
                rows.setdefault(key, DepartmentRow(key, names.get(key), Counts())).counts += part
    departments = sorted(rows.values(), key=lambda d: (-d.counts.received, d.name))
    return Report(
        period=period,
        as_of=today,
        overall=overall,
        unassigned=unassigned,
        departments=departments,
        monthly=list(months.values()),
    )


def _live_report(period: Period, today: dt.date, start: dt.date, end: dt.date, where, by_department, months) -> None:
    """The cases received ``start``–``end`` (inside ``period``) counted from the cases, added to the tallies."""
    scope = db.true() if where is None else where
    registrar = aliased(User)
    # Who held the acceptance step: the office of the clerk who registered the case; a case that came in online
    # (no clerk) was received by the petition office. ``acceptance_held_by`` is the same rule as a filter.
    holder = func.coalesce(registrar.department_id, _petition_office())
    received = Case.received_on.between(start, end)
    department_rows = db.session.execute(
        db.select(Case.department_id, holder, *_count_columns(today, period))
        .select_from(Case)
        .outerjoin(Evaluation, Evaluation.case_id == Case.id)
        .outerjoin(registrar, registrar.id == Case.registered_by_id)
        .group_by(Case.department_id, holder)
        .where(received, scope)
    ).all()
    for department_id, holder_id, *values in department_rows:
        _tally(by_department, (department_id, holder_id), _counts(values))
    # Grouped by day, folded into months here: month functions differ between SQLite and PostgreSQL.
    daily = db.session.execute(
        db.select(Case.received_on, Case.channel, Case.case_type, func.count(Case.id))
        .where(received, scope)
        .group_by(Case.received_on, Case.channel, Case.case_type)
    ).all()
    for received_on, channel, case_type, n in daily:
        row = months[received_on.replace(day=1)]
        row.by_channel[channel] += n
        row.by_case_type[case_type] += n


def _tally(tallies: dict, key, counts: Counts) -> None:
    if key in tallies:
        tallies[key] += counts
    else:
        tallies[key] = counts


def _parts(period: Period) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """(the first and last whole month of ``period`` the kept counts serve, or None; the spans of days left over).
    A period that ends today or later takes its last month whole: no case is received after today."""
    from portal.localtime import today as real_today

    first = period.start if period.start.day == 1 else _add_months(period.start.replace(day=1), 1)
    last_month = period.end.replace(day=1)
    if (period.end + dt.timedelta(days=1)).day != 1 and period.end < real_today():
        last_month = _add_months(last_month, -1)
    if first > last_month:
        return None, [(period.start, period.end)]
    live = []
    if period.start < first:
        live.append((period.start, first - dt.timedelta(days=1)))
    after = _add_months(last_month, 1)
    if after <= period.end:
        live.append((after, period.end))
    return (first, last_month), live


def _kept_columns(today: dt.date) -> list:
    """One SUM per ``Counts`` field over the kept rows, in field order."""

    def due(column):
        return func.sum(when((column < today, k.received), else_=0))

    return [
        func.sum(k.received),
        func.sum(k.repeat),
        func.sum(k.skipped_level),
        func.sum(k.decided) + due(k.accept_open_due),
        func.sum(k.decided_in_time),
        func.sum(k.replied) + due(k.handle_open_due),
        func.sum(k.replied_in_time),
        func.sum(k.delivered),
        func.sum(k.evaluated),
        func.sum(k.acceptance_satisfied),
        func.sum(k.handling_satisfied),
        func.sum(k.closed),
        func.sum(k.closed_no_review),
    ]


def _kept_report(period: Period, today: dt.date, kept, by_department, months) -> None:
    office = db.session.execute(db.select(_petition_office())).scalar()
    clerks = dict(db.session.execute(db.select(User.id, User.department_id)).all())
    found = db.session.execute(
        db.select(k.month, k.department_id, k.registered_by_id, k.channel, k.case_type, *_kept_columns(today))
        .where(k.month.between(*kept))
        .group_by(k.month, k.department_id, k.registered_by_id, k.channel, k.case_type)
    ).all()
    for month, department_id, clerk_id, channel, case_type, *values in found:
        counts = _counts(values)
        if not counts.received:
            continue
        holder = (clerks.get(clerk_id) if clerk_id != NONE else None) or office
        _tally(by_department, (department_id or None, holder), counts)
        row = months[month]
        row.by_channel[channel] += counts.received
        row.by_case_type[case_type] += counts.received
    # 一次性化解: the closed, never reviewed cases followed by a repeat received in the period are not counted.
    for _received_on, department_id, n in _repeated_closed(period, *kept):
        _tally(by_department, (department_id, None), Counts(closed_without_review=-n))


def _repeated_closed(period: Period, first_month: dt.date, last_month: dt.date, column=None, by_day: bool = True):
    """([day received,] ``column`` (the department), how many) of the closed, never reviewed cases received in the
    kept months that
    ``_repeated_in(period)`` excludes from 一次性化解 — found from the repeats received in the period (a few
    percent of the cases) instead of testing every closed case."""
    later, earlier = aliased(Case), aliased(Case)
    in_period = later.received_on.between(period.start, period.end)
    repeated = db.union(
        db.select(later.repeat_of_id).where(in_period, later.repeat_of_id.is_not(None)),
        db.select(earlier.id)
        .join(later, db.and_(later.repeat_of_id == earlier.repeat_of_id, later.id > earlier.id))
        .where(in_period, earlier.repeat_of_id.is_not(None)),
    )
    groups = [Case.received_on] if by_day else []
    groups.append(Case.department_id if column is None else column)
    return db.session.execute(
        db.select(*groups, func.count(Case.id))
        .where(
            Case.id.in_(repeated),
            Case.received_on.between(first_month, _add_months(last_month, 1) - dt.timedelta(days=1)),
            Case.status == Status.CLOSED,
            Case.review_level == 0,
        )
        .group_by(*groups)
    ).all()


def stats_dict(period: Period, today: dt.date) -> dict:
    """The JSON-ready statistics of ``period`` (what ``GET /api/v1/stats`` returns)."""
    return build_report(period, today).as_dict()


# --- the staff dashboard: by any dimension, and by month -------------------------------------------------------
class Dimension(enum.StrEnum):
    DEPARTMENT = "department"
    LEADER = "leader"
    CHANNEL = "channel"
    CASE_TYPE = "case_type"
    CATEGORY = "category"
    PLACE_AREA = "place_area"

    @property
    def label(self) -> str:
        return {
            "department": "责任单位",
            "leader": "包案领导",
            "channel": "渠道",
            "case_type": "信访类型",
            "category": "内容分类",
            "place_area": "问题属地",
        }[self.value]

    @property
    def none_label(self) -> str:
        """The row of cases that have no value of this dimension."""
        return {
            "department": "未交办（只计入合计）",
            "leader": "无包案领导",
            "category": "未分类",
            "place_area": "未选问题属地",
        }.get(self.value, "")


@dataclass
class GroupRow:
    """One value of a dimension (a department, a leader, a channel, …); ``key`` None is the row of cases without."""

    key: int | str | None
    label: str
    counts: Counts

    def rates(self, indicators: tuple[Indicator, ...] = INDICATORS) -> dict[str, float | None]:
        return _rates(self.counts, indicators)


def breakdown(period: Period, today: dt.date, dimension: Dimension, where=None) -> list[GroupRow]:
    """Every indicator of ``period`` for each value of ``dimension``, most cases first; one GROUP BY query (two for
    departments, whose acceptance step is counted where it was held: ``build_report``)."""
    if dimension is Dimension.DEPARTMENT:
        report = build_report(period, today, where)
        rows = [GroupRow(d.id, d.name, d.counts) for d in report.departments]
        if report.unassigned.received or report.unassigned.acceptance_counted:
            rows.append(GroupRow(None, dimension.none_label, report.unassigned))
        return rows
    scope = db.true() if where is None else where
    key, name, join = _dimension_columns(dimension)
    tallies: dict = {}
    spans = [(period.start, period.end)]
    if dimension in (Dimension.CHANNEL, Dimension.CASE_TYPE) and where is None:
        # Channel and case type are keys of the kept counts: whole months are summed from them.
        kept, spans = _parts(period)
        if kept is not None:
            kept_key = k.channel if dimension is Dimension.CHANNEL else k.case_type
            found = db.session.execute(
                db.select(kept_key, *_kept_columns(today)).where(k.month.between(*kept)).group_by(kept_key)
            ).all()
            for value, *values in found:
                _tally(tallies, (value, ""), _counts(values))
            for value, n in _repeated_closed(period, *kept, column=key, by_day=False):
                _tally(tallies, (value, ""), Counts(closed_without_review=-n))
    for start, end in spans:
        stmt = db.select(key, name, *_count_columns(today, period)).select_from(Case)
        stmt = stmt.outerjoin(Evaluation, Evaluation.case_id == Case.id)
        if join is not None:
            stmt = stmt.outerjoin(*join)
        found = db.session.execute(stmt.where(Case.received_on.between(start, end), scope).group_by(key, name))
        for value, label, *values in found.all():
            _tally(tallies, (value, label), _counts(values))
    rows = []
    for (value, label), counts in tallies.items():
        if not counts.received:
            continue
        if isinstance(value, enum.Enum):
            label, value = value.label, value.value
        rows.append(GroupRow(value, label if value is not None else dimension.none_label, counts))
    return sorted(rows, key=lambda r: (r.key is None, -r.counts.received, str(r.label)))


def _dimension_columns(dimension: Dimension):
    """(the grouped column, the name shown, the join that brings the name) of a dimension other than department."""
    if dimension is Dimension.LEADER:
        return Case.owner_leader_id, User.name, (User, User.id == Case.owner_leader_id)
    if dimension is Dimension.CATEGORY:
        return Case.category_id, Category.name, (Category, Category.id == Case.category_id)
    if dimension is Dimension.PLACE_AREA:
        return Case.place_area_id, Department.name, (Department, Department.id == Case.place_area_id)
    column = Case.channel if dimension is Dimension.CHANNEL else Case.case_type
    return column, db.literal(""), None


def _counts(values) -> Counts:
    return Counts(*(int(v or 0) for v in values))


def trend(period: Period, today: dt.date, where=None) -> list[tuple[dt.date, Counts]]:
    """Every indicator month by month (by the month a case was received): the whole months from the kept counts
    (without ``where``), the rest by one GROUP BY query by day, folded into months here (month functions differ
    between SQLite and PostgreSQL)."""
    months = {m: Counts() for m in period.months}
    kept, live = _parts(period) if where is None else (None, [(period.start, period.end)])
    if kept is not None:
        found = db.session.execute(
            db.select(k.month, *_kept_columns(today)).where(k.month.between(*kept)).group_by(k.month)
        ).all()
        for month, *values in found:
            months[month] += _counts(values)
        for received_on, _department_id, n in _repeated_closed(period, *kept):
            months[received_on.replace(day=1)].closed_without_review -= n
    scope = db.true() if where is None else where
    for start, end in live:
        daily = db.session.execute(
            db.select(Case.received_on, *_count_columns(today, period))
            .select_from(Case)
            .outerjoin(Evaluation, Evaluation.case_id == Case.id)
            .where(Case.received_on.between(start, end), scope)
            .group_by(Case.received_on)
        ).all()
        for received_on, *values in daily:
            months[received_on.replace(day=1)] += _counts(values)
    return list(months.items())
