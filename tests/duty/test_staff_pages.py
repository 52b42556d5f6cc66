"""The staff roster pages: month calendar and list, in-place (htmx) and plain changes, publishing, swaps,
我的接访 and a leader's own calendar feed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.accounts.models import User
from portal.audit.models import AuditLog
from portal.duty.models import DutySlot, Period, SwapRequest, SwapState
from portal.extensions import db
from portal.localtime import as_of
from tests.duty.test_calendar_feed import events, unescape
from tests.duty.test_roster import TODAY, add_leader, add_slot

MON = dt.date(2026, 11, 30)
SAT = dt.date(2026, 12, 5)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def on_today():
    with as_of(TODAY):
        yield


def cell(day: dt.date) -> dict:
    """Headers of an htmx request made from ``day``'s calendar cell."""
    return {**HTMX, "HX-Target": f"day-{day.isoformat()}"}


def slot_form(leader_id: int, day: dt.date = MON, **overrides) -> dict:
    data = {
        "day": day.isoformat(),
        "period": "morning",
        "leader_id": str(leader_id),
        "place": "县人民来访接待中心",
        "form": "fixed",
        "topics": "党建、信访",
        "back": "month",
        "month": "2026-11",
    }
    data.update(overrides)
    return data


@pytest.fixture
def li(seed):
    """A second leader's id."""
    return seed(lambda w: add_leader("leader_li", "李副县长").id)


def get_slot(app, slot_id: int) -> DutySlot:
    with app.app_context():
        slot = db.session.get(DutySlot, slot_id)
        db.session.expunge_all()
        return slot


# --- the month calendar --------------------------------------------------------------------------------------------
def test_the_month_calendar_runs_monday_to_sunday_with_slots_and_neighbouring_months(client, seed, as_clerk):
    seed(lambda w: add_slot(w.leader, MON, Period.AFTERNOON, published=False, place="城关镇群众工作站"))

    response = client.get("/staff/duty/?month=2026-11")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '接访排班 <span class="month-label">2026年11月</span>' in page
    cells = re.findall(r'<li class="day[^"]*" id="day-(\d{4}-\d{2}-\d{2})"', page)
    assert cells[0] == "2026-10-26" and cells[-1] == "2026-12-06" and len(cells) == 42  # Monday to Sunday rows
    assert 'href="/staff/duty/?month=2026-10"' in page and 'href="/staff/duty/?month=2026-12"' in page
    day = page.split('id="day-2026-11-30"')[1].split("</li>\n\n")[0]
    for text in ("下午", "王县长", "城关镇群众工作站", "定点接访", "党建、信访、乡村振兴", "草稿", "调整", "取消"):
        assert text in day


def test_uncovered_working_days_are_highlighted_and_listed(client, seed, as_clerk):
    seed(lambda w: [add_slot(w.leader, dt.date(2026, 11, d)) for d in range(2, 31) if d != 26])

    page = client.get("/staff/duty/?month=2026-11").get_data(as_text=True)

    uncovered = re.findall(r'<li class="day[^"]* uncovered[^"]*" id="day-([\d-]+)"', page)
    # Nov 26 is a Thursday without a slot; the weekends need nobody.
    assert uncovered == ["2026-11-26"]
    assert "<b>1</b> 天无人接访" in page


def test_who_is_behind_the_quota_is_shown(client, seed, as_clerk):
    seed(lambda w: [add_leader("leader_li", "李副县长"), add_slot(w.leader, MON)])

    page = client.get("/staff/duty/?month=2026-11").get_data(as_text=True)

    assert "<b>1</b> 位领导未达接访定额" in page
    assert "李副县长" in page.split("未达接访定额")[1].split("</li>")[0]
    assert re.search(r'<tr class="behind">\s*<th scope="row">李副县长', page)
    assert re.search(r'<tr class="">\s*<th scope="row">王县长', page)


@pytest.mark.parametrize("month", ["2026-13", "26-11", "november", "2026-1"])
def test_a_bad_month_is_a_bad_request(client, as_clerk, month):
    assert client.get(f"/staff/duty/?month={month}").status_code == 400


