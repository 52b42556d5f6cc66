"""What each report says, as plain JSON-ready dicts (the snapshot a published report keeps). No Flask here.

每周汇总 counts the steps taken in the week; 两月通报 ranks the departments by the indicators of DESIGN §7
(``portal.stats.indicators``, the one implementation) and carries the grassroots network's numbers and 形象测评
(``portal.grassroots.numbers``); 半月督办通报 lists the 督办单 running in the half month with
their answers and escalations (``portal.supervision.queries``). Only aggregates, case codes and titles,
departments, leaders, dates and what the 督办 chain said go in — never a petitioner, and neither the title nor the
words of a sealed case (条例 art.30).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import case as when
from sqlalchemy import func
from sqlalchemy.orm import contains_eager, lazyload, selectinload

from portal.accounts.models import User
from portal.agents.models import period_label
from portal.cases.models import SEALED_TITLE, Case, Channel, Status
from portal.cases.supervision import Supervision
from portal.extensions import db
from portal.grassroots.numbers import AreaNumbers, area_numbers, half_years, image_ratings
from portal.org.models import Department
from portal.reports.models import ReportKind
from portal.stats.indicators import DEPARTMENT_INDICATORS, Period, build_report
from portal.supervision.queries import running_between

# Decided, but not taken up: these never enter handling.
NOT_TAKEN_UP = (Status.NOT_ACCEPTED, Status.FORWARDED, Status.MERGED)


# --- 每周汇总 -------------------------------------------------------------------------------------------------------
@dataclass
class WeekCounts:
    """The columns of the weekly summary. Steps are counted by the day they were taken, inside the week; the two
    states are taken at the end of its last day, from the dates stored on each case."""

    received: int = 0  # 新登记: received in the week
    accepted: int = 0  # 受理: the acceptance decision taken in the week, and it was to accept
    in_progress: int = 0  # 在办: accepted by the end of the week and not yet answered then
    replied: int = 0  # 答复: the first reply published in the week
    closed: int = 0  # 销号: marked off in the week
    # 超期: at the end of the week, a decision or a reply whose due day had passed without it
    overdue: int = 0

    def add(self, other: WeekCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


WEEK_COLUMNS = {
    "received": "新登记",
    "accepted": "受理",
    "in_progress": "在办（期末）",
    "replied": "答复",
    "closed": "销号",
    "overdue": "超期（期末）",
}
WEEK_DEFINITIONS = {
    "received": "本期收到并登记的信访件。",
    "accepted": "本期作出受理决定且决定受理的信访件（不予受理、转送、并案的不计）。",
    "in_progress": "截至期末已受理、尚未出具答复的信访件。",
    "replied": "本期首次出具书面答复的信访件。",
    "closed": "本期销号的信访件。",
    "overdue": "截至期末，受理期限已过仍未作出受理决定，或办理期限（含延期）已过仍未答复的信访件。",
}


def _week_columns(period: Period) -> list:
    start, end = period.start, period.end
    taken_up = Case.status.not_in(NOT_TAKEN_UP)
    accepted_by_end = db.and_(Case.decided_on <= end, taken_up)
    unanswered_at_end = db.or_(Case.replied_on.is_(None), Case.replied_on > end)
    undecided_at_end = db.or_(Case.decided_on.is_(None), Case.decided_on > end)
    late_decision = db.and_(Case.received_on <= end, Case.accept_due <= end, undecided_at_end)
    late_reply = db.and_(accepted_by_end, Case.handle_due <= end, unanswered_at_end)

    def flag(condition):
        return func.sum(when((condition, 1), else_=0))

    return [
        flag(Case.received_on.between(start, end)),
        flag(db.and_(Case.decided_on.between(start, end), taken_up)),
        flag(db.and_(accepted_by_end, unanswered_at_end)),
        flag(Case.replied_on.between(start, end)),
        flag(Case.closed_on.between(start, end)),
        flag(db.or_(late_decision, late_reply)),
    ]


def _week_scope(period: Period):
    """Every case one of the columns can count: stepped in the week, or still open at its end."""
    start, end = period.start, period.end
    return db.and_(
        Case.received_on <= end,
        db.or_(
            Case.received_on >= start,
            Case.decided_on >= start,
            Case.decided_on.is_(None),
            Case.replied_on >= start,
            Case.replied_on.is_(None),
            Case.closed_on >= start,
        ),
    )


def weekly(period: Period) -> dict:
    """每周汇总: the columns by department (assigned to) and by channel; one GROUP BY query."""
    found = db.session.execute(
        db.select(Case.department_id, Department.name, Case.channel, *_week_columns(period))
        .select_from(Case)
        .outerjoin(Department, Department.id == Case.department_id)
        .where(_week_scope(period))
        .group_by(Case.department_id, Department.name, Case.channel)
    ).all()
    total, departments, channels = WeekCounts(), {}, {c: WeekCounts() for c in Channel}
    for department_id, name, channel, *values in found:
        counts = WeekCounts(*(int(v or 0) for v in values))
        total.add(counts)
        channels[channel].add(counts)
        row = departments.setdefault(department_id, (name or "未交办", WeekCounts()))
        row[1].add(counts)
    by_department = sorted(
        ({"id": key, "name": name, **counts.as_dict()} for key, (name, counts) in departments.items()),
        key=lambda r: (r["id"] is None, -r["received"], -r["in_progress"], r["name"]),
    )
    by_department = [r for r in by_department if any(r[k] for k in WEEK_COLUMNS)]
    return {
        "columns": WEEK_COLUMNS,
        "definitions": WEEK_DEFINITIONS,
        "totals": total.as_dict(),
        "by_department": by_department,
        "by_channel": [{"key": c.value, "name": c.label, **channels[c].as_dict()} for c in Channel],
    }


# --- 两月通报 ------------------------------------------------------------------------------------------------------
RANKING_NOTE = (
    "综合得分为本单位各项指标（及时受理率、按期办结率、参评率、满意率（办理）、一次性化解率，以及 1 − 重复信访率）"
    "中有统计数据的各项的平均值，按得分由高到低排名；本期没有交办信访件的单位不参与排名。"
)


def _score(rates: dict[str, float | None]) -> float | None:
    values = []
    for indicator in DEPARTMENT_INDICATORS:
        rate = rates.get(indicator.key)
        if rate is not None:
            values.append(rate if indicator.higher_is_better else 1 - rate)
    return round(sum(values) / len(values), 4) if values else None


def _ranked(period: Period, as_of: dt.date) -> dict[int, dict]:
    report = build_report(period, as_of)
    rows = {}
    for d in report.departments:
        rates = d.rates
        rows[d.id] = {
            "id": d.id,
            "name": d.name,
            "received": d.counts.received,
            "rates": rates,
            "fractions": {
                i.key: [getattr(d.counts, i.numerator), getattr(d.counts, i.denominator)] for i in DEPARTMENT_INDICATORS
            },
            "score": _score(rates) if d.counts.received else None,
        }
    ranked = sorted((r for r in rows.values() if r["score"] is not None), key=lambda r: (-r["score"], r["name"]))
    for place, row in enumerate(ranked, start=1):
        row["rank"] = place
    for row in rows.values():
        row.setdefault("rank", None)
    return rows


GRASSROOTS_COLUMNS = {
    "received": "代理受理",
    "settled_village": "村级化解",
    "settled_township": "乡级化解",
    "carried_up": "代言代访",
    "skipped_level": "越级信访",
}
GRASSROOTS_NOTE = (
    "事项按收到日期计入；村的数字含其村民小组；乡镇合计含所辖各村。越级信访按信访件的问题属地（未记录的按“问题发生地”）归属。"
    "日报告及时率＝按时报送（含零报告）的日报告数÷应报天数；代理员评议满意率＝（满意＋基本满意）÷群众评议数。"
    "部门单位信访工作形象测评由信访代理员每半年评议一次，列出本期所在半年度的测评。"
)


def _area(row: AreaNumbers) -> dict:
    return {
        "id": row.area.id,
        "name": row.area.name,
        **{key: getattr(row, key) for key in GRASSROOTS_COLUMNS},
        "reports_on_time": row.reports_on_time,
        "reports_due": row.reports_due,
        "punctuality": row.punctuality,
        "rated": row.rated,
        "satisfied": row.satisfied,
        "satisfaction": row.satisfaction,
    }


def grassroots(period: Period, as_of: dt.date) -> dict:
    """The grassroots network's numbers per township (with its villages) for the period, and the agents'
    形象测评 of the departments for the half-years it touches (``portal.grassroots.numbers``, the one
    implementation). Report days are judged at the start of ``as_of``: every day of the period is due by then."""
    townships = area_numbers(period.start, period.end, dt.datetime.combine(as_of, dt.time.min))
    periods = half_years(period.start, period.end)
    images = [r for p in periods for r in image_ratings(p)]
    return {
        "columns": GRASSROOTS_COLUMNS,
        "townships": [{**_area(t), "villages": [_area(v) for v in t.villages]} for t in townships],
        "image_periods": [period_label(p) for p in periods],
        "images": [
            {
                "period": r.period_label,
                "department_id": r.department.id,
                "department": r.department.name,
                "satisfied": r.satisfied,
                "basically": r.basically,
                "unsatisfied": r.unsatisfied,
                "count": r.count,
                "rate": r.rate,
            }
            for r in images
        ],
        "note": GRASSROOTS_NOTE,
    }


def bi_monthly(period: Period, as_of: dt.date) -> dict:
    """两月通报: each department's indicators of the period, its score and rank, and the same of the period before
    (judged on the same day), side by side."""
    previous = period.previous()
    now_rows, before = _ranked(period, as_of), _ranked(previous, as_of)
    rows = []
    for key, row in now_rows.items():
        last = before.get(key)
        rows.append(
            {
                **row,
                "previous": None
                if last is None
                else {"rank": last["rank"], "score": last["score"], "rates": last["rates"]},
            }
        )
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
    overall = build_report(period, as_of)
    return {
        "indicators": [{"key": i.key, "label": i.label, "definition": i.definition} for i in DEPARTMENT_INDICATORS],
        "overall": {"received": overall.overall.received, "rates": overall.rates},
        "previous_period": {"start": previous.start.isoformat(), "end": previous.end.isoformat()},
        "departments": rows,
        "note": RANKING_NOTE,
        "grassroots": grassroots(period, as_of),
    }


# --- 半月督办通报 ------------------------------------------------------------------------------------------------
TEXT_LIMIT = 200


def half_monthly(period: Period, as_of: dt.date) -> dict:
    """半月督办通报: every 督办单 running in the period (portal.supervision.queries.running_between): its case,
    department, reason, stage and state, its reply deadline and lateness on ``as_of``, and the chain's steps of the
    period — the notice, the department's answers, 催办, 约谈, 问责 — with what each said (not for a sealed case)."""
    supervisions = (
        db.session.execute(
            db.select(Supervision)
            .join(Supervision.case)
            .where(running_between(period.start, period.end))
            .order_by(Supervision.department_id, Supervision.issued_on, Supervision.id)
            .options(
                contains_eager(Supervision.case).options(lazyload(Case.petitioner), lazyload(Case.category)),
                selectinload(Supervision.answers),
                selectinload(Supervision.urgings),
                selectinload(Supervision.interviews),
                selectinload(Supervision.proposal),
            )
        )
        .unique()
        .scalars()
        .all()
    )
    leader_ids = {s.case.owner_leader_id for s in supervisions if s.case.owner_leader_id}
    leaders = dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(leader_ids))).all())
    rows, by_department = [], {}
    for s in supervisions:
        c = s.case
        steps = [
            {
                "at": day.isoformat(),
                "title": title,
                # What the chain says is the circular's point; a sealed case's words stay inside (条例 art.30).
                "text": "" if c.sealed else (text or "")[:TEXT_LIMIT],
            }
            for day, title, text in s.steps()
            if period.start <= day <= period.end
        ]
        answer = s.latest_answer
        late = s.days_late(as_of)
        rows.append(
            {
                "number": s.number,
                "code": c.tracking_code,
                "title": SEALED_TITLE if c.sealed else c.title,
                "department_id": s.department_id,
                "department": s.department.name,
                "owner_leader": leaders.get(c.owner_leader_id, ""),
                "reason": s.reason.label,
                "stage": s.stage.label,
                "state": s.state.label,
                "open": s.is_open,
                "issued_on": s.issued_on.isoformat(),
                "reply_due": s.reply_due.isoformat(),
                "days_late": late,
                "answer": None
                if answer is None
                else {
                    "on": answer.answered_on.isoformat(),
                    "late": answer.late,
                    "text": "" if c.sealed else answer.text[:TEXT_LIMIT],
                },
                "steps": steps,
            }
        )
        tally = by_department.setdefault(
            s.department.name, {"name": s.department.name, "supervisions": 0, "open": 0, "late": 0, "answered": 0}
        )
        tally["supervisions"] += 1
        tally["open"] += 1 if s.is_open else 0
        tally["late"] += 1 if s.late(as_of) else 0
        tally["answered"] += 1 if s.answers else 0
    in_period = [r for r in rows if period.start.isoformat() <= r["issued_on"] <= period.end.isoformat()]
    return {
        "supervisions": rows,
        "by_department": sorted(by_department.values(), key=lambda r: (-r["late"], -r["open"], r["name"])),
        "totals": {
            "running": len(rows),
            "new": len(in_period),
            "open": sum(1 for r in rows if r["open"]),
            "late": sum(1 for r in rows if r["open"] and r["days_late"]),
            "answered": sum(1 for r in rows if r["answer"]),
            "escalated": sum(1 for r in rows if r["stage"] != "督办"),
        },
    }


