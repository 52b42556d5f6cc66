"""Server-side chart geometry: axis steps, stacked segments and the text alternative."""

import datetime as dt

import pytest

from portal.stats.charts import Series, monthly_stacked, nice_scale

MONTHS = [dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [(0, (4, 1)), (3, (3, 1)), (7, (8, 2)), (69, (80, 20)), (100, (100, 50)), (130, (150, 50)), (1234, (1500, 500))],
)
def test_the_axis_ends_on_a_round_step_above_the_maximum(maximum, expected):
    assert nice_scale(maximum) == expected


def chart(a, b):
    return monthly_stacked(
        MONTHS,
        [Series("letter", "来信", "#0072B2", a), Series("visit", "来访", "#D55E00", b)],
        heading="各月信访量（按渠道）",
        title="测试",
    )


def test_segments_stack_bottom_up_and_are_proportional():
    result = chart([2, 0, 1], [2, 0, 0])
    first, empty, third = result.columns

    assert [s.height for s in first.segments] == [first.segments[0].height] * 2
    assert first.segments[0].y + first.segments[0].height == result.bottom  # the first series sits on the axis
    assert first.segments[1].y + first.segments[1].height == first.segments[0].y
    assert empty.segments == [] and empty.total == 0
    assert third.segments[0].height == pytest.approx(first.segments[0].height / 2)
    assert first.segments[0].title == "2025年12月 来信：2件"


def test_the_year_is_shown_under_january_and_under_the_first_month_unless_january_follows_it():
    assert [(c.label, c.sublabel) for c in chart([0, 0, 0], [0, 0, 0]).columns] == [
        ("12", ""),
        ("1", "2026年"),
        ("2", ""),
    ]


def test_the_description_sums_up_the_chart_for_screen_readers():
    assert (
        chart([2, 0, 1], [2, 0, 0]).desc
        == "2025年12月至2026年2月共5件，其中来信3件、来访2件。最多的是2025年12月，4件。"
    )
    assert chart([0, 0, 0], [0, 0, 0]).desc == "2025年12月至2026年2月没有收到信访件。"
    assert chart([0, 0, 0], [0, 0, 0]).empty
