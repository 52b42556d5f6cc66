"""What reception gives the rest of the portal: the leader's My duty part (reception_summary and its template) and
the 接访台账 (cases born in reception)."""

from __future__ import annotations

import datetime as dt

from flask import render_template

from portal.cases.models import Rating, Status
from portal.duty.models import Period
from portal.extensions import db
from portal.ledgers.queries import LEDGERS, Filters, ledger_select, rows
from portal.localtime import as_of, today
from portal.reception import services
from portal.reception.models import Handling
from tests.factories import make_case
from tests.reception.conftest import DAY, make_slot, second_leader, visitor

D = dt.date


def answered(slot, actor, **kwargs):
    return services.add_entry(
        slot, actor, visitor(**kwargs), handling=Handling.ANSWERED, answer="当场答复。", satisfaction=Rating.SATISFIED
    )[0]


def transferred(slot, actor, department, **kwargs):
    return services.add_entry(
        slot,
        actor,
        visitor(**kwargs),
        handling=Handling.TRANSFERRED,
        department_id=department.id,
        instruction="请依法处理。",
    )[0]


def test_my_duty_shows_todays_slots_with_their_logs(world):
    morning = make_slot(world.leader)
    afternoon = make_slot(world.leader, period=Period.AFTERNOON)
    make_slot(world.leader, day=DAY + dt.timedelta(days=7))
    make_slot(second_leader(world))
    answered(morning, world.leader)

    summary = services.reception_summary(world.leader, DAY)

    assert [(r.slot.id, r.state, r.entries) for r in summary["reception_today"]] == [
        (morning.id, "填写中", 1),
        (afternoon.id, "未填写", 0),
    ]
    assert services.reception_summary(world.leader, DAY + dt.timedelta(days=1))["reception_today"] == []


def test_my_duty_lists_the_cases_born_at_my_receptions_open_ones_first(world):
    earlier = make_slot(world.leader, day=D(2026, 11, 16))
    slot = make_slot(world.leader)
    others = make_slot(second_leader(world), period=Period.AFTERNOON)
    with as_of(D(2026, 11, 16)):  # a week earlier: due a week earlier
        first = transferred(earlier, world.clerk, world.housing, name="甲", phone="13912340011")
    second = transferred(slot, world.leader, world.labour, name="乙", phone="13912340012")
    transferred(others, world.clerk, world.housing, name="丙", phone="13912340013")
    answered(slot, world.leader, name="丁")
    make_case(world, Status.ASSIGNED, owner_leader=world.leader)  # owned, but not born in reception

    summary = services.reception_summary(world.leader, DAY)

    assert [(r.entry.number, r.case.tracking_code, r.slot_id) for r in summary["reception_cases"]] == [
        (first.number, first.case.tracking_code, earlier.id),
        (second.number, second.case.tracking_code, slot.id),
    ]
    assert summary["reception_cases_total"] == 2 and summary["reception_cases_open"] == 2


def test_the_my_duty_fragment_renders_from_the_summary(world, app):
    slot = make_slot(world.leader)
    entry = transferred(slot, world.leader, world.housing)
    db.session.commit()

    with app.test_request_context():
        html = render_template("reception/_mine_panel.html", **services.reception_summary(world.leader, DAY))
        empty = render_template(
            "reception/_mine_panel.html", **services.reception_summary(world.leader, DAY + dt.timedelta(days=1))
        )

    assert f"/staff/reception/slots/{slot.id}" in html and "填写接访日志" in html
    assert entry.case.tracking_code in html and "县住房和城乡建设局" in html
    assert entry.case.due_date.isoformat() in html and "剩" in html  # the days-left partial
    assert "今日无接访安排" in empty


def test_the_reception_ledger_holds_the_transferred_case_not_the_answered_one(world):
    slot = make_slot(world.leader)
    entry = transferred(slot, world.leader, world.labour)
    answered(slot, world.leader, name="丁")
    ordinary = make_case(world, Status.ASSIGNED, owner_leader=world.leader)
    db.session.commit()

    found = rows(db.session, ledger_select(LEDGERS["reception"], Filters(), world.clerk, today()))

    assert [r.case.tracking_code for r in found] == [entry.case.tracking_code]
    assert found[0].case.department.name == "县人力资源和社会保障局"
    assert found[0].case.owner_leader_id == world.leader.id and found[0].required > 0
    assert ordinary.tracking_code in [
        r.case.tracking_code for r in rows(db.session, ledger_select(LEDGERS["owned"], Filters(), world.clerk, today()))
    ]


def test_the_reception_ledger_page_and_export_show_department_and_due_date(client, login, seed):
    def data(world):
        slot = make_slot(world.leader)
        entry = transferred(slot, world.leader, world.housing)
        answered(slot, world.leader, name="丁", matter="当场答复的事项不进台账")
        return entry.case.tracking_code, entry.case.due_date.isoformat()

    code, due = seed(data)
    login("clerk")

    page = client.get("/staff/ledgers/reception").get_data(as_text=True)
    export = client.get("/staff/ledgers/reception/export.xlsx")

    assert "接访台账" in page and code in page and "县住房和城乡建设局" in page and due in page
    assert "当场答复的事项" not in page
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    index = client.get("/staff/ledgers/").get_data(as_text=True)
    assert "接访台账" in index
