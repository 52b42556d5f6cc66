"""The reporting board and report punctuality: one implementation, used by the board and the numbers page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.extensions import db
from portal.org.models import Department, Level
from portal.screening.models import DAILY_DEADLINE, DailyReport, reporting_areas


@dataclass(frozen=True)
class BoardRow:
    area: Department
    report: DailyReport | None
    state: str  # reported | zero | late | missing | due
    label: str


def areas_in(scope: Department | None) -> list[Department]:
    """The reporting areas of the county (``scope`` None) or of one township (itself and its villages): each
    township followed by its villages."""
    areas = list(db.session.execute(reporting_areas()).scalars())
    if scope is not None:
        areas = [a for a in areas if a.id == scope.id or a.parent_id == scope.id]
    by_id = {a.id: a for a in areas}

    def key(area: Department):
        home = area if area.level is Level.TOWNSHIP else by_id.get(area.parent_id, area)
        return (home.name, area.level is not Level.TOWNSHIP, area.name)

    return sorted(areas, key=key)


def _due_passed(day: dt.date, now: dt.datetime) -> bool:
    return day < now.date() or now.time() > DAILY_DEADLINE


def board(scope: Department | None, day: dt.date, now: dt.datetime) -> list[BoardRow]:
    """Who has reported for ``day`` (``now`` local): 已报, 零报告, 迟报 (filed after the deadline), 未报."""
    areas = areas_in(scope)
    reports = {
        r.area_id: r
        for r in db.session.execute(
            db.select(DailyReport).where(DailyReport.day == day, DailyReport.area_id.in_([a.id for a in areas]))
        ).scalars()
    }
    rows = []
    for area in areas:
        report = reports.get(area.id)
        if report is None:
            state, label = ("missing", "未报（已过时限）") if _due_passed(day, now) else ("due", "未报")
        elif not report.on_time:
            state, label = "late", "迟报" + ("（零报告）" if report.zero else f"（{len(report.disputes)}起）")
        elif report.zero:
            state, label = "zero", "零报告"
        else:
            state, label = "reported", f"已报 {len(report.disputes)} 起"
        rows.append(BoardRow(area, report, state, label))
    return rows


def punctuality(area_ids: list[int], start: dt.date, end: dt.date, now: dt.datetime) -> dict[int, tuple[int, int]]:
    """Report punctuality (日报告及时率) per area: (reports filed on time, report days due) for the days from
    ``start`` to ``end`` inclusive whose deadline has passed at ``now``. A zero report counts like any report;
    a late or missing one does not."""
    due_days = [start + dt.timedelta(n) for n in range((end - start).days + 1)]
    due_days = [d for d in due_days if _due_passed(d, now)]
    result = {area_id: (0, len(due_days)) for area_id in area_ids}
    if not due_days:
        return result
    reports = db.session.execute(
        db.select(DailyReport).where(
            DailyReport.area_id.in_(area_ids), DailyReport.day >= due_days[0], DailyReport.day <= due_days[-1]
        )
    ).scalars()
    on_time: dict[int, int] = {}
    for r in reports:
        if r.on_time:
            on_time[r.area_id] = on_time.get(r.area_id, 0) + 1
    return {area_id: (on_time.get(area_id, 0), len(due_days)) for area_id in area_ids}