def test_the_list_shows_every_slot_of_the_month_with_its_marks(client, seed, as_clerk):
    def make(w):
        add_slot(w.leader, MON, published=True, place="公布的地点")
        add_slot(w.leader, MON, Period.AFTERNOON, published=False, place="草稿的地点")
        add_slot(w.leader, dt.date(2026, 11, 27), cancelled=True, place="取消的地点")
        add_slot(w.leader, dt.date(2026, 12, 1), place="下个月")

    seed(make)

    page = client.get("/staff/duty/list?month=2026-11").get_data(as_text=True)

    assert page.count('<tr id="slot-') == 3 and "下个月" not in page
    assert "已公布" in page and "草稿" in page and "已取消" in page


def test_a_leader_sees_the_roster_read_only_and_may_ask_to_swap_own_slots(client, seed, as_leader, li):
    def make(w):
        add_slot(w.leader, MON, place="我的接访")
        add_slot(db.session.get(User, li), MON + dt.timedelta(days=1), place="别人的接访")

    seed(make)

    page = client.get("/staff/duty/?month=2026-11").get_data(as_text=True)

    assert "＋ 排班" not in page and ">调整</a>" not in page and "确认取消该排班" not in page
    assert page.count(">申请调换</a>") == 1
    assert "公布11月排班" not in page and "添加特殊时期" not in page


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_users_who_do_not_work_cases_cannot_see_the_staff_roster(client, login, who):
    login(who)

    assert client.get("/staff/duty/").status_code == 403
    assert client.get("/staff/duty/list").status_code == 403


def test_the_roster_needs_a_sign_in(client, staff):
    response = client.get("/staff/duty/")

    assert response.status_code in (302, 303) and "/staff/login" in response.headers["Location"]


MANAGEMENT = [
    ("get", "/staff/duty/slots/new?day=2026-11-30"),
    ("post", "/staff/duty/slots"),
    ("get", "/staff/duty/slots/{slot}/edit"),
    ("post", "/staff/duty/slots/{slot}/move"),
    ("post", "/staff/duty/slots/{slot}/cancel"),
    ("post", "/staff/duty/publish"),
    ("post", "/staff/duty/special-periods"),
]


@pytest.mark.parametrize("who", ["leader", "supervisor", "dept_head", "handler"])
@pytest.mark.parametrize("method, url", MANAGEMENT)
def test_only_clerks_manage_the_roster(app, client, seed, login, who, method, url):
    slot_id = seed(lambda w: add_slot(w.leader, MON, published=False).id)
    login(who)

    response = getattr(client, method)(url.format(slot=slot_id), data=slot_form(1, period="afternoon"))

    assert response.status_code == 403
    slot = get_slot(app, slot_id)
    assert (slot.period, slot.cancelled, slot.published) == (Period.MORNING, False, False)


# --- creating in place -----------------------------------------------------------------------------------------------
def test_htmx_asks_for_the_form_inside_the_day_cell(client, as_clerk, staff):
    response = client.get("/staff/duty/slots/new?day=2026-11-30&month=2026-11", headers=cell(MON))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.startswith('<li class="day') and "<html" not in page
    assert 'hx-post="/staff/duty/slots"' in page and 'value="2026-11-30"' in page


def test_htmx_create_returns_the_day_cell_with_the_new_slot(app, client, as_clerk, staff):
    response = client.post("/staff/duty/slots", data=slot_form(staff["leader"].id), headers=cell(MON))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.startswith('<li class="day') and 'id="day-2026-11-30"' in page and "<html" not in page
    assert "王县长" in page and "草稿" in page
    assert 'id="duty-notice" class="duty-notice" aria-live="polite" hx-swap-oob="true"' in page
    assert response.headers["HX-Trigger"] == "duty-changed"
    assert "HX-Request" in response.headers["Vary"]
    with app.app_context():
        slot = db.session.scalars(db.select(DutySlot)).one()
        assert (slot.day, slot.leader_id) == (MON, staff["leader"].id)
        assert db.session.scalars(db.select(AuditLog.object_id).filter_by(action="duty.slot_created")).all() == [
            slot.id
        ]


def test_htmx_create_with_missing_fields_returns_the_form_with_messages_and_writes_nothing(
    app, client, as_clerk, staff
):
    response = client.post("/staff/duty/slots", data=slot_form(staff["leader"].id, place=""), headers=cell(MON))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.startswith('<li class="day') and "请填写接访地点。" in page and 'hx-post="/staff/duty/slots"' in page
    with app.app_context():
        assert db.session.scalars(db.select(DutySlot)).all() == []


