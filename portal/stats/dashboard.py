"""The staff dashboard (指标看板): the indicators of ``portal.stats.indicators`` by department, leader, channel,
case type, category and 问题属地, and month by month, over any span of days; every number links to the cases it
counts (the 信访件总台账 filtered to them, which shows each person only what they may see); exported as .xlsx.

Cost at a million cases: each table is one or two GROUP BY queries over ``received_on`` (indexed), seconds cold;
``portal.stats.cache`` keeps each for five minutes and the worker's ``warm_dashboard`` job recomputes the default
views as often, so a page is a few cache reads (see that module for the measurements).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask import abort, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from portal.audit.services import record
from portal.cases.models import Case
from portal.extensions import db
from portal.grassroots.numbers import can_see_numbers, numbers_in_scope
from portal.localtime import now, today
from portal.screening.models import board_scope
from portal.stats import bp, cache
from portal.stats.indicators import (
    ACCEPTANCE_FIELDS,
    DEPARTMENT_INDICATORS,
    FIRST_YEAR,
    INDICATORS,
    Counts,
    Dimension,
    GroupRow,
    Period,
    breakdown,
    trend,
)

MAX_DAYS = 3 * 366  # a longer span is a question for the API, not a page


@dataclass
class Board:
    period: Period
    as_of: dt.date
    dimension: Dimension
    rows: list[GroupRow]
    overall: Counts
    months: list[tuple[dt.date, Counts]]
    scope_label: str  # whose cases: 全县 or the viewer's department
    taken_at: dt.datetime  # when the numbers were counted (the cache may serve them for a few minutes)

    @property
    def indicators(self):
        return DEPARTMENT_INDICATORS if self.dimension is Dimension.DEPARTMENT else INDICATORS


def period_from_args(args, current: dt.date) -> tuple[Period, list[str]]:
    """The span ``start``–``end`` asked for (default: this year up to today) and a message per bad value."""
    messages = []
    start, end = default_period(current).start, current
    for name, label in (("start", "起始日期"), ("end", "截止日期")):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            messages.append(f"{label}“{raw[:20]}”不是“年-月-日”格式的日期，已按默认期间统计。")
            continue
        if not dt.date(FIRST_YEAR, 1, 1) <= value <= current:
            messages.append(f"{label}应在 {FIRST_YEAR} 年至今天之间，已按默认期间统计。")
            continue
        if name == "start":
            start = value
        else:
            end = value
    if start > end:
        messages.append("起始日期晚于截止日期，已按本年度统计。")
        start, end = dt.date(current.year, 1, 1), current
    if (end - start).days > MAX_DAYS:
        messages.append("统计期间最长三年，已从截止日期往前取三年。")
        start = end - dt.timedelta(days=MAX_DAYS)
    return Period.between(start, end), messages


def scope_for(user):
    """(the WHERE clause, its cache key, its label): a department-scoped person counts their department's cases."""
    if user.department_scoped:
        return Case.department_id == user.department_id, f"d{user.department_id}", user.department.name
    return None, "all", "全部信访件"


def _keys(scope_key: str, period: Period, dimension: Dimension, as_of: dt.date) -> tuple[tuple, tuple]:
    base = (scope_key, period.start.isoformat(), period.end.isoformat(), as_of.isoformat())
    return ("breakdown", dimension.value, *base), ("trend", *base)


def build_board(user, period: Period, dimension: Dimension, as_of: dt.date) -> Board:
    where, key, label = scope_for(user)
    rows_key, trend_key = _keys(key, period, dimension, as_of)
    rows, rows_at = cache.cached(rows_key, lambda: breakdown(period, as_of, dimension, where))
    months, months_at = cache.cached(trend_key, lambda: trend(period, as_of, where))
    overall = Counts()
    for row in rows:
        overall += row.counts
    return Board(period, as_of, dimension, rows, overall, months, label, min(rows_at, months_at))


def default_period(current: dt.date) -> Period:
    return Period.between(dt.date(current.year, 1, 1), current)


def warm(current: dt.date) -> int:
    """Recompute the default views (this year, every dimension, the whole county) into the cache; how many."""
    period = default_period(current)
    for dimension in Dimension:
        rows_key, trend_key = _keys("all", period, dimension, current)
        cache.refresh(rows_key, lambda d=dimension: breakdown(period, current, d))
    cache.refresh(trend_key, lambda: trend(period, current))
    return len(Dimension) + 1