def build(kind: ReportKind, period: Period, as_of: dt.date) -> dict:
    if kind is ReportKind.WEEKLY:
        return weekly(period)
    if kind is ReportKind.HALF_MONTHLY:
        return half_monthly(period, as_of)
    return bi_monthly(period, as_of)


# --- which periods are due ------------------------------------------------------------------------------------
def last_complete(kind: ReportKind, day: dt.date) -> Period:
    """The latest period of ``kind`` that has ended before ``day``."""
    if kind is ReportKind.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return Period.between(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    if kind is ReportKind.HALF_MONTHLY:
        if day.day >= 16:
            return Period.between(day.replace(day=1), day.replace(day=15))
        last_month_end = day.replace(day=1) - dt.timedelta(days=1)
        return Period.between(last_month_end.replace(day=16), last_month_end)
    # Two-month periods: January–February, March–April, …, November–December.
    first = day.replace(day=1)
    month_index = first.year * 12 + first.month - 1
    start_index = month_index - (month_index % 2) - 2  # the pair that ended before the current pair
    start = dt.date(start_index // 12, start_index % 12 + 1, 1)
    end_index = start_index + 2
    end = dt.date(end_index // 12, end_index % 12 + 1, 1) - dt.timedelta(days=1)
    return Period.between(start, end)


def due_on(day: dt.date) -> list[tuple[ReportKind, Period]]:
    """The reports whose day it is: Monday the week before, the 1st and 16th the half month before, the 1st of
    January, March, May, July, September and November the two months before."""
    due = []
    if day.weekday() == 0:
        due.append((ReportKind.WEEKLY, last_complete(ReportKind.WEEKLY, day)))
    if day.day in (1, 16):
        due.append((ReportKind.HALF_MONTHLY, last_complete(ReportKind.HALF_MONTHLY, day)))
    if day.day == 1 and day.month % 2 == 1:
        due.append((ReportKind.BI_MONTHLY, last_complete(ReportKind.BI_MONTHLY, day)))
    return due
