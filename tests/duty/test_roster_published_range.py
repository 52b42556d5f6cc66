"""The public roster's intro names the range actually published (its last published slot), not the weeks the page
could show."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.duty.models import DutySlot, Form, Period
from portal.extensions import db
from portal.localtime import as_of

TODAY = dt.date(2026, 11, 25)  # a Wednesday; the page can show up to Sunday 2027-01-17


@pytest.fixture(autouse=True)
def on_today():
    with as_of(TODAY):
        yield


def slots(*days: dt.date, published: bool = True, cancelled: bool = False):
    def add(world):
        for day in days:
            db.session.add(
                DutySlot(
                    day=day,
                    period=Period.MORNING,
                    leader=world.leader,
                    place="县人民来访接待中心",
                    form=Form.FIXED,
                    topics="信访",
                    published=published,
                    cancelled=cancelled,
                )
            )

    return add


def intro(client) -> str:
    page = client.get("/roster").get_data(as_text=True)
    match = re.search(r'<p class="roster-intro">(.*?)</p>', page, re.S)
    assert match, "the roster has its intro"
    return " ".join(match.group(1).split())


def test_the_intro_names_the_last_published_day_not_the_end_of_the_window(client, seed):
    seed(slots(dt.date(2026, 11, 27), dt.date(2026, 12, 20)))

    text = intro(client)

    assert "已公布至12月20日" in text
    assert "1月17日" not in text and "11月25日" not in text, "the query window is not the published range"


def test_drafts_in_later_weeks_do_not_extend_the_published_range(client, seed):
    seed(slots(dt.date(2026, 12, 2)))
    seed(slots(dt.date(2027, 1, 6), published=False))

    assert "已公布至12月2日" in intro(client)


def test_a_cancelled_last_slot_still_counts_as_published(client, seed):
    # It stays on the page marked 已取消: the arrangement up to that day is what the public was told.
    seed(slots(dt.date(2026, 12, 2)))
    seed(slots(dt.date(2026, 12, 9), cancelled=True))

    assert "已公布至12月9日" in intro(client)


def test_a_range_into_next_year_names_the_year(client, seed):
    seed(slots(dt.date(2026, 12, 30), dt.date(2027, 1, 8)))

    assert "已公布至2027年1月8日" in intro(client)


def test_published_slots_beyond_the_weeks_shown_are_announced_with_where_the_page_stops(client, seed):
    seed(slots(dt.date(2026, 12, 1), dt.date(2027, 2, 10)))

    text = intro(client)

    assert "已公布至2027年2月10日" in text and "本页列出至2027年1月17日" in text


def test_past_slots_are_not_the_published_range(client, seed):
    seed(slots(dt.date(2026, 11, 20), dt.date(2026, 11, 26)))

    text = intro(client)

    assert "已公布至11月26日" in text and "11月20日" not in text
