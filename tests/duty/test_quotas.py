"""Duty quotas and coverage (DESIGN §6), worked by hand against the official 2026 calendar.

The calendar facts these tests lean on are asserted first, so a change in the holiday data shows up as such:
National Day 2026 is October 1–7 (Thursday to Wednesday), with Sunday 2026-09-20 and Saturday 2026-10-10 as make-up
working days; Thursday 2026-10-08 is an ordinary working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from portal.deadlines.clock import WorkCalendar
from portal.duty.quotas import (
    Leader,
    QuotaPeriod,
    Quotas,
    Unit,
    leader_quotas,
    period_of,
    periods_overlapping,
    quota_span,
    uncovered_days,
)

CALENDAR = WorkCalendar()
D = dt.date


@dataclass(frozen=True)
class Slot:
    leader_id: int
    day: dt.date
    cancelled: bool = False


@dataclass(frozen=True)
class Special:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    every_day: bool


CITY = Leader(1, "刘市长", "city")
COUNTY = Leader(2, "王县长", "county")
TOWNSHIP = Leader(3, "赵书记", "township")
VILLAGE = Leader(4, "钱主任", "village")


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def test_the_calendar_facts_these_tests_rely_on():
    working = [d for d in days(D(2026, 9, 28), D(2026, 10, 11)) if CALENDAR.is_workday(d)]

    assert working == [D(2026, 9, 28), D(2026, 9, 29), D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]
    assert CALENDAR.day(D(2026, 10, 1)).reason == "国庆节"
    assert CALENDAR.day(D(2026, 10, 10)).reason == "调休上班（国庆节）"
    assert not any(CALENDAR.is_workday(d) for d in days(D(2026, 2, 16), D(2026, 2, 22)))  # 春节


# --- periods -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "unit, day, start, end, label",
    [
        (Unit.QUARTER, D(2026, 11, 25), D(2026, 10, 1), D(2026, 12, 31), "2026年第四季度"),
        (Unit.QUARTER, D(2026, 1, 1), D(2026, 1, 1), D(2026, 3, 31), "2026年第一季度"),
        (Unit.MONTH, D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28), "2026年2月"),
        (Unit.MONTH, D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31), "2026年12月"),
        (Unit.WEEK, D(2026, 10, 1), D(2026, 9, 28), D(2026, 10, 4), "9月28日—10月4日"),
        (Unit.WEEK, D(2027, 1, 3), D(2026, 12, 28), D(2027, 1, 3), "12月28日—1月3日"),
    ],
)
def test_a_day_falls_in_one_calendar_week_month_and_quarter(unit, day, start, end, label):
    period = period_of(unit, day)

    assert (period.start, period.end, period.label) == (start, end, label)


def test_the_periods_overlapping_a_month_include_the_weeks_that_reach_into_it():
    weeks = periods_overlapping(Unit.WEEK, D(2026, 11, 1), D(2026, 11, 30))

    assert [(w.start, w.end) for w in weeks] == [
        (D(2026, 10, 26), D(2026, 11, 1)),
        (D(2026, 11, 2), D(2026, 11, 8)),
        (D(2026, 11, 9), D(2026, 11, 15)),
        (D(2026, 11, 16), D(2026, 11, 22)),
        (D(2026, 11, 23), D(2026, 11, 29)),
        (D(2026, 11, 30), D(2026, 12, 6)),
    ]
    assert [q.label for q in periods_overlapping(Unit.QUARTER, D(2026, 9, 15), D(2026, 10, 15))] == [
        "2026年第三季度",
        "2026年第四季度",
    ]


def test_the_quota_span_covers_every_period_touching_the_range():
    # December 2026: its quarter starts on October 1; its last week ends on Sunday 2027-01-03.
    assert quota_span(D(2026, 12, 1), D(2026, 12, 31)) == (D(2026, 10, 1), D(2027, 1, 3))


# --- quotas ------------------------------------------------------------------------------------------------------
def test_a_city_leader_is_counted_over_the_whole_fourth_quarter_each_day_once():
    slots = [
        Slot(1, D(2026, 9, 30)),  # Q3: not counted
        Slot(1, D(2026, 10, 10)),  # the make-up Saturday counts like any day on duty
        Slot(1, D(2026, 11, 2)),
        Slot(1, D(2026, 11, 2)),  # morning and afternoon: one day
        Slot(1, D(2026, 12, 15), cancelled=True),  # cancelled: not counted
        Slot(1, D(2026, 12, 31)),
        Slot(1, D(2027, 1, 1)),  # Q1 2027: not counted
        Slot(2, D(2026, 11, 3)),  # someone else
    ]

    [result] = leader_quotas(
        [CITY], slots, D(2026, 12, 1), D(2026, 12, 31), quotas=Quotas(city_days_per_quarter=3), calendar=CALENDAR
    )

    assert (result.unit, result.quota) == (Unit.QUARTER, 3)
    [quarter] = result.periods
    assert quarter.period == QuotaPeriod(Unit.QUARTER, D(2026, 10, 1), D(2026, 12, 31))
    assert quarter.duty_days == (D(2026, 10, 10), D(2026, 11, 2), D(2026, 12, 31))
    assert (quarter.count, quarter.required, quarter.short, quarter.behind) == (3, 3, 0, False)
    assert not result.behind

    [stricter] = leader_quotas(
        [CITY], slots, D(2026, 12, 1), D(2026, 12, 31), quotas=Quotas(city_days_per_quarter=4), calendar=CALENDAR
    )
    assert (stricter.periods[0].short, stricter.behind) == (1, True)


def test_a_county_leader_is_counted_by_calendar_month():
    slots = [Slot(2, D(2026, 10, 31)), Slot(2, D(2026, 11, 1)), Slot(2, D(2026, 11, 30)), Slot(2, D(2026, 12, 1))]

    [met] = leader_quotas(
        [COUNTY], slots, D(2026, 11, 1), D(2026, 11, 30), quotas=Quotas(county_days_per_month=2), calendar=CALENDAR
    )
    [nothing] = leader_quotas([COUNTY], [], D(2026, 11, 1), D(2026, 11, 30), quotas=Quotas(), calendar=CALENDAR)

    [november] = met.periods
    assert (november.period.label, november.duty_days) == ("2026年11月", (D(2026, 11, 1), D(2026, 11, 30)))
    assert (november.count, november.required, met.behind) == (2, 2, False)
    assert (nothing.periods[0].count, nothing.periods[0].short, nothing.behind) == (0, 1, True)


def test_a_township_leader_is_counted_by_week_across_the_national_day_holiday():
    # Week 1 (Sep 28–Oct 4): working days Sep 28–30, holidays Oct 1–4; the leader receives on holiday Oct 3.
    # Week 2 (Oct 5–11): holidays Oct 5–7, working days Oct 8, 9 and the make-up Saturday Oct 10; nobody comes.
    slots = [Slot(3, D(2026, 10, 3))]

    [result] = leader_quotas([TOWNSHIP], slots, D(2026, 9, 28), D(2026, 10, 11), quotas=Quotas(), calendar=CALENDAR)

    assert [(p.period.label, p.count, p.required, p.behind) for p in result.periods] == [
        ("9月28日—10月4日", 1, 1, False),
        ("10月5日—10月11日", 0, 1, True),
    ]
    assert [p.period.label for p in result.behind_periods] == ["10月5日—10月11日"]


def test_a_week_without_a_single_working_day_asks_for_nothing():
    [result] = leader_quotas(
        [TOWNSHIP], [], D(2026, 2, 16), D(2026, 2, 22), quotas=Quotas(township_days_per_week=2), calendar=CALENDAR
    )

    assert [(p.period.label, p.required, p.behind) for p in result.periods] == [("2月16日—2月22日", 0, False)]


def test_the_week_required_is_capped_by_its_working_days():
    # Oct 5–11 has three working days (Oct 8, 9, 10): a quota of five a week asks for three there.
    [result] = leader_quotas(
        [TOWNSHIP],
        [Slot(3, D(2026, 10, 8))],
        D(2026, 10, 5),
        D(2026, 10, 11),
        quotas=Quotas(township_days_per_week=5),
        calendar=CALENDAR,
    )

    assert [(p.count, p.required, p.short) for p in result.periods] == [(1, 3, 2)]


def test_a_village_leader_has_no_quota_and_is_never_behind():
    [result] = leader_quotas([VILLAGE], [], D(2026, 11, 1), D(2026, 11, 30), quotas=Quotas(), calendar=CALENDAR)

    assert (result.unit, result.periods, result.behind) == (None, (), False)


def test_leaders_come_back_in_the_order_given_each_with_their_own_days():
    slots = [Slot(2, D(2026, 11, 10)), Slot(3, D(2026, 11, 11))]

    results = leader_quotas(
        [TOWNSHIP, COUNTY], slots, D(2026, 11, 9), D(2026, 11, 15), quotas=Quotas(), calendar=CALENDAR
    )

    assert [(r.leader.name, [p.duty_days for p in r.periods]) for r in results] == [
        ("赵书记", [(D(2026, 11, 11),)]),
        ("王县长", [(D(2026, 11, 10),)]),
    ]


# --- coverage ----------------------------------------------------------------------------------------------------
def test_uncovered_days_are_the_working_days_without_a_slot_across_the_holiday():
    slots = [Slot(3, D(2026, 9, 28)), Slot(2, D(2026, 10, 3)), Slot(2, D(2026, 10, 9), cancelled=True)]

    found = uncovered_days(slots, D(2026, 9, 28), D(2026, 10, 11), calendar=CALENDAR)

    assert [u.day for u in found] == [D(2026, 9, 29), D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]
    assert [u.reason for u in found][-1] == "调休上班（国庆节）"
    assert all(u.workday and u.specials == () for u in found)


def test_a_special_period_for_every_day_needs_someone_on_holidays_and_weekends_too():
    special = Special("国庆值守", D(2026, 10, 1), D(2026, 10, 8), every_day=True)
    slots = [Slot(2, D(2026, 10, 2)), Slot(3, D(2026, 10, 5))]

    found = uncovered_days(slots, D(2026, 9, 30), D(2026, 10, 11), calendar=CALENDAR, specials=[special])

    assert [(u.day, u.specials) for u in found] == [
        (D(2026, 9, 30), ()),
        (D(2026, 10, 1), ("国庆值守",)),
        (D(2026, 10, 3), ("国庆值守",)),
        (D(2026, 10, 4), ("国庆值守",)),
        (D(2026, 10, 6), ("国庆值守",)),
        (D(2026, 10, 7), ("国庆值守",)),
        (D(2026, 10, 8), ("国庆值守",)),
        (D(2026, 10, 9), ()),
        (D(2026, 10, 10), ()),
    ]
    assert [u.reason for u in found[1:3]] == ["国庆节", "国庆节"]


def test_a_special_period_for_every_working_day_adds_no_rest_day():
    special = Special("国庆值守", D(2026, 10, 1), D(2026, 10, 8), every_day=False)
    slots = [Slot(2, D(2026, 10, 2)), Slot(3, D(2026, 10, 5))]

    found = uncovered_days(slots, D(2026, 9, 30), D(2026, 10, 11), calendar=CALENDAR, specials=[special])

    # Inside the period only Oct 8 is a working day; it is marked as asked for by the special period.
    assert [(u.day, u.specials) for u in found] == [
        (D(2026, 9, 30), ()),
        (D(2026, 10, 8), ("国庆值守",)),
        (D(2026, 10, 9), ()),
        (D(2026, 10, 10), ()),
    ]


def test_a_covered_range_has_no_uncovered_days():
    slots = [Slot(2, d) for d in days(D(2026, 11, 23), D(2026, 11, 27))]

    assert uncovered_days(slots, D(2026, 11, 23), D(2026, 11, 29), calendar=CALENDAR) == []