def test_a_rest_day_asks_for_confirmation_then_creates(app, client, as_clerk, staff):
    form = slot_form(staff["leader"].id, day=SAT)

    asked = client.post("/staff/duty/slots", data=form, headers=cell(SAT))

    page = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "12月5日是休息日（周六），确认仍在该日排班？" in page
    assert '<button class="primary" name="confirm_rest_day" value="y">确认，仍在该日排班</button>' in page
    with app.app_context():
        assert db.session.scalars(db.select(DutySlot)).all() == []

    confirmed = client.post("/staff/duty/slots", data={**form, "confirm_rest_day": "y"}, headers=cell(SAT))

    assert confirmed.status_code == 200 and "王县长" in confirmed.get_data(as_text=True)


def test_a_double_booking_is_refused_inside_the_cell(client, seed, as_clerk, staff):
    seed(lambda w: add_slot(w.leader, MON, Period.DAY))

    response = client.post("/staff/duty/slots", data=slot_form(staff["leader"].id), headers=cell(MON))

    assert response.status_code == 422
    assert "王县长11月30日（星期一）全天已有接访安排" in response.get_data(as_text=True)


def test_without_javascript_create_redirects_to_the_month_with_a_message(client, as_clerk, staff):
    form_page = client.get("/staff/duty/slots/new?day=2026-11-30")
    assert form_page.status_code == 200 and "<html" in form_page.get_data(as_text=True)

    response = client.post("/staff/duty/slots", data=slot_form(staff["leader"].id))

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/duty/?month=2026-11#day-2026-11-30")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已安排：11月30日（星期一）上午 王县长。" in page


def test_without_javascript_a_refusal_shows_the_form_page_again(client, as_clerk, staff):
    response = client.post("/staff/duty/slots", data=slot_form(staff["leader"].id, day=SAT))

    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in page
    assert "12月5日是休息日（周六），确认仍在该日排班？" in page and 'value="城关镇' not in page


# --- moving and cancelling in place --------------------------------------------------------------------------------
def test_htmx_edit_opens_the_form_in_place_of_the_slot(client, seed, as_clerk):
    slot_id = seed(lambda w: add_slot(w.leader, MON).id)

    page = client.get(f"/staff/duty/slots/{slot_id}/edit?month=2026-11", headers=cell(MON)).get_data(as_text=True)

    assert page.startswith('<li class="day') and f'hx-post="/staff/duty/slots/{slot_id}/move"' in page
    assert '<li class="duty-slot editing">' in page


