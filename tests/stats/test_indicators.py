"""The indicators of DESIGN §7: each rate's numerator and denominator on hand-built cases with known outcomes.

Cases are received in 2025 and the clocks are judged on a chosen ``today``, so the results do not depend on the day
the suite runs.
"""

import datetime as dt

import pytest
from sqlalchemy import event

from portal.cases import services
from portal.cases.models import CaseType, Channel, Outcome, Rating, Status
from portal.extensions import db
from portal.localtime import as_of
from portal.stats.indicators import INDICATORS, BadPeriod, Counts, Period, available_years, build_report, period_from
from tests.factories import make_case, ready_for_mark_off

D = dt.date
TODAY = D(2025, 12, 31)
YEAR_2025 = Period.for_year(2025, TODAY)


def report(today: dt.date = TODAY, period: Period = YEAR_2025):
    return build_report(period, today)


def reply_on(world, case, day: dt.date):
    """Draft, sign and deliver the reply of an ``in_progress`` case on ``day``."""
    with as_of(day):
        services.draft_reply(case, world.handler_for(case), outcome=Outcome.SUPPORT, text="经调查，已责令整改。")
        services.sign_reply(case, world.head_for(case))
        services.publish_reply(case, world.clerk)
    db.session.commit()
    return case


def evaluate(case, acceptance: Rating, handling: Rating):
    with as_of(case.delivered_on):
        services.record_evaluation(case, acceptance=acceptance, handling=handling)
    db.session.commit()


# --- 及时受理率 --------------------------------------------------------------------------------------------------
def test_timely_acceptance_counts_decisions_on_or_before_the_due_day_over_ended_or_decided_clocks(world):
    on_due_day = make_case(world, Status.REGISTERED, on=D(2025, 3, 2))  # accept_due 2025-03-17
    assert on_due_day.accept_due == D(2025, 3, 17)
    with as_of(on_due_day.accept_due):
        services.accept(on_due_day, world.clerk)
    a_day_late = make_case(world, Status.REGISTERED, on=D(2025, 3, 2))
    with as_of(a_day_late.accept_due + dt.timedelta(days=1)):
        services.accept(a_day_late, world.clerk)
    db.session.commit()
    make_case(world, Status.NOT_ACCEPTED, received_on=D(2025, 3, 2), on=D(2025, 3, 5))  # a decision too
    make_case(world, Status.FORWARDED, received_on=D(2025, 3, 2), on=D(2025, 4, 30))  # late
    make_case(world, Status.REGISTERED, on=D(2025, 6, 2))  # undecided, clock ended: counts against
    still_running = make_case(world, Status.REGISTERED, on=D(2025, 12, 20))  # clock still running: left out
    assert still_running.accept_due > TODAY

    counts = report().overall

    assert (counts.decided_in_time, counts.acceptance_counted) == (2, 5)
    assert report().rates["timely_acceptance"] == 0.4


def test_an_acceptance_clock_ending_today_has_not_ended(world):
    case = make_case(world, Status.REGISTERED, on=D(2025, 3, 2))

    assert report(today=case.accept_due).overall.acceptance_counted == 0
    assert report(today=case.accept_due + dt.timedelta(days=1)).overall.acceptance_counted == 1


# --- 按期办结率 --------------------------------------------------------------------------------------------------
def test_on_time_handling_counts_replies_by_the_handling_due_day_over_ended_or_replied_clocks(world):
    make_case(world, Status.REPLIED, on=D(2025, 5, 6))  # replied the day it was accepted
    late = make_case(world, Status.IN_PROGRESS, on=D(2025, 5, 6))
    reply_on(world, late, late.handle_due + dt.timedelta(days=1))
    on_due_day = make_case(world, Status.IN_PROGRESS, on=D(2025, 5, 6))
    reply_on(world, on_due_day, on_due_day.handle_due)
    make_case(world, Status.IN_PROGRESS, on=D(2025, 5, 6))  # never replied, clock ended: counts against
    running = make_case(world, Status.IN_PROGRESS, on=D(2025, 12, 1))  # clock still running: left out
    assert running.handle_due > TODAY
    make_case(world, Status.NOT_ACCEPTED, on=D(2025, 5, 6))  # never had a handling clock: left out

    counts = report().overall

    assert (counts.replied_in_time, counts.handling_counted) == (2, 4)
    assert report().rates["on_time_handling"] == 0.5


