"""The public reception roster (DESIGN §6): which slots the public sees, how they are grouped and ordered."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from portal.accounts.models import Role, User
from portal.duty.models import DutySlot, Form, Period
from portal.duty.services import group_by_week, published_slots, roster_window
from portal.extensions import db
from portal.localtime import as_of
from portal.org.models import Department, Kind
from tests import factories

TODAY = dt.date(2026, 11, 25)  # a Wednesday; its roster runs from here to Sunday 2027-01-17


def add_slot(
    leader,
    day: dt.date,
    period: Period = Period.MORNING,
    *,
    published: bool = True,
    cancelled: bool = False,
    place: str = "县人民来访接待中心",
    form: Form = Form.FIXED,
    topics: str = "党建、信访、乡村振兴",
) -> DutySlot:
    slot = DutySlot(
        day=day,
        period=period,
        leader=leader,
        place=place,
        form=form,
        topics=topics,
        published=published,
        cancelled=cancelled,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def add_leader(username: str, name: str, title: str = "副县长") -> User:
    office = db.session.execute(db.select(Department).filter_by(kind=Kind.PETITION_OFFICE)).scalar_one()
    return factories.user(username, Role.LEADER, department=office, name=name, title=title)


@pytest.fixture(autouse=True)
def on_today():
    with as_of(TODAY):
        yield


@contextmanager
def count_queries(app):
    """The SQL statements ``app`` sends while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# --- which slots -----------------------------------------------------------------------------------------------
def test_roster_shows_a_published_slot_with_its_day_hours_leader_place_and_form(client, seed):
    seed(
        lambda w: add_slot(
            w.leader,
            TODAY + dt.timedelta(days=1),
            Period.AFTERNOON,
            form=Form.APPOINTMENT,
            place="城关镇群众工作站",
            topics="自然资源、住房城乡建设",
        )
    )

    response = client.get("/roster")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "11月26日",
        "星期四",
        "下午",
        "14:30—17:30",
        "王县长",
        "副县长",
        "自然资源、住房城乡建设",
        "城关镇群众工作站",
        "重点约访",
    ):
        assert text in page
    assert "已取消" not in page


def test_unpublished_slots_leave_no_trace_on_the_page(client, seed):
    seed(
        lambda w: add_slot(
            w.leader,
            TODAY + dt.timedelta(days=2),
            place="尚未公布的接访地点",
            topics="尚未公布的分管工作",
            published=False,
        )
    )

    page = client.get("/roster").get_data(as_text=True)

    assert "尚未公布" not in page
    assert "王县长" not in page
    assert "近期暂无公布的领导接访安排" in page


def test_a_cancelled_published_slot_stays_on_the_roster_marked_cancelled(client, seed):
    seed(lambda w: add_slot(w.leader, TODAY + dt.timedelta(days=3), cancelled=True, place="带案下访地点"))

    page = client.get("/roster").get_data(as_text=True)

    assert "带案下访地点" in page
    assert re.search(r'<tr class="slot[^"]* cancelled">.*?已取消.*?带案下访地点', page, re.DOTALL)


def test_past_days_are_left_out_and_today_is_marked(client, seed):
    def make(w):
        add_slot(w.leader, TODAY - dt.timedelta(days=1), place="昨天的地点")
        add_slot(w.leader, TODAY, place="今天的地点")

    seed(make)

    page = client.get("/roster").get_data(as_text=True)

    assert "昨天的地点" not in page
    assert "今天的地点" in page
    assert "今天</span>" in page


def test_roster_runs_eight_calendar_weeks_counting_the_current_one(ctx, world):
    last = dt.date(2027, 1, 17)  # Sunday of the eighth week from Monday 2026-11-23
    add_slot(world.leader, last, place="最后一天")
    add_slot(world.leader, last + dt.timedelta(days=1), place="第九周")

    start, end = roster_window(TODAY)

    assert (start, end) == (TODAY, last)
    assert [s.place for s in published_slots(start, end)] == ["最后一天"]


