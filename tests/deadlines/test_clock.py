"""The legal clocks (DESIGN §4), computed by the pure calculator: no app, no database."""

import datetime as dt

import pytest

from portal.deadlines.clock import RULES, Unit, UnknownRule, WorkCalendar, compute, get_rule, working_days_between

D = dt.date
NATIONAL_DAY_TAIL = [D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7)]


def skipped_dates(deadline):
    return [day.date for day in deadline.skipped]


def test_simple_accept_counts_working_days_and_ends_on_a_make_up_saturday():
    deadline = compute("simple_accept", D(2026, 9, 30))  # a Wednesday, the eve of National Day

    assert deadline.due == D(2026, 10, 10)
    assert deadline.due.weekday() == 5  # Saturday, but a 调休 working day
    assert deadline.counted == [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]
    assert skipped_dates(deadline) == [D(2026, 10, d) for d in range(1, 8)]
    assert "调休上班" in WorkCalendar().day(D(2026, 10, 10)).reason


def test_accept_period_ending_on_a_holiday_moves_to_the_first_working_day_after():
    deadline = compute("accept", D(2026, 9, 20))

    assert deadline.counted[-1] == D(2026, 10, 5)  # the 15th day, a National Day holiday
    assert deadline.due == D(2026, 10, 8)
    assert skipped_dates(deadline) == NATIONAL_DAY_TAIL
    assert all(day.reason == "国庆节" for day in deadline.skipped)


def test_period_of_days_starts_the_day_after_the_event():
    deadline = compute("accept", D(2026, 3, 2))  # a Monday; 15 days later is Tuesday 03-17

    assert deadline.first_day == D(2026, 3, 3)
    assert deadline.counted[0] == D(2026, 3, 3)
    assert len(deadline.counted) == 15
    assert deadline.due == D(2026, 3, 17)
    assert deadline.skipped == []


def test_period_ending_on_a_weekend_moves_to_monday():
    deadline = compute("accept", D(2026, 3, 7))  # 15 days later is Sunday 03-22

    assert deadline.due == D(2026, 3, 23)
    assert skipped_dates(deadline) == [D(2026, 3, 22)]


def test_year_without_official_data_still_computes_and_reports_the_missing_year():
    deadline = compute("accept", D(2027, 3, 1))

    assert deadline.due == D(2027, 3, 16)  # weekends only
    assert deadline.missing_years == [2027]
    assert not deadline.calendar_complete
    assert "2027" in deadline.explanation()


def test_period_running_into_a_missing_year_reports_only_that_year():
    deadline = compute("handle", D(2026, 12, 1))

    assert deadline.due.year == 2027
    assert deadline.missing_years == [2027]


def test_known_year_reports_a_complete_calendar():
    deadline = compute("accept", D(2026, 9, 20))

    assert deadline.missing_years == []
    assert deadline.calendar_complete


def test_missing_year_counts_weekends_only():
    calendar = WorkCalendar()

    assert calendar.day(D(2027, 10, 1)).workday  # a Friday: no official holiday data for 2027 yet
    assert calendar.day(D(2027, 10, 1)).source == "weekend_only"
    assert not calendar.day(D(2027, 10, 2)).workday


def test_override_turning_a_working_day_into_a_rest_day_wins_over_official_data():
    calendar = WorkCalendar(overrides={D(2026, 10, 8): (False, "临时放假")})

    deadline = compute("accept", D(2026, 9, 20), calendar)

    assert deadline.due == D(2026, 10, 9)
    assert skipped_dates(deadline) == NATIONAL_DAY_TAIL + [D(2026, 10, 8)]
    assert deadline.skipped[-1].source == "override"
    assert "临时放假" in deadline.skipped[-1].reason


def test_override_turning_a_holiday_into_a_working_day_wins_over_official_data():
    calendar = WorkCalendar(overrides={D(2026, 10, 5): (True, "值班上班")})

    deadline = compute("accept", D(2026, 9, 20), calendar)

    assert deadline.due == D(2026, 10, 5)
    assert deadline.skipped == []


def test_override_cancelling_a_make_up_working_day_moves_a_working_day_deadline():
    calendar = WorkCalendar(overrides={D(2026, 10, 10): (False, "取消调休")})

    deadline = compute("simple_accept", D(2026, 9, 30), calendar)

    assert deadline.due == D(2026, 10, 12)
    assert D(2026, 10, 10) in skipped_dates(deadline)


def test_override_fills_a_missing_year():
    calendar = WorkCalendar(overrides={D(2027, 3, 16): (False, "2027年补充假日")})

    deadline = compute("accept", D(2027, 3, 1), calendar)

    assert deadline.due == D(2027, 3, 17)


@pytest.mark.parametrize("name", list(RULES))
def test_every_rule_computes_a_due_date_on_a_working_day_at_least_its_length_away(name):
    rule = RULES[name]
    start = D(2026, 5, 20)
    calendar = WorkCalendar()

    deadline = compute(name, start, calendar)

    assert deadline.rule is rule
    assert deadline.length == rule.length
    assert calendar.is_workday(deadline.due)
    assert len(deadline.counted) == rule.length
    assert (deadline.due - start).days >= rule.length
    if rule.unit is Unit.WORKING_DAYS:
        assert all(calendar.is_workday(d) for d in deadline.counted)
    assert rule.source and rule.label and rule.starts


@pytest.mark.parametrize("name", list(RULES))
def test_explanation_names_the_start_the_due_date_and_the_source(name):
    deadline = compute(name, D(2026, 9, 20))

    text = deadline.explanation()

    assert "2026-09-20" in text
    assert deadline.due.isoformat() in text
    assert RULES[name].source in text


def test_explanation_of_a_moved_deadline_names_the_rest_day():
    text = compute("accept", D(2026, 9, 20)).explanation()

    assert "2026-10-05" in text and "顺延" in text


def test_length_and_paused_days_change_the_period():
    assert compute("extend", D(2026, 3, 2), length=10).due == D(2026, 3, 12)
    # A re-review hearing of 5 days does not count against the 30-day clock.
    assert compute("rereview", D(2026, 3, 2), paused_days=5).due == compute("rereview", D(2026, 3, 7)).due


def test_negative_length_is_refused():
    with pytest.raises(ValueError, match="期限长度不能为负数"):
        compute("extend", D(2026, 3, 2), length=-1)


def test_unknown_rule_raises_unknown_rule_naming_it():
    with pytest.raises(UnknownRule, match="no_such_rule"):
        compute("no_such_rule", D(2026, 9, 20))
    with pytest.raises(UnknownRule):
        get_rule("")


def test_working_days_between_skips_the_national_day_holiday():
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3


def test_as_dict_is_json_ready():
    data = compute("accept", D(2026, 9, 20)).as_dict()

    assert data["due"] == "2026-10-08"
    assert [d["date"] for d in data["skipped"]] == ["2026-10-05", "2026-10-06", "2026-10-07"]
    assert data["calendar_complete"] is True