def test_on_time_handling_follows_the_handling_due_day_stored_on_the_case(world):
    # An approved extension moves handle_due (DESIGN §4); the indicator reads whatever the case carries.
    case = make_case(world, Status.IN_PROGRESS, on=D(2025, 5, 6))
    case.handle_due += dt.timedelta(days=30)
    db.session.commit()
    reply_on(world, case, case.handle_due - dt.timedelta(days=10))

    assert report().overall.replied_in_time == 1


# --- 参评率 and 满意率 -------------------------------------------------------------------------------------------
def test_evaluation_rate_and_both_satisfaction_rates(world):
    pleased = make_case(world, Status.REPLIED, on=D(2025, 6, 2))
    evaluate(pleased, Rating.SATISFIED, Rating.BASICALLY)
    mixed = make_case(world, Status.REPLIED, on=D(2025, 6, 2))
    evaluate(mixed, Rating.BASICALLY, Rating.UNSATISFIED)
    unhappy = make_case(world, Status.REPLIED, on=D(2025, 6, 2))
    evaluate(unhappy, Rating.UNSATISFIED, Rating.UNSATISFIED)
    make_case(world, Status.REPLIED, on=D(2025, 6, 2))  # delivered, not evaluated
    make_case(world, Status.AWAITING_VERIFICATION, on=D(2025, 6, 2))  # not delivered: not open to evaluation

    counts, rates = report().overall, report().rates

    assert (counts.evaluated, counts.delivered) == (3, 4)
    assert (counts.acceptance_satisfied, counts.handling_satisfied) == (2, 1)
    assert rates["evaluation"] == 0.75
    assert rates["acceptance_satisfaction"] == round(2 / 3, 4)
    assert rates["handling_satisfaction"] == round(1 / 3, 4)


# --- 重复信访率 and 一次性化解率 --------------------------------------------------------------------------------
def test_repeat_rate_is_repeat_cases_over_all_registered(world):
    first = make_case(world, Status.REGISTERED, on=D(2025, 2, 3))
    make_case(world, Status.REGISTERED, on=D(2025, 2, 10), repeat_of_id=first.id)
    make_case(world, Status.NOT_ACCEPTED, on=D(2025, 2, 10), repeat_of_id=first.id)
    make_case(world, Status.CLOSED, on=D(2025, 2, 10))

    counts = report().overall

    assert (counts.repeat, counts.received) == (2, 4)
    assert report().rates["repeat"] == 0.5


def test_first_time_resolution_is_closed_without_review_over_closed(world):
    make_case(world, Status.CLOSED, on=D(2025, 7, 1))
    make_case(world, Status.CLOSED, on=D(2025, 7, 1))
    reviewed = make_case(world, Status.REPLIED, review_level=1, on=D(2025, 7, 1))
    with as_of(D(2025, 7, 1)):
        ready_for_mark_off(reviewed, world)
        services.mark_off(reviewed, world.clerk)
    db.session.commit()
    make_case(world, Status.REPLIED, on=D(2025, 7, 1))  # not closed: left out
    make_case(world, Status.UNDER_REVIEW, on=D(2025, 7, 1))  # left out

    counts = report().overall

    assert (counts.closed_without_review, counts.closed) == (2, 3)
    assert report().rates["first_time_resolution"] == round(2 / 3, 4)


def test_first_time_resolution_excludes_a_closed_case_followed_by_a_repeat_on_the_same_matter_in_the_period(world):
    came_back = make_case(world, Status.CLOSED, on=D(2025, 7, 1))
    make_case(world, Status.REGISTERED, on=D(2025, 9, 1), repeat_of_id=came_back.id)
    make_case(world, Status.CLOSED, on=D(2025, 7, 1))  # nobody came back: resolved at once
    back_next_year = make_case(world, Status.CLOSED, on=D(2025, 7, 1))
    make_case(world, Status.REGISTERED, on=D(2026, 1, 5), repeat_of_id=back_next_year.id)  # outside the period

    counts = report().overall

    assert (counts.closed_without_review, counts.closed) == (2, 3)
    assert report().rates["first_time_resolution"] == round(2 / 3, 4)


