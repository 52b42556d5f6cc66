"""What a performance file says, computed from the records each area keeps: duty days against the quota
(``portal.duty``), reception entries (``portal.reception``), instructions (批示) and how fast the case moved after
each, and the owned cases (包案) by the indicators of ``portal.stats.indicators``. Only counts, dates and case codes:
the file is read by people who see no cases."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func

from portal.accounts.models import User
from portal.cases.models import Case, CaseEvent, Instruction
from portal.deadlines.services import work_calendar
from portal.duty import quotas
from portal.duty.models import DutySlot
from portal.duty.month import quota_settings
from portal.extensions import db
from portal.reception.models import Handling, ReceptionEntry, ReceptionLog
from portal.stats.indicators import INDICATORS, Counts, Dimension, Period, breakdown


@dataclass
class DutyPart:
    unit_label: str  # 每周 / 每月 / 每季度, or "" when the level has no quota
    quota: int  # days per period
    periods: list[quotas.PeriodCount]
    days_done: int  # days on duty up to today
    days_scheduled: int  # days on the roster after today

    @property
    def required(self) -> int:
        return sum(p.required for p in self.periods)

    @property
    def periods_behind(self) -> int:
        return sum(1 for p in self.periods if p.behind)


@dataclass
class ReceptionPart:
    entries: int
    people: int
    answered: int  # 当场答复
    transferred: int  # 批示转办


@dataclass
class InstructionPart:
    given: int
    acted_on: int  # the case moved after the instruction (someone else's step on its timeline)
    days: list[int]  # days from each instruction to that first step

    @property
    def average_days(self) -> float | None:
        return round(statistics.mean(self.days), 1) if self.days else None

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days) if self.days else None

    @property
    def within_3_days(self) -> int:
        return sum(1 for d in self.days if d <= 3)


@dataclass
class OwnedPart:
    counts: Counts
    average_days_to_reply: float | None  # acceptance → first reply, over owned cases replied
    skipped_level: int  # petitions that skipped a level on an owned matter (the case itself, or a repeat of it)

    def rate(self, key: str) -> float | None:
        return self.counts.rate(next(i for i in INDICATORS if i.key == key))


@dataclass
class PerformanceFile:
    leader: User
    year: int
    as_of: dt.date
    duty: DutyPart
    reception: ReceptionPart
    instructions: InstructionPart
    owned: OwnedPart


def _duty(leader: User, start: dt.date, end: dt.date, today: dt.date) -> DutyPart:
    span = quotas.quota_span(start, end)
    slots = db.session.execute(
        db.select(DutySlot.leader_id, DutySlot.day).where(
            DutySlot.leader_id == leader.id,
            DutySlot.cancelled.is_(False),
            DutySlot.day >= span[0],
            DutySlot.day <= span[1],
        )
    ).all()
    done = [s for s in slots if s.day <= today]
    plain = quotas.Leader(leader.id, leader.name, leader.department.level)
    # The quota periods up to today: a period still to come owes nothing yet.
    (result,) = quotas.leader_quotas(
        [plain], done, start, min(end, today), quotas=quota_settings(), calendar=work_calendar()
    )
    in_year = {s.day for s in done if start <= s.day <= end}
    scheduled = {s.day for s in slots if today < s.day <= end}
    return DutyPart(
        unit_label=result.unit.label if result.unit else "",
        quota=result.quota,
        periods=list(result.periods),
        days_done=len(in_year),
        days_scheduled=len(scheduled),
    )


def _reception(leader: User, start: dt.date, end: dt.date) -> ReceptionPart:
    rows = db.session.execute(
        db.select(ReceptionEntry.handling, func.count(ReceptionEntry.id), func.sum(ReceptionEntry.people_count))
        .join(ReceptionLog, ReceptionLog.id == ReceptionEntry.log_id)
        .join(DutySlot, DutySlot.id == ReceptionLog.slot_id)
        .where(ReceptionLog.leader_id == leader.id, DutySlot.day.between(start, end))
        .group_by(ReceptionEntry.handling)
    ).all()
    by = {handling: (int(n), int(people or 0)) for handling, n, people in rows}
    answered, transferred = by.get(Handling.ANSWERED, (0, 0)), by.get(Handling.TRANSFERRED, (0, 0))
    return ReceptionPart(
        entries=answered[0] + transferred[0],
        people=answered[1] + transferred[1],
        answered=answered[0],
        transferred=transferred[0],
    )


def _instructions(leader: User, start: dt.date, end: dt.date) -> InstructionPart:
    begin = dt.datetime.combine(start, dt.time())
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    # The first step on the case after the instruction by anyone but the leader (a note, a tick, a draft, …).
    first_step = (
        db.select(func.min(CaseEvent.at))
        .where(
            CaseEvent.case_id == Instruction.case_id,
            CaseEvent.at > Instruction.created_at,
            db.or_(CaseEvent.actor_id.is_(None), CaseEvent.actor_id != leader.id),
            CaseEvent.action != "instruct",
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(Instruction.created_at, first_step).where(
            Instruction.leader_id == leader.id, Instruction.created_at >= begin, Instruction.created_at < after
        )
    ).all()
    days = [(stepped - given).days for given, stepped in rows if stepped is not None]
    return InstructionPart(given=len(rows), acted_on=len(days), days=days)


def _owned(leader: User, period: Period, today: dt.date) -> OwnedPart:
    owned = Case.owner_leader_id == leader.id
    rows = breakdown(period, today, Dimension.LEADER, where=owned)
    counts = rows[0].counts if rows else Counts()
    replied = db.session.execute(
        db.select(Case.decided_on, Case.replied_on).where(
            owned, Case.received_on.between(period.start, period.end), Case.replied_on.is_not(None)
        )
    ).all()
    spans = [(r - d).days for d, r in replied if d is not None]
    owned_ids = db.select(Case.id).where(owned)
    skipped = db.session.execute(
        db.select(func.count(Case.id)).where(
            Case.skipped_level.is_(True),
            Case.received_on.between(period.start, period.end),
            db.or_(owned, Case.repeat_of_id.in_(owned_ids)),
        )
    ).scalar_one()
    return OwnedPart(
        counts=counts,
        average_days_to_reply=round(statistics.mean(spans), 1) if spans else None,
        skipped_level=skipped,
    )


def build_file(leader: User, year: int, today: dt.date) -> PerformanceFile:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    period = Period.for_year(year, today)
    return PerformanceFile(
        leader=leader,
        year=year,
        as_of=today,
        duty=_duty(leader, start, end, today),
        reception=_reception(leader, start, min(end, today)),
        instructions=_instructions(leader, start, end),
        owned=_owned(leader, period, today),
    )