def test_htmx_move_to_another_day_returns_both_cells(app, client, seed, as_clerk, li):
    slot_id = seed(lambda w: add_slot(w.leader, MON, published=True).id)
    tuesday = MON + dt.timedelta(days=1)

    response = client.post(
        f"/staff/duty/slots/{slot_id}/move", data=slot_form(li, day=tuesday, period="afternoon"), headers=cell(MON)
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    first, rest = page.split("</li>\n", 1)[0], page
    assert first.startswith('<li class="day') and 'id="day-2026-11-30"' in first
    assert 'id="day-2026-12-01" hx-swap-oob="true"' in rest and "李副县长" in rest
    assert "原定王县长" in rest  # it was published: the public learns who was first
    slot = get_slot(app, slot_id)
    assert (slot.day, slot.period, slot.leader_id) == (tuesday, Period.AFTERNOON, li)


def test_htmx_cancel_returns_the_cell_with_the_slot_marked(app, client, seed, as_clerk):
    slot_id = seed(lambda w: add_slot(w.leader, MON, published=True).id)

    response = client.post(
        f"/staff/duty/slots/{slot_id}/cancel", data={"back": "month", "month": "2026-11"}, headers=cell(MON)
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.startswith('<li class="day')
    assert '<li class="duty-slot cancelled"' in page and "已取消" in page
    assert get_slot(app, slot_id).cancelled


def test_cancelling_a_past_slot_is_refused_with_a_message(client, seed, as_clerk):
    slot_id = seed(lambda w: add_slot(w.leader, TODAY - dt.timedelta(days=1)).id)

    response = client.post(f"/staff/duty/slots/{slot_id}/cancel", data={}, headers=cell(TODAY - dt.timedelta(days=1)))

    assert response.status_code == 422 and "已经过去" in response.get_data(as_text=True)


def test_without_javascript_cancel_from_the_list_returns_to_the_list(client, seed, as_clerk):
    slot_id = seed(lambda w: add_slot(w.leader, MON).id)

    response = client.post(f"/staff/duty/slots/{slot_id}/cancel", data={"back": "list", "month": "2026-11"})

    assert response.status_code == 303 and response.headers["Location"] == "/staff/duty/list?month=2026-11"


def test_the_status_strip_and_quota_panel_refresh_as_fragments(client, as_clerk, staff):
    for part in ("status", "details"):
        response = client.get(f"/staff/duty/panel/{part}?month=2026-11", headers=HTMX)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and page.startswith(f'<section id="duty-{part}"') and "<html" not in page
        assert 'hx-trigger="duty-changed from:body"' in page


# --- publishing ------------------------------------------------------------------------------------------------------
def test_publish_puts_far_enough_drafts_on_the_public_roster_and_names_the_rest(app, client, seed, as_clerk):
    ids = seed(
        lambda w: [
            add_slot(w.leader, TODAY + dt.timedelta(days=1), published=False, place="明天的").id,
            add_slot(w.leader, MON, published=False, place="下周一的").id,
        ]
    )

    response = client.post("/staff/duty/publish", data={"month": "2026-11", "back": "month"})

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已公布1条接访排班" in page
    assert "以下1条排班距今不足2天，不能首次公布，仍为草稿：11月26日（星期四）上午 王县长。" in page
    assert [get_slot(app, i).published for i in ids] == [False, True]
    public = client.get("/roster").get_data(as_text=True)
    assert "下周一的" in public and "明天的" not in public


# --- special periods -------------------------------------------------------------------------------------------------
def test_a_clerk_adds_a_special_period_and_its_rest_days_become_uncovered(client, as_clerk, staff):
    response = client.post(
        "/staff/duty/special-periods",
        data={
            "name": "元旦值守",
            "starts_on": "2026-11-28",
            "ends_on": "2026-11-29",
            "coverage": "every_day",
            "month": "2026-11",
            "back": "month",
        },
    )

    assert response.status_code == 303
    page = client.get("/staff/duty/?month=2026-11").get_data(as_text=True)
    assert "已添加特殊时期：元旦值守（2026年11月28日至11月29日，每天有人接访）。" in page
    assert re.search(r'<li class="day rest uncovered[^"]*" id="day-2026-11-28"', page)


def test_a_bad_special_period_shows_the_page_again_with_the_message(client, as_clerk, staff):
    response = client.post(
        "/staff/duty/special-periods",
        data={
            "name": "倒过来",
            "starts_on": "2026-11-29",
            "ends_on": "2026-11-28",
            "coverage": "every_day",
            "month": "2026-11",
        },
    )

    assert response.status_code == 422
    assert "结束日期不能早于开始日期。" in response.get_data(as_text=True)


# --- swaps and 我的接访 -----------------------------------------------------------------------------------------------
def test_my_duty_lists_my_upcoming_slots_with_a_swap_form(client, seed, as_leader):
    seed(
        lambda w: [
            add_slot(w.leader, MON, place="我的下周一"),
            add_slot(w.leader, TODAY - dt.timedelta(days=3), place="上周的"),
        ]
    )

    response = client.get("/staff/duty/mine")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "我的下周一" in page and "上周的" not in page
    assert "不能参加？申请调换" in page and "生成订阅地址" in page


@pytest.mark.parametrize("who", ["clerk", "handler", "supervisor"])
def test_my_duty_is_for_leaders(client, login, who):
    login(who)

    assert client.get("/staff/duty/mine").status_code == 403


def test_a_swap_from_request_to_acceptance_reaches_the_public_roster(app, client, seed, auth, staff, li):
    slot_id = seed(lambda w: add_slot(w.leader, MON, published=True, place="县人民来访接待中心").id)
    auth.login("leader")

    asked = client.post(
        f"/staff/duty/slots/{slot_id}/swap", data={"substitute_id": str(li), "reason": "赴省里开会", "back": "mine"}
    )
    assert asked.status_code == 303 and asked.headers["Location"] == "/staff/duty/mine"
    assert "调换待确认：李副县长" in client.get("/staff/duty/mine").get_data(as_text=True)

    auth.logout()
    auth.login("leader_li")
    mine = client.get("/staff/duty/mine").get_data(as_text=True)
    assert "请您接替的接访" in mine and "赴省里开会" in mine
    with app.app_context():
        swap_id = db.session.scalars(db.select(SwapRequest.id)).one()
    accepted = client.post(f"/staff/duty/swaps/{swap_id}/accept", data={"back": "mine"})
    assert accepted.status_code == 303

    public = client.get("/roster").get_data(as_text=True)
    row = public.split('<td class="slot-leader">')[1].split("</td>")[0]
    assert row.startswith("李副县长") and "原定王县长因故调换" in row
    [api_slot] = client.get("/api/v1/roster").get_json()["slots"]
    assert (api_slot["leader"], api_slot["original_leader"]) == ("李副县长", "王县长")


def test_a_swap_asked_of_a_leader_already_on_duty_is_refused_on_the_form(client, seed, as_leader, li):
    slot_id = seed(
        lambda w: [add_slot(db.session.get(User, li), MON, Period.DAY), add_slot(w.leader, MON, Period.MORNING)][1].id
    )

    response = client.post(f"/staff/duty/slots/{slot_id}/swap", data={"substitute_id": str(li), "reason": "开会"})

    assert response.status_code == 422
    assert "李副县长11月30日（星期一）全天已有接访安排（县人民来访接待中心），不能接替。" in response.get_data(
        as_text=True
    )


def test_a_leader_cannot_ask_to_swap_someone_elses_slot(client, seed, as_leader, li):
    slot_id = seed(lambda w: add_slot(db.session.get(User, li), MON).id)

    assert client.get(f"/staff/duty/slots/{slot_id}/swap").status_code == 403
    assert client.post(f"/staff/duty/slots/{slot_id}/swap", data={"substitute_id": str(li)}).status_code == 403


def test_a_leader_not_involved_cannot_decide_a_swap(app, client, seed, login, li):
    def make(w):
        add_leader("leader_zhang", "张副县长")
        slot = add_slot(w.leader, MON)
        swap = SwapRequest(slot=slot, requested_by_id=w.leader.id, substitute_id=li, reason="出差")
        db.session.add(swap)
        db.session.flush()
        return swap.id

    swap_id = seed(make)
    client.post("/staff/login", data={"username": "leader_zhang", "password": "xinfang-test-2026"})

    assert client.post(f"/staff/duty/swaps/{swap_id}/accept").status_code == 403
    with app.app_context():
        assert db.session.get(SwapRequest, swap_id).state is SwapState.REQUESTED


# --- a leader's own calendar feed ------------------------------------------------------------------------------------
def test_a_leader_subscribes_to_a_secret_feed_of_own_slots(app, client, seed, as_leader, li):
    def make(w):
        add_slot(w.leader, MON, published=False, place="草稿的地点")
        add_slot(w.leader, MON + dt.timedelta(days=1), cancelled=True, place="取消的地点")
        add_slot(db.session.get(User, li), MON, place="别人的地点")

    seed(make)

    created = client.post("/staff/duty/mine/feed")
    assert created.status_code == 303
    page = client.get("/staff/duty/mine").get_data(as_text=True)
    url = re.search(r'<p class="feed-url mono">(http://localhost/duty/feed/[\w-]+\.ics)</p>', page).group(1)
    assert "重置订阅地址" in page

    client.post("/staff/logout")
    response = client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    found = events(response.get_data(as_text=True))
    assert sorted(unescape(e["LOCATION"]) for e in found) == ["取消的地点", "草稿的地点"]
    assert {e["STATUS"] for e in found} == {"CONFIRMED", "CANCELLED"}
    assert {e["TRANSP"] for e in found} == {"OPAQUE"}


def test_an_unknown_or_reset_token_is_not_found(app, client, seed, as_leader):
    client.post("/staff/duty/mine/feed")
    with app.app_context():
        old = db.session.scalars(db.select(User.calendar_token).filter_by(username="leader")).one()
    assert client.get(f"/duty/feed/{old}.ics").status_code == 200

    client.post("/staff/duty/mine/feed/reset")

    assert client.get(f"/duty/feed/{old}.ics").status_code == 404
    assert client.get("/duty/feed/not-a-token.ics").status_code == 404
    with app.app_context():
        new = db.session.scalars(db.select(User.calendar_token).filter_by(username="leader")).one()
    assert new != old and client.get(f"/duty/feed/{new}.ics").status_code == 200


def test_the_nav_links_to_the_roster_and_for_leaders_to_my_duty(client, login):
    login("clerk")
    page = client.get("/staff/duty/").get_data(as_text=True)
    assert 'href="/staff/duty/">接访排班</a>' in page and ">我的接访</a>" not in page.split("</nav>")[0]

    client.post("/staff/logout")
    login("leader")
    nav = client.get("/staff/duty/").get_data(as_text=True).split("</nav>")[0]
    assert 'href="/staff/duty/mine">我的接访</a>' in nav