def test_first_time_resolution_excludes_a_closed_repeat_followed_by_a_later_repeat_of_the_same_matter(world):
    first = make_case(world, Status.REGISTERED, on=D(2025, 3, 2))
    # New facts: accepted as a new matter and linked (without them it would be merged into the open first case).
    second = make_case(world, Status.CLOSED, on=D(2025, 4, 1), repeat_of_id=first.id, new_facts=True)
    make_case(world, Status.REGISTERED, on=D(2025, 6, 1), repeat_of_id=first.id)  # the third time, same matter

    counts = report().overall

    assert second.status is Status.CLOSED
    assert (counts.closed_without_review, counts.closed) == (0, 1)


def test_department_timely_acceptance_is_attributed_to_the_petition_office_that_held_the_step(world):
    # Acceptance happens before assignment: a late acceptance is the petition office's, not the department's.
    late = make_case(world, Status.REGISTERED, on=D(2025, 3, 2), department=world.housing)
    with as_of(late.accept_due + dt.timedelta(days=3)):
        services.accept(late, world.clerk)
        services.assign(late, world.clerk, department_id=world.housing.id)
    make_case(world, Status.ASSIGNED, on=D(2025, 3, 2), department=world.labour)  # accepted the day it came
    make_case(world, Status.REGISTERED, on=D(2025, 3, 2), channel=Channel.ONLINE, actor=None)  # online, undecided
    db.session.commit()

    result = report()
    rows = {d.name: d for d in result.departments}

    office = rows["县信访局"].counts
    assert (office.decided_in_time, office.acceptance_counted) == (1, 3)
    assert rows["县信访局"].rates["timely_acceptance"] == round(1 / 3, 4)
    for name in ("县住房和城乡建设局", "县人力资源和社会保障局"):
        assert (rows[name].counts.acceptance_counted, rows[name].rates["timely_acceptance"]) == (0, None)
    assert rows["县住房和城乡建设局"].counts.received == 1
    assert (result.overall.decided_in_time, result.overall.acceptance_counted) == (1, 3)
    assert result.unassigned.acceptance_counted == 0  # the online case's acceptance is the office's too


# --- zero denominators, departments, months, the period -------------------------------------------------------
def test_a_rate_with_nothing_to_count_is_none_not_zero(world):
    make_case(world, Status.REGISTERED, on=D(2025, 12, 30))  # clocks running, nothing replied, closed or rated

    rates = report().rates

    assert rates["repeat"] == 0.0
    assert {key for key, value in rates.items() if value is None} == {
        "timely_acceptance",
        "on_time_handling",
        "evaluation",
        "acceptance_satisfaction",
        "handling_satisfaction",
        "first_time_resolution",
    }


def test_an_empty_period_has_zero_counts_and_no_rates(world):
    result = report()

    assert result.overall == Counts()
    assert all(value is None for value in result.rates.values())
    assert result.departments == []
    assert [m.total for m in result.monthly] == [0] * 12


def test_departments_are_counted_by_the_assigned_department_and_unassigned_cases_only_overall(world):
    housing = make_case(world, Status.REPLIED, on=D(2025, 4, 1), department=world.housing)
    evaluate(housing, Rating.UNSATISFIED, Rating.SATISFIED)
    make_case(world, Status.IN_PROGRESS, on=D(2025, 4, 1), department=world.housing)
    labour = make_case(world, Status.REPLIED, on=D(2025, 4, 1), department=world.labour)
    evaluate(labour, Rating.SATISFIED, Rating.UNSATISFIED)
    make_case(world, Status.ACCEPTED, on=D(2025, 4, 1))  # accepted, not yet assigned
    make_case(world, Status.NOT_ACCEPTED, on=D(2025, 4, 1))

    result = report()
    rows = {d.name: d for d in result.departments}

    assert list(rows) == ["县住房和城乡建设局", "县人力资源和社会保障局", "县信访局"]  # most cases first
    assert rows["县信访局"].counts.received == 0  # listed for the acceptance step only
    assert rows["县住房和城乡建设局"].counts.received == 2
    assert rows["县人力资源和社会保障局"].counts.received == 1
    assert result.unassigned.received == 2
    assert result.overall.received == 5
    # The department's satisfaction is the rating of its handling, not of the petition office's acceptance.
    assert rows["县住房和城乡建设局"].rates["handling_satisfaction"] == 1.0
    assert rows["县人力资源和社会保障局"].rates["handling_satisfaction"] == 0.0
    assert "acceptance_satisfaction" not in rows["县住房和城乡建设局"].rates
    assert rows["县住房和城乡建设局"].rates["evaluation"] == 1.0


