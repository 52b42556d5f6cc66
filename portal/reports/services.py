"""Publishing a report: the one place a ``PublishedReport`` is written. Takes plain arguments, flushes, never
commits (the job that calls it commits)."""

from __future__ import annotations

import datetime as dt

from portal.accounts.models import User
from portal.audit.services import record
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import today as local_today
from portal.numbering import allocate
from portal.reports import builders
from portal.reports.models import PublishedReport, ReportKind
from portal.stats.indicators import FIRST_YEAR, Period

MAX_DAYS = 366


def period_refusal(kind: ReportKind, start: dt.date | None, end: dt.date | None, today: dt.date) -> str | None:
    """Why a report of ``kind`` cannot be produced for ``start``–``end``; None when it can."""
    if start is None or end is None:
        return "请填写统计期间的起止日期。"
    if start > end:
        return "起始日期不能晚于截止日期。"
    if end >= today:
        return "统计期间须在今天之前结束：当天的数字还在变化。"
    if start.year < FIRST_YEAR:
        return f"统计期间不能早于 {FIRST_YEAR} 年。"
    if (end - start).days >= MAX_DAYS:
        return "统计期间最长一年。"
    return None


def find(kind: ReportKind, start: dt.date, end: dt.date) -> PublishedReport | None:
    return db.session.execute(
        db.select(PublishedReport).filter_by(kind=kind, period_start=start, period_end=end)
    ).scalar_one_or_none()


def publish(kind: ReportKind, start: dt.date, end: dt.date, actor: User | None = None) -> tuple[PublishedReport, bool]:
    """Publish the report of ``kind`` for ``start``–``end`` (``actor`` None: the schedule); return it and whether
    it is new. A period already published keeps its report: what was circulated stays what it said."""
    if actor is not None and not actor.can_produce_reports:
        raise NotAllowed("只有督查人员可以生成和发布通报。")
    today = local_today()
    if refusal := period_refusal(kind, start, end, today):
        raise DomainError(refusal)
    existing = find(kind, start, end)
    if existing is not None:
        return existing, False
    content = builders.build(kind, Period.between(start, end), today)
    # The number last, just before the row is written: the counter's lock is held until the commit.
    serial = allocate(f"report:{kind.value}", end.year)
    report = PublishedReport(
        kind=kind,
        period_start=start,
        period_end=end,
        year=end.year,
        serial=serial,
        number=f"{kind.prefix}〔{end.year}〕{serial}号",
        as_of=today,
        content=content,
        published_by_id=getattr(actor, "id", None),
    )
    db.session.add(report)
    db.session.flush()
    record(
        "report.publish",
        actor,
        report,
        actor_name=None if actor is not None else "定时任务",
        kind=kind.value,
        number=report.number,
        start=start.isoformat(),
        end=end.isoformat(),
    )
    return report, True


CATCH_UP_DAYS = 7


def publish_due(day: dt.date) -> list[str]:
    """The reports due on ``day`` (Monday, the 1st and 16th, every other 1st) and on the week before it (a worker
    that was down catches up), published unless they already are; returns the numbers of the new ones."""
    made = []
    for back in range(CATCH_UP_DAYS - 1, -1, -1):
        for kind, period in builders.due_on(day - dt.timedelta(days=back)):
            report, new = publish(kind, period.start, period.end)
            if new:
                made.append(report.number)
    return made
