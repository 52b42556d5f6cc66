"""The reception log pages: who may open them, adding entries (answered, transferred with the receipt shown once),
earlier cases while typing, the lock and the corrections, and the list of logs."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func

from portal.accounts.models import User
from portal.audit.models import AuditLog
from portal.cases import codes
from portal.cases.models import Case, Status
from portal.duty.models import DutySlot, Period
from portal.extensions import db
from portal.reception.models import ReceptionEntry, ReceptionLog
from tests.factories import register
from tests.reception.conftest import DAY, make_slot, second_leader, totals

ENTRY = {
    "name": "刘群众",
    "phone": "13912340001",
    "id_number": "",
    "address": "城关镇幸福村3组",
    "people_count": "1",
    "representatives": "",
    "matter": "村道硬化工程停工半年，雨天无法通行。",
    "place": "城关镇幸福村",
    "handling": "answered",
    "answer": "已协调交通局，年底前复工。",
    "satisfaction": "satisfied",
    "case_type": "claim",
    "department_id": "0",
    "title": "",
    "instruction": "",
}


@pytest.fixture
def slot_id(seed) -> int:
    """A morning slot of ``leader`` (王县长) today, and one of 刘副县长 the same afternoon."""

    def data(world):
        mine = make_slot(world.leader)
        make_slot(second_leader(world), period=Period.AFTERNOON)
        return mine.id

    return seed(data)


def url(slot_id: int, tail: str = "") -> str:
    return f"/staff/reception/slots/{slot_id}{tail}"


def counted(app) -> tuple:
    with app.app_context():
        return totals()


def entry_id(app) -> int:
    """The id of the one entry a test added (ids are not reset between tests on PostgreSQL)."""
    with app.app_context():
        return db.session.scalars(db.select(ReceptionEntry.id)).one()


def transfer(world_refs, **changes) -> dict:
    data = {
        **ENTRY,
        "handling": "transferred",
        "department_id": str(world_refs["dept:housing"]),
        "instruction": "请县住建局核实情况，依法依规处理。",
        "answer": "",
        "satisfaction": "",
    }
    data.update(changes)
    return data


# --- who may open a log -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "who, status",
    [
        ("leader", 200),
        ("clerk", 200),
        ("leader2", 403),
        ("handler", 403),
        ("dept_head", 403),
        ("supervisor", 403),
        ("admin", 403),
        ("auditor", 403),
    ],
)
def test_only_the_duty_leader_and_clerks_open_a_log(client, auth, login, slot_id, who, status):
    if who == "leader2":
        auth.login("leader2")
    else:
        login(who)

    assert client.get(url(slot_id)).status_code == status
    assert client.post(url(slot_id, "/entries"), data=ENTRY).status_code == (303 if status == 200 else status)


def test_signed_out_visitors_are_sent_to_the_login_page(client, slot_id):
    response = client.get(url(slot_id))

    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_an_unknown_slot_is_404(client, login, slot_id):
    login("clerk")

    assert client.get(url(slot_id + 100)).status_code == 404


def test_looking_at_a_log_writes_nothing(client, login, slot_id, app):
    login("leader")
    before = counted(app)

    page = client.get(url(slot_id)).get_data(as_text=True)

    assert "未填写" in page and "登记来访" in page and "提交并锁定" in page
    assert counted(app) == before


# --- adding entries -----------------------------------------------------------------------------------------------
def test_an_answered_entry_is_added_and_shown_on_the_log(client, login, slot_id, app):
    login("leader")

    response = client.post(url(slot_id, "/entries"), data=ENTRY)
    page = client.get(url(slot_id)).get_data(as_text=True)

    assert response.status_code == 303 and response.headers["Location"].endswith(f"#entry-{entry_id(app)}")
    assert "已登记 JF2026-0001（当场答复）" in page
    assert "JF2026-0001" in page and "刘群众" in page and "已协调交通局，年底前复工。" in page and "满意" in page
    with app.app_context():
        assert db.session.scalar(db.select(func.count()).select_from(Case)) == 0


def test_a_transfer_shows_the_receipt_with_both_codes_once(client, login, slot_id, staff, app):
    login("clerk")

    response = client.post(url(slot_id, "/entries"), data=transfer(staff))
    html = response.get_data(as_text=True)

    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        entry = db.session.scalars(db.select(ReceptionEntry)).one()
        case = entry.case
        assert case.status is Status.ASSIGNED and case.owner_leader.username == "leader"
        assert case.department_id == staff["dept:housing"] and case.due_date is not None
        tracking, due = case.tracking_code, case.due_date
    query_code = re.search(r"查询码</dt><dd class=\"mono big\">(\w+)</dd>", html).group(1)
    assert tracking in html and "JF2026-0001" in html and "县住房和城乡建设局" in html and f"{due:%Y-%m-%d}" in html
    assert "<svg" in html and "打印回执" in html and "data-print" in html
    with app.app_context():
        assert codes.check_query_code(db.session.get(Case, case.id).query_code_hash, query_code)

    log_page = client.get(url(slot_id)).get_data(as_text=True)
    assert tracking in log_page and query_code not in log_page  # never again
    assert query_code not in client.get(f"/staff/cases/{case.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"matter": ""}, "请填写反映事项"),
        ({"phone": "12345"}, "联系电话格式不正确"),
        ({"people_count": "0"}, "来访人数应在1至10000之间"),
        ({"people_count": "3", "representatives": "甲\n乙\n丙\n丁"}, "代表人数（4人）不能多于来访人数（3人）"),
        ({"people_count": "40", "representatives": "甲\n乙\n丙\n丁\n戊\n己"}, "不得超过5人"),
        ({"answer": ""}, "请填写答复内容"),
    ],
)
def test_bad_input_keeps_what_was_typed_and_writes_nothing(client, login, slot_id, app, change, message):
    login("leader")
    before = counted(app)

    response = client.post(url(slot_id, "/entries"), data={**ENTRY, "name": "输入保留测试", **change})
    html = response.get_data(as_text=True)

    assert response.status_code == 422 and message in html
    assert 'value="输入保留测试"' in html
    assert counted(app) == before


def test_a_refused_transfer_writes_nothing_not_even_the_case(client, login, slot_id, staff, app):
    login("leader")
    before = counted(app)

    # The petition office takes no assignments: refused after the case service has flushed the case.
    response = client.post(url(slot_id, "/entries"), data=transfer(staff, department_id=str(staff["dept:office"])))

    assert response.status_code == 422 and "不是可交办的责任单位" in response.get_data(as_text=True)
    assert counted(app) == before


def test_a_transfer_without_department_is_refused(client, login, slot_id, staff, app):
    login("leader")
    before = counted(app)

    response = client.post(url(slot_id, "/entries"), data=transfer(staff, department_id="0"))

    assert response.status_code == 422 and "请选择责任单位" in response.get_data(as_text=True)
    assert counted(app) == before


# --- repeat visitors --------------------------------------------------------------------------------------------
@pytest.fixture
def earlier_case(seed) -> tuple[int, str]:
    def data(world):
        case, _ = register(world, phone="13912340001", petitioner_name="刘群众", title="村道硬化停工")
        return case.id, case.tracking_code

    return seed(data)


def test_a_leader_sees_earlier_cases_while_typing_the_phone(client, login, slot_id, earlier_case):
    login("leader")

    response = client.get("/staff/reception/earlier?phone=13912340001", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200 and html.strip().startswith('<div id="earlier"')
    assert earlier_case[1] in html and f'value="{earlier_case[0]}"' in html
    assert client.get("/staff/cases/earlier?phone=13912340001").status_code == 403  # the clerks' own endpoint
    assert "未查到" in client.get("/staff/reception/earlier?phone=13700000000").get_data(as_text=True)


@pytest.mark.parametrize("who", ["handler", "supervisor", "admin"])
def test_earlier_cases_are_not_shown_to_other_roles(client, login, who):
    login(who)

    assert client.get("/staff/reception/earlier?phone=13912340001").status_code == 403


def test_without_javascript_the_earlier_cases_come_with_a_button(client, login, slot_id, earlier_case, app):
    login("leader")
    before = counted(app)

    response = client.post(url(slot_id, "/entries"), data={**ENTRY, "find_earlier": "1"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200 and earlier_case[1] in html and 'value="刘群众"' in html
    assert counted(app) == before


def test_the_transfer_of_a_repeat_visitor_whose_matter_is_still_being_handled_is_merged_into_the_earlier_case(
    client, login, slot_id, staff, earlier_case, app
):
    login("leader")

    response = client.post(url(slot_id, "/entries"), data=transfer(staff, repeat_of_id=str(earlier_case[0])))

    assert response.status_code == 201
    assert f"已并入信访件 {earlier_case[1]}" in response.get_data(as_text=True)  # the visitor's receipt says so
    with app.app_context():
        entry = db.session.scalars(db.select(ReceptionEntry)).one()
        assert entry.case.repeat_of_id == earlier_case[0] and entry.case.status.value == "merged"
    log = client.get(url(slot_id)).get_data(as_text=True)
    assert "已并入" in log and earlier_case[1] in log


# --- editing, the lock, corrections -------------------------------------------------------------------------------
def test_an_answered_entry_is_edited_before_the_lock(client, login, slot_id, app):
    login("leader")
    client.post(url(slot_id, "/entries"), data=ENTRY)
    edit = url(slot_id, f"/entries/{entry_id(app)}/edit")

    form = client.get(edit).get_data(as_text=True)
    response = client.post(edit, data={**ENTRY, "name": "刘大群众"})

    assert 'value="刘群众"' in form and "已协调交通局" in form
    assert response.status_code == 303
    assert "刘大群众" in client.get(url(slot_id)).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(AuditLog.action).where(AuditLog.action == "reception.edit_entry")).one()


def test_submitting_needs_the_confirmation_then_locks_the_log(client, login, slot_id, app):
    login("leader")
    client.post(url(slot_id, "/entries"), data=ENTRY)

    unconfirmed = client.post(url(slot_id, "/submit"), data={"summary": "接待1批1人。"})
    confirmed = client.post(url(slot_id, "/submit"), data={"summary": "接待1批1人。", "confirm": "y"})
    page = client.get(url(slot_id)).get_data(as_text=True)

    assert unconfirmed.status_code == 422 and "请勾选确认已核对全部登记" in unconfirmed.get_data(as_text=True)
    assert confirmed.status_code == 303
    assert "已提交锁定" in page and "接待1批1人。" in page and "李登记" not in page  # submitted by the leader
    assert "登记来访" not in page and "修改</a>" not in page and "添加更正说明" in page
    with app.app_context():
        log = db.session.scalars(db.select(ReceptionLog)).one()
        assert log.locked and db.session.get(User, log.submitted_by_id).username == "leader"


def test_after_the_lock_adding_and_editing_are_refused_with_a_message(client, login, slot_id, staff, app):
    login("leader")
    client.post(url(slot_id, "/entries"), data=ENTRY)
    client.post(url(slot_id, "/submit"), data={"confirm": "y"})
    before = counted(app)

    added = client.post(url(slot_id, "/entries"), data={**ENTRY, "name": "陈群众"})
    moved = client.post(url(slot_id, "/entries"), data=transfer(staff, name="陈群众"))
    edit = url(slot_id, f"/entries/{entry_id(app)}/edit")
    edited = client.post(edit, data={**ENTRY, "name": "改名"})
    edit_form = client.get(edit)

    for response in (added, moved, edited):
        assert response.status_code == 422 and "已提交锁定" in response.get_data(as_text=True)
    assert 'value="陈群众"' in added.get_data(as_text=True) and "未能保存" in added.get_data(as_text=True)
    assert edit_form.status_code == 303
    assert counted(app) == before


def test_corrections_after_the_lock_are_shown_and_audited(client, login, slot_id, app):
    login("leader")
    client.post(url(slot_id, "/entries"), data=ENTRY)
    entry = str(entry_id(app))
    too_early = client.post(url(slot_id, "/corrections"), data={"text": "电话有误", "entry_id": entry})
    client.post(url(slot_id, "/submit"), data={"confirm": "y"})
    login("clerk")

    empty = client.post(url(slot_id, "/corrections"), data={"text": "", "entry_id": entry})
    response = client.post(url(slot_id, "/corrections"), data={"text": "联系电话应为13912340009。", "entry_id": entry})
    page = client.get(url(slot_id)).get_data(as_text=True)

    assert too_early.status_code == 422 and "尚未提交" in too_early.get_data(as_text=True)
    assert empty.status_code == 422 and "请填写更正内容" in empty.get_data(as_text=True)
    assert response.status_code == 303
    assert "联系电话应为13912340009。" in page and "李登记" in page and "139****0001" in page  # original kept (masked)
    assert 'href="#corrections">有更正</a>' in page
    with app.app_context():
        row = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "reception.correct")).one()
        assert row.detail["number"] == "JF2026-0001" and row.actor_name.startswith("李登记")


# --- the list of logs -------------------------------------------------------------------------------------------
def test_a_clerk_lists_every_leaders_slots_a_leader_only_his_own(client, login, auth, slot_id):
    login("clerk")
    clerk_page = client.get("/staff/reception/").get_data(as_text=True)
    login("leader")
    leader_page = client.get("/staff/reception/").get_data(as_text=True)

    assert "王县长" in clerk_page and "刘副县长" in clerk_page and "今日接访" in clerk_page
    assert url(slot_id) in leader_page and "刘副县长" not in leader_page


@pytest.mark.parametrize("who", ["handler", "supervisor", "auditor"])
def test_the_list_is_for_clerks_and_leaders_only(client, login, who):
    login(who)

    assert client.get("/staff/reception/").status_code == 403


def test_days_and_numbers_follow_the_slot(client, login, slot_id):
    login("leader")

    page = client.get(url(slot_id)).get_data(as_text=True)

    assert DAY.isoformat() in page and "上午" in page


# --- the reception panel on the leader's 我的接访 page ----------------------------------------------------------------
def test_my_duty_page_carries_todays_log_from_the_reception_panel(client, login, slot_id):
    login("leader")
    client.post(url(slot_id, "/entries"), data=ENTRY)

    page = client.get("/staff/duty/mine").get_data(as_text=True)

    assert 'id="mine-reception"' in page and "今日接访" in page
    assert f'href="{url(slot_id)}"' in page and "填写中 · 1 条" in page


def test_once_a_visitor_is_logged_the_roster_no_longer_offers_a_swap_or_a_change(client, login, slot_id, app):
    login("leader")
    assert f"/staff/duty/slots/{slot_id}/swap" in client.get("/staff/duty/list?month=2026-11").get_data(as_text=True)
    client.post(url(slot_id, "/entries"), data=ENTRY)

    with app.app_context():
        assert db.session.get(DutySlot, slot_id).logged_at is not None
    assert f"/staff/duty/slots/{slot_id}/swap" not in client.get("/staff/duty/list?month=2026-11").get_data(
        as_text=True
    )
    asked = client.get(f"/staff/duty/slots/{slot_id}/swap")
    assert asked.status_code == 303
    assert "已有接访登记，不能再调整或调换" in client.get(asked.headers["Location"]).get_data(as_text=True)
    login("clerk")
    assert f"/staff/duty/slots/{slot_id}/edit" not in client.get("/staff/duty/list?month=2026-11").get_data(
        as_text=True
    )
    moved = client.post(f"/staff/duty/slots/{slot_id}/cancel", data={"back": "list", "month": "2026-11"})
    assert moved.status_code == 303
    assert "已有接访登记" in client.get(moved.headers["Location"]).get_data(as_text=True)


# --- personal data and the accusation seal on a log (条例 art.30) -----------------------------------------------
def test_a_log_shows_contact_details_masked(client, login, slot_id, staff):
    login("leader")
    client.post(url(slot_id, "/entries"), data=ENTRY)

    html = client.get(url(slot_id)).get_data(as_text=True)

    assert "139****0001" in html and "13912340001" not in html
    assert "城关镇****" in html and "幸福村3组" not in html


def test_an_accusation_naming_the_leader_on_the_log_shows_neither_who_came_nor_what_they_said(
    app, client, login, slot_id, staff
):
    from portal.cases.accused import Accused

    login("leader")
    data = transfer(staff, case_type="accusation", matter="举报某副县长收受工程老板财物。", name="欧阳举报")
    assert client.post(url(slot_id, "/entries"), data=data).status_code in (200, 201, 303)
    with app.app_context():
        case = db.session.scalars(db.select(Case)).one()
        case.accused.append(Accused(name="王县长", post="副县长", user_id=staff["leader"].id))
        db.session.commit()

    html = client.get(url(slot_id)).get_data(as_text=True)

    assert "收受工程老板财物" not in html and "欧阳举报" not in html and "139****0001" not in html
    assert "来访人及反映内容保密" in html

    login("clerk")
    html = client.get(url(slot_id)).get_data(as_text=True)
    assert "收受工程老板财物" in html and "欧阳举报" in html
