"""The legal clocks (DESIGN §4), computed by the pure calculator: no app, no database."""

import datetime as dt

import chinese_calendar
import pytest

from portal.deadlines.clock import (
    RULES,
    Unit,
    UnknownRule,
    WorkCalendar,
    compute,
    get_rule,
    statutory_holidays,
    working_days_between,
)

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


def test_missing_year_counts_weekends_and_the_statutory_holidays_of_the_2024_revision():
    calendar = WorkCalendar()

    assert calendar.day(D(2027, 9, 30)).workday  # a Thursday: no official data for 2027, no holiday either
    assert calendar.day(D(2027, 9, 30)).source == "weekend_only"
    assert not calendar.day(D(2027, 10, 2)).workday
    national_day = calendar.day(D(2027, 10, 1))  # a Friday: 国庆节 by the 办法 art.2, whatever the notice says
    assert not national_day.workday
    assert (national_day.source, national_day.reason) == ("statutory", "国庆节")


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


# --- years without official data: the statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision) ------------
HOLIDAYS_2027 = {
    D(2027, 1, 1): "元旦",
    D(2027, 2, 5): "春节",  # 除夕
    D(2027, 2, 6): "春节",
    D(2027, 2, 7): "春节",
    D(2027, 2, 8): "春节",
    D(2027, 2, 9): "春节补假",  # 初一 and 初二 fall on Saturday and Sunday (art.6)
    D(2027, 2, 10): "春节补假",
    D(2027, 4, 5): "清明节",  # the 清明 solar term
    D(2027, 5, 1): "劳动节",
    D(2027, 5, 2): "劳动节",
    D(2027, 5, 3): "劳动节补假",
    D(2027, 5, 4): "劳动节补假",
    D(2027, 6, 9): "端午节",  # lunar 5-5
    D(2027, 9, 15): "中秋节",  # lunar 8-15
    D(2027, 10, 1): "国庆节",
    D(2027, 10, 2): "国庆节",
    D(2027, 10, 3): "国庆节",
    D(2027, 10, 4): "国庆节补假",
    D(2027, 10, 5): "国庆节补假",
}


def test_acceptance_from_2026_12_17_is_not_due_on_new_years_day_of_a_year_without_data():
    deadline = compute("accept", D(2026, 12, 17))

    assert deadline.counted[-1] == D(2027, 1, 1)
    assert deadline.due == D(2027, 1, 4)  # 元旦 is a rest day, then the weekend
    assert [(d.date, d.source) for d in deadline.skipped] == [
        (D(2027, 1, 1), "statutory"),
        (D(2027, 1, 2), "weekend_only"),
        (D(2027, 1, 3), "weekend_only"),
    ]
    assert not deadline.calendar_complete and deadline.missing_years == [2027]


def test_year_without_data_counts_every_statutory_holiday_and_its_make_up_day():
    assert statutory_holidays(2027) == HOLIDAYS_2027
    calendar = WorkCalendar()
    assert all(not calendar.day(day).workday for day in HOLIDAYS_2027)
    assert all(calendar.day(day).source == "statutory" for day in HOLIDAYS_2027)


def test_holiday_on_a_weekend_is_made_up_on_the_next_working_day():
    holidays = statutory_holidays(2028)

    assert holidays[D(2028, 1, 1)] == "元旦"  # a Saturday
    assert holidays[D(2028, 1, 3)] == "元旦补假"  # the Monday after
    assert D(2028, 1, 2) not in holidays


def test_holiday_falling_on_another_holiday_is_made_up_too():
    holidays = statutory_holidays(2028)  # 中秋 (lunar 8-15) is 2028-10-03, a 国庆 day

    assert holidays[D(2028, 10, 3)] == "国庆节"
    assert holidays[D(2028, 10, 4)] == "国庆节补假"  # 10-01 is a Sunday
    assert holidays[D(2028, 10, 5)] == "中秋节补假（与国庆节同日）"


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_computed_for_a_known_year_are_all_official_rest_days(year):
    holidays = statutory_holidays(year)

    assert len([d for d, name in holidays.items() if "补假" not in name]) == 13  # 1+4+1+2+1+1+3 days of art.2
    assert [d for d in holidays if chinese_calendar.is_workday(d)] == []


def test_statutory_rule_does_not_change_a_year_with_official_data():
    calendar = WorkCalendar()

    assert calendar.day(D(2026, 10, 10)).workday  # the official 调休 Saturday stays a working day
    assert calendar.day(D(2026, 10, 1)).source == "official"
    assert compute("accept", D(2026, 9, 20)).statutory == []


def test_years_before_the_revision_without_data_count_weekends_only():
    assert statutory_holidays(2024) == {}
    assert WorkCalendar().day(D(1995, 10, 2)).source == "weekend_only"


def test_explanation_of_a_provisional_deadline_names_the_statutory_days_and_the_unknown_notice():
    deadline = compute("accept", D(2026, 12, 17))

    assert [d.date for d in deadline.statutory] == [D(2027, 1, 1)]
    facts = deadline.explanation(warn=False)
    assert "2027-01-01（元旦）" in facts and "《全国年节及纪念日放假办法》" in facts
    assert "调休" not in facts  # the warning is the banner's, said once a page
    text = deadline.explanation()
    assert "2027年的国务院放假调休安排尚未公布" in text and "暂定" in text
    assert deadline.as_dict()["statutory_days"] == [{"date": "2027-01-01", "reason": "元旦"}]


def test_working_day_period_skips_the_statutory_spring_festival_and_its_make_up_days():
    deadline = compute("simple_accept", D(2027, 2, 4))  # a Thursday, the day before 除夕

    assert deadline.counted == [D(2027, 2, 11), D(2027, 2, 12), D(2027, 2, 15)]
    assert [d.date for d in deadline.statutory] == [d for d in HOLIDAYS_2027 if D(2027, 2, 5) <= d <= D(2027, 2, 10)]


def test_override_wins_over_a_statutory_day():
    calendar = WorkCalendar(overrides={D(2027, 1, 1): (True, "测试：改为上班")})

    assert compute("accept", D(2026, 12, 17), calendar).due == D(2027, 1, 1)