def test_months_are_folded_by_received_on_with_every_channel_and_type(world):
    make_case(world, Status.REGISTERED, on=D(2024, 12, 31))  # before the year
    make_case(world, Status.REGISTERED, on=D(2025, 1, 1), channel=Channel.VISIT)
    make_case(world, Status.REGISTERED, on=D(2025, 1, 31), channel=Channel.VISIT, case_type=CaseType.SUGGESTION)
    make_case(world, Status.REGISTERED, on=D(2025, 2, 1), channel=Channel.PHONE)
    make_case(world, Status.ACCEPTED, on=D(2025, 12, 31), case_type=CaseType.ACCUSATION)

    monthly = report().monthly

    assert [m.month for m in monthly] == [D(2025, month, 1) for month in range(1, 13)]
    assert [m.total for m in monthly] == [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert monthly[0].by_channel == {**dict.fromkeys(Channel, 0), Channel.VISIT: 2}
    assert monthly[0].by_case_type == {**dict.fromkeys(CaseType, 0), CaseType.CLAIM: 1, CaseType.SUGGESTION: 1}
    assert monthly[11].by_case_type[CaseType.ACCUSATION] == 1


def test_the_report_takes_a_few_queries_whatever_the_number_of_cases(world):
    """Whole months are summed from the kept counts (one GROUP BY, one for the repeats that 一次性化解 excludes,
    three small lookups: department names, the petition office, the clerks' offices); a part month is two GROUP BY
    queries over its days."""

    def statements_of(run) -> list[str]:
        statements = []

        def listener(connection, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            run()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return statements

    counted = []
    for n in (1, 3):
        for day in (D(2025, 1, 5), D(2025, 3, 5), D(2025, 6, 5), D(2025, 9, 5)):
            for _ in range(n):
                make_case(world, Status.REPLIED, on=day)
                make_case(world, Status.REGISTERED, on=day, channel=Channel.ONLINE, actor=None)
        counted.append(len(statements_of(report)))
    assert counted[0] == counted[1] == 5
    part_month = statements_of(lambda: build_report(Period.between(D(2025, 1, 2), D(2025, 1, 20)), TODAY))
    assert len(part_month) == 3
    assert sum("GROUP BY" in s for s in part_month) == 2


def test_the_default_period_is_the_last_twelve_months_including_this_one():
    period = period_from(None, D(2026, 1, 15))

    assert (period.start, period.end, period.year) == (D(2025, 2, 1), D(2026, 1, 15), None)
    assert len(period.months) == 12
    assert period.as_dict()["months"][0] == "2025-02" and period.as_dict()["months"][-1] == "2026-01"


def test_a_year_period_covers_the_year_up_to_today():
    assert period_from("2025", D(2026, 1, 15)) == Period(D(2025, 1, 1), D(2025, 12, 31), 2025)
    assert period_from("2026", D(2026, 3, 9)) == Period(D(2026, 1, 1), D(2026, 3, 9), 2026)
    assert len(period_from("2026", D(2026, 3, 9)).months) == 3


@pytest.mark.parametrize("value", ["", " 2026", "abc", "1999", "2027", "20260", "-2026", "２０２６", "2026.0", "0x7e9"])
def test_a_bad_year_is_refused_with_a_chinese_message(value):
    with pytest.raises(BadPeriod) as refused:
        period_from(value, D(2026, 3, 9))

    assert "年份应为" in refused.value.message


def test_the_year_choices_run_from_the_first_case_to_this_year(world):
    assert available_years(D(2026, 3, 9)) == [2026]
    make_case(world, Status.REGISTERED, on=D(2024, 5, 5))

    assert available_years(D(2026, 3, 9)) == [2026, 2025, 2024]


def test_every_indicator_names_counts_that_exist():
    names = set(Counts.__dataclass_fields__)
    assert all({i.numerator, i.denominator} <= names for i in INDICATORS)
