"""Reception-duty quotas and coverage (DESIGN §6): days each leader is on duty per quarter, month or week against the
level's quota, and the days nobody is on duty. Pure functions: callers pass leaders, slots, quotas and the calendar.

A quota period is a whole calendar quarter, month or Monday–Sunday week, counted in full even where it reaches
outside the range being looked at (pass slots for ``quota_span(start, end)``). A day counts once, however many
slots the leader has on it. A period without a single working day (a week that is all holiday) asks for nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from portal.deadlines.clock import WorkCalendar

ONE_DAY = dt.timedelta(days=1)


class Unit(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"

    @property
    def label(self) -> str:
        return {"week": "每周", "month": "每月", "quarter": "每季度"}[self.value]


# Department level (portal.org.models.Level values) → the period its leaders' quota is counted in.
LEVEL_UNITS = {"city": Unit.QUARTER, "county": Unit.MONTH, "township": Unit.WEEK}


@dataclass(frozen=True)
class Quotas:
    """Days on duty a leader owes per period, by level (the ``quota_*`` settings)."""

    city_days_per_quarter: int = 1
    county_days_per_month: int = 1
    township_days_per_week: int = 1

    def for_level(self, level: str) -> tuple[Unit, int] | None:
        """(unit, days) for a leader of ``level``; None for levels without a quota (村、社区)."""
        unit = LEVEL_UNITS.get(str(level))
        if unit is None:
            return None
        days = {
            Unit.QUARTER: self.city_days_per_quarter,
            Unit.MONTH: self.county_days_per_month,
            Unit.WEEK: self.township_days_per_week,
        }[unit]
        return unit, days


@dataclass(frozen=True)
class Leader:
    id: int
    name: str
    level: str  # a portal.org.models.Level (a str enum) or its value


class Duty(Protocol):
    """What the counting reads of a slot (a DutySlot will do)."""

    leader_id: int
    day: dt.date


class Special(Protocol):
    """What the coverage reads of a special period (a SpecialPeriod will do)."""

    name: str
    starts_on: dt.date
    ends_on: dt.date
    every_day: bool


# --- periods -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuotaPeriod:
    unit: Unit
    start: dt.date
    end: dt.date  # included

    @property
    def label(self) -> str:
        """``2026年第四季度`` / ``2026年11月`` / ``11月30日—12月6日``."""
        if self.unit is Unit.QUARTER:
            return f"{self.start.year}年第{'一二三四'[(self.start.month - 1) // 3]}季度"
        if self.unit is Unit.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.month}月{self.start.day}日—{self.end.month}月{self.end.day}日"

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def period_of(unit: Unit, day: dt.date) -> QuotaPeriod:
    """The week, month or quarter ``day`` falls in."""
    if unit is Unit.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return QuotaPeriod(unit, start, start + dt.timedelta(days=6))
    first_month = day.month if unit is Unit.MONTH else 3 * ((day.month - 1) // 3) + 1
    months = 1 if unit is Unit.MONTH else 3
    start = dt.date(day.year, first_month, 1)
    after = dt.date(start.year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return QuotaPeriod(unit, start, after - ONE_DAY)


def periods_overlapping(unit: Unit, start: dt.date, end: dt.date) -> list[QuotaPeriod]:
    """The weeks, months or quarters that share at least one day with ``start``..``end``, in order."""
    found: list[QuotaPeriod] = []
    day = start
    while day <= end:
        period = period_of(unit, day)
        found.append(period)
        day = period.end + ONE_DAY
    return found


def quota_span(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The days every quota period overlapping ``start``..``end`` covers: the slots ``leader_quotas`` needs."""
    first = min(period_of(unit, start).start for unit in Unit)
    last = max(period_of(unit, end).end for unit in Unit)
    return first, last


# --- quotas ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodCount:
    period: QuotaPeriod
    duty_days: tuple[dt.date, ...]  # the days the leader is on duty in the period, each once
    required: int

    @property
    def count(self) -> int:
        return len(self.duty_days)

    @property
    def short(self) -> int:
        """Days still missing (0 when the quota is met)."""
        return max(0, self.required - self.count)

    @property
    def behind(self) -> bool:
        return self.short > 0


@dataclass(frozen=True)
class LeaderQuota:
    leader: Leader
    unit: Unit | None  # None: no quota for the leader's level
    quota: int
    periods: tuple[PeriodCount, ...]

    @property
    def behind(self) -> bool:
        return any(p.behind for p in self.periods)

    @property
    def behind_periods(self) -> list[PeriodCount]:
        return [p for p in self.periods if p.behind]


def leader_quotas(
    leaders: Iterable[Leader],
    slots: Iterable[Duty],
    start: dt.date,
    end: dt.date,
    *,
    quotas: Quotas,
    calendar: WorkCalendar,
) -> list[LeaderQuota]:
    """For each leader, in the order given: the quota periods overlapping ``start``..``end`` with the days on duty
    in each. ``slots`` are the non-cancelled slots of at least ``quota_span(start, end)`` (cancelled ones are
    skipped if passed)."""
    days_by_leader: dict[int, set[dt.date]] = defaultdict(set)
    for slot in slots:
        if not getattr(slot, "cancelled", False):
            days_by_leader[slot.leader_id].add(slot.day)
    result = []
    for leader in leaders:
        rule = quotas.for_level(leader.level)
        if rule is None:
            result.append(LeaderQuota(leader, None, 0, ()))
            continue
        unit, quota = rule
        duty_days = days_by_leader.get(leader.id, set())
        counts = []
        for period in periods_overlapping(unit, start, end):
            days = tuple(sorted(d for d in duty_days if period.start <= d <= period.end))
            workdays = sum(1 for d in period.days() if calendar.is_workday(d))
            counts.append(PeriodCount(period, days, min(quota, workdays)))
        result.append(LeaderQuota(leader, unit, quota, tuple(counts)))
    return result


# --- coverage ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UncoveredDay:
    """A day that needs someone on duty and has no non-cancelled slot."""

    day: dt.date
    workday: bool
    reason: str  # what the calendar says of the day: 工作日 / 周末 / 国庆节 / 调休上班（国庆节）…
    specials: tuple[str, ...]  # names of the special periods that ask for someone on this day


def days_needing_duty(
    start: dt.date, end: dt.date, *, calendar: WorkCalendar, specials: Iterable[Special] = ()
) -> dict[dt.date, tuple[str, ...]]:
    """Days in ``start``..``end`` on which someone must be on duty → the special periods asking for it: every
    working day, and every day of a special period that asks for every day."""
    specials = list(specials)
    needed: dict[dt.date, tuple[str, ...]] = {}
    day = start
    while day <= end:
        covering = [s for s in specials if s.starts_on <= day <= s.ends_on]
        workday = calendar.is_workday(day)
        if workday or any(s.every_day for s in covering):
            needed[day] = tuple(s.name for s in covering if s.every_day or workday)
        day += ONE_DAY
    return needed


def uncovered_days(
    slots: Iterable[Duty], start: dt.date, end: dt.date, *, calendar: WorkCalendar, specials: Iterable[Special] = ()
) -> list[UncoveredDay]:
    """Days in ``start``..``end`` that need someone on duty (``days_needing_duty``) and have no non-cancelled
    slot, in order."""
    covered = {slot.day for slot in slots if not getattr(slot, "cancelled", False)}
    result = []
    for day, names in days_needing_duty(start, end, calendar=calendar, specials=specials).items():
        if day not in covered:
            info = calendar.day(day)
            result.append(UncoveredDay(day, info.workday, info.reason, names))
    return result