def case_links(board: Board, user):
    """``link(row, field)``: the URL of the cases ``row``'s ``field`` counts (``row`` None: the whole table)."""
    base = {
        "received_from": board.period.start.isoformat(),
        "received_to": board.period.end.isoformat(),
        "owner": "",  # the leaders' own-cases default of some ledgers must not narrow a number's list
    }
    if user.department_scoped:
        base["department"] = str(user.department_id)
    parameter = {
        Dimension.DEPARTMENT: "department",
        Dimension.LEADER: "owner",
        Dimension.CHANNEL: "channel",
        Dimension.CASE_TYPE: "case_type",
        Dimension.CATEGORY: "category",
        Dimension.PLACE_AREA: "place_area",
    }[board.dimension]
    # The ledger's address built once and its query string per number: a board has a few hundred numbers, and a
    # url_for for each cost the dashboard ~14 ms.
    ledger = url_for("ledgers.show", name="all")

    def address(args: dict) -> str:
        return f"{ledger}?{urlencode(args)}"

    def link(row: GroupRow | None, field: str) -> str | None:
        args = dict(base)
        if field != "received":
            args["counted"] = field
        if row is not None:
            if board.dimension is Dimension.DEPARTMENT and field in ACCEPTANCE_FIELDS:
                if row.key is None:
                    return None  # an acceptance step nobody held: no office to list
                args["accepted_by"] = str(row.key)  # the office that held the step, not the assigned department
                args.pop("department", None)
            else:
                args[parameter] = "none" if row.key is None else str(row.key)
        return address(args)

    def month_link(month: dt.date, field: str) -> str:
        last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        args = dict(base)
        args["received_from"] = max(month, board.period.start).isoformat()
        args["received_to"] = min(last, board.period.end).isoformat()
        if field != "received":
            args["counted"] = field
        return address(args)

    return link, month_link


def _dimension(value: str | None) -> Dimension:
    try:
        return Dimension(value or Dimension.DEPARTMENT.value)
    except ValueError:
        return Dimension.DEPARTMENT


def _board_for_request() -> tuple[Board, list[str]]:
    if not current_user.can_read_reports:
        abort(403)
    current = today()
    period, messages = period_from_args(request.args, current)
    dimension = _dimension(request.args.get("by"))
    if request.args.get("by") and dimension.value != request.args.get("by"):
        messages.append("统计维度无效，已按责任单位统计。")
    return build_board(current_user, period, dimension, current), messages


@bp.route("/staff/dashboard")
@login_required
def dashboard():
    board, messages = _board_for_request()
    link, month_link = case_links(board, current_user)
    args = {"start": board.period.start.isoformat(), "end": board.period.end.isoformat()}
    grassroots = None
    if can_see_numbers(current_user):
        start, end, at = board.period.start, board.period.end, now().replace(tzinfo=None)
        grassroots = numbers_in_scope(board_scope(current_user), start, end, at)
    return render_template(
        "stats/dashboard.html",
        board=board,
        grassroots=grassroots,
        messages=messages,
        dimensions=list(Dimension),
        link=link,
        month_link=month_link,
        args=args,
        export_url=url_for("stats.dashboard_export", by=board.dimension.value, **args),
    )


@bp.route("/staff/dashboard/export.xlsx")
@login_required
def dashboard_export():
    from portal.stats.export import dashboard_workbook

    board, messages = _board_for_request()
    record(
        "stats.export",
        current_user,
        None,
        by=board.dimension.value,
        start=board.period.start.isoformat(),
        end=board.period.end.isoformat(),
    )
    db.session.commit()
    notes = [
        ("统计期间", f"{board.period.label}（按收到日期）"),
        ("期限判断日", board.as_of.isoformat()),
        ("统计范围", board.scope_label),
        ("导出时间", now().strftime("%Y-%m-%d %H:%M")),
        ("导出人", f"{current_user.name}（{current_user.username}）"),
        *(("已忽略", m) for m in messages),
    ]
    name = f"信访指标-{board.dimension.label}-{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}.xlsx"
    response = send_file(
        dashboard_workbook(board, notes),
        as_attachment=True,
        download_name=name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        max_age=0,
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="indicators-{board.dimension.value}-{board.period.start:%Y%m%d}.xlsx"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