# --- grouping and order ----------------------------------------------------------------------------------------
def test_weeks_run_monday_to_sunday_across_a_month_and_a_year_boundary(ctx, world):
    for day in (
        dt.date(2026, 11, 29),
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 6),
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 1),
    ):
        add_slot(world.leader, day)

    weeks = group_by_week(published_slots(*roster_window(TODAY)))

    assert [(w.start, [s.day.day for s in w.slots]) for w in weeks] == [
        (dt.date(2026, 11, 23), [29]),
        (dt.date(2026, 11, 30), [30, 6]),
        (dt.date(2026, 12, 7), [7]),
        (dt.date(2026, 12, 28), [31, 1]),
    ]
    assert weeks[1].label == "11月30日（周一）至12月6日（周日）"
    assert weeks[3].label == "2026年12月28日（周一）至2027年1月3日（周日）"


def test_the_page_heads_each_week_with_its_monday_and_sunday(client, seed):
    seed(lambda w: [add_slot(w.leader, dt.date(2026, 11, 30)), add_slot(w.leader, dt.date(2026, 12, 2))])

    page = client.get("/roster").get_data(as_text=True)

    assert page.count("11月30日（周一）至12月6日（周日）") == 1
    assert page.count('<tr class="slot') == 2


def test_a_day_lists_morning_then_afternoon_then_whole_day_then_by_leader(ctx, world):
    other = add_leader("leader_li", "李副县长")
    day = TODAY + dt.timedelta(days=1)
    add_slot(world.leader, day, Period.DAY, place="d-wang")
    add_slot(other, day, Period.AFTERNOON, place="a-li")
    add_slot(world.leader, day, Period.AFTERNOON, place="a-wang")
    add_slot(other, day, Period.MORNING, place="m-li")
    add_slot(world.leader, TODAY, Period.DAY, place="earlier-day")
    db.session.commit()

    places = [s.place for s in published_slots(*roster_window(TODAY))]

    # 李 (U+674E) sorts before 王 (U+738B) by code point, which both SQLite and PostgreSQL (C collation) follow.
    assert places == ["earlier-day", "m-li", "a-li", "a-wang", "d-wang"]


def test_the_roster_is_loaded_in_one_query_with_leader_and_department(ctx, world):
    others = [add_leader(f"leader_{i}", f"副县长{i}") for i in range(3)]
    for i, leader in enumerate([world.leader, *others]):
        add_slot(leader, TODAY + dt.timedelta(days=i))
    db.session.commit()
    db.session.expunge_all()  # nothing may come from the identity map

    with count_queries(ctx) as statements:
        slots = published_slots(*roster_window(TODAY))
        shown = [(s.leader.name, s.leader.title, s.leader.department.name, s.period.hours) for s in slots]

    assert len(shown) == 4
    assert len(statements) == 1


def test_the_page_makes_as_many_queries_for_many_slots_as_for_one(app, client, seed):
    seed(lambda w: add_slot(w.leader, TODAY))
    with count_queries(app) as one:
        client.get("/roster")
    seed(lambda w: [add_slot(add_leader(f"many_{i}", f"领导{i}"), TODAY + dt.timedelta(days=i)) for i in range(1, 6)])
    with count_queries(app) as many:
        page = client.get("/roster").get_data(as_text=True)

    assert page.count('<tr class="slot') == 6
    assert len(many) == len(one)


# --- the page itself -------------------------------------------------------------------------------------------
def test_an_empty_roster_says_so_and_gives_the_reception_address_and_hours(client, seed):
    from portal.settings.models import Setting

    seed(
        lambda w: db.session.add_all(
            [
                Setting(key="office_address", value="县人民来访接待中心（县政务服务中心一楼）"),
                Setting(key="reception_hours", value="工作日 上午8:30—12:00，下午14:30—17:30"),
            ]
        )
    )
    page = client.get("/roster").get_data(as_text=True)

    assert "近期暂无公布的领导接访安排" in page
    assert "县人民来访接待中心（县政务服务中心一楼）" in page
    assert "工作日 上午8:30—12:00，下午14:30—17:30" in page
    assert "<table" not in page


def test_the_page_links_to_the_calendar_feed_and_needs_no_inline_script_or_style(client, seed):
    seed(lambda w: add_slot(w.leader, TODAY))

    page = client.get("/roster").get_data(as_text=True)

    assert 'href="/roster.ics"' in page
    assert "http://localhost/roster.ics" in page  # the address to subscribe to
    assert 'href="/static/css/duty.css?v=' in page  # fingerprinted (portal.ops.static)
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)
    assert not re.search(r"\sstyle=", page)
