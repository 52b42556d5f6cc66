"""The only place screening reports change: a dispute reported, a zero report, the weekly report, a dispute
mediated or turned into a case. Flush, never commit; every change audited."""

from __future__ import annotations

import datetime as dt

from portal.accounts.models import User
from portal.audit.services import record
from portal.cases import services as cases
from portal.cases.models import Case, CaseType, Channel
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import today as local_today
from portal.screening.models import (
    DailyReport,
    Dispute,
    DisputeKind,
    DisputeState,
    Risk,
    WeeklyReport,
    reports_for,
    week_start,
)
from portal.validation import contact, limited, required


def _check_filer(actor: User) -> None:
    if not reports_for(actor, actor.department):
        raise NotAllowed("只有本村（社区）、乡镇的排查员可以上报。")


def _report(actor: User, day: dt.date) -> DailyReport:
    report = db.session.execute(
        db.select(DailyReport).filter_by(area_id=actor.department_id, day=day)
    ).scalar_one_or_none()
    if report is None:
        report = DailyReport(area_id=actor.department_id, day=day, filed_by_id=actor.id, zero=False)
        db.session.add(report)
    return report


def _day(day: dt.date | None) -> dt.date:
    day = day or local_today()
    if day > local_today():
        raise DomainError("上报日期不能晚于今天。")
    return day


def report_dispute(
    actor: User,
    *,
    party: str,
    party_phone: str | None = None,
    kind: DisputeKind,
    place: str,
    risk: Risk,
    summary: str,
    action_taken: str,
    day: dt.date | None = None,
) -> Dispute:
    """A new dispute on the day's report (a zero report filed earlier that day becomes a report with disputes)."""
    _check_filer(actor)
    day = _day(day)
    phone, _ = contact(party_phone, None)
    report = _report(actor, day)
    if report.zero:
        report.zero = False
        record("screening.zero_withdrawn", actor, report, day=day.isoformat())
    dispute = Dispute(
        report=report,
        area_id=actor.department_id,
        party=required(party, "当事人", 100),
        party_phone=phone,
        kind=kind,
        place=limited(place, "发生地点", 200),
        risk=risk,
        summary=required(summary, "纠纷情况", 4000),
        action_taken=required(action_taken, "已采取的措施", 4000),
    )
    db.session.add(dispute)
    db.session.flush()
    record("screening.dispute", actor, dispute, day=day.isoformat(), risk=risk.value, kind=kind.value)
    return dispute


def file_zero_report(actor: User, day: dt.date | None = None) -> DailyReport:
    """零报告: nothing new on ``day``. Refused when disputes were already reported that day."""
    _check_filer(actor)
    day = _day(day)
    report = _report(actor, day)
    if report.id is not None and report.disputes:
        raise DomainError(f"{day:%m月%d日}已上报{len(report.disputes)}起纠纷，不能再报零报告。")
    if report.id is not None and report.zero:
        raise DomainError(f"{day:%m月%d日}已报零报告。")
    report.zero = True
    db.session.flush()
    record("screening.zero_report", actor, report, day=day.isoformat())
    return report


def week_numbers(area_id: int, monday: dt.date) -> dict[str, int]:
    """The week's screening numbers for one area: disputes reported in the week, of those and earlier ones resolved
    in the week (mediated or turned into a case), and those still open at the time asked."""
    end = monday + dt.timedelta(days=7)
    disputes = list(
        db.session.execute(db.select(Dispute).join(DailyReport).where(Dispute.area_id == area_id)).scalars()
    )
    in_week = [d for d in disputes if monday <= d.report.day < end]
    resolved = [d for d in disputes if d.resolved_on is not None and monday <= d.resolved_on < end]
    return {
        "new": len(in_week),
        "resolved": sum(1 for d in resolved if d.state is DisputeState.MEDIATED),
        "cases": sum(1 for d in resolved if d.state is DisputeState.CASE),
        "open": sum(1 for d in disputes if d.state is DisputeState.OPEN and d.report.day < end),
    }


def file_weekly_report(actor: User, *, monday: dt.date | None = None, note: str = "") -> WeeklyReport:
    _check_filer(actor)
    monday = week_start(monday or local_today())
    if monday > local_today():
        raise DomainError("不能提前上报下周的周报告。")
    exists = db.session.execute(
        db.select(WeeklyReport.id).filter_by(area_id=actor.department_id, week_start=monday)
    ).first()
    if exists:
        raise DomainError(f"{monday:%m月%d日}这一周的周报告已上报。")
    numbers = week_numbers(actor.department_id, monday)
    row = WeeklyReport(
        area_id=actor.department_id,
        week_start=monday,
        new_count=numbers["new"],
        resolved_count=numbers["resolved"],
        case_count=numbers["cases"],
        open_count=numbers["open"],
        note=limited(note, "化解工作情况", 4000),
        filed_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    record("screening.weekly_report", actor, row, week=monday.isoformat(), **numbers)
    return row


def mediate_dispute(actor: User, dispute: Dispute, *, resolution: str, day: dt.date | None = None) -> None:
    if not dispute.can_settle(actor):
        raise NotAllowed("这起纠纷已处理，或不属于您的排查范围。")
    dispute.resolved_on = _day(day)
    if dispute.resolved_on < dispute.report.day:
        raise DomainError("调解日期不能早于上报日期。")
    dispute.resolution = required(resolution, "调解结果", 4000)
    dispute.state = DisputeState.MEDIATED
    db.session.flush()
    record("screening.mediate", actor, dispute)


def dispute_to_case(
    actor: User,
    dispute: Dispute,
    *,
    title: str,
    content: str,
    phone: str | None,
    case_type: CaseType = CaseType.CLAIM,
) -> tuple[Case, str]:
    """Register a screened dispute as a case (a visit to the petition office on the party's behalf), linked both
    ways: the dispute names the case, the case's page names the dispute."""
    if not dispute.can_settle(actor):
        raise NotAllowed("这起纠纷已处理，或不属于您的排查范围。")
    case, query_code = cases.register_on_behalf(
        actor,
        channel=Channel.VISIT,
        received_on=local_today(),
        case_type=case_type,
        title=title,
        content=content,
        petitioner_name=dispute.party,
        phone=phone or dispute.party_phone,
        place=dispute.place or dispute.area.name,
    )
    dispute.case = case
    dispute.state = DisputeState.CASE
    dispute.resolved_on = local_today()
    dispute.resolution = f"转为信访件 {case.tracking_code}"
    db.session.flush()
    record("screening.to_case", actor, dispute, tracking_code=case.tracking_code)
    return case, query_code
