"""交办异议 (《信访工作条例》第二十三条): the department a case was assigned to may object, within 5 working days of
receiving the assignment and with its reasons, that the matter is not within its remit; the case goes back to the
petition office, which assigns it again. The handling period keeps running from acceptance."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Case, CaseEvent, Status
from portal.deadlines.clock import RULES, Unit
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import as_of
from tests.factories import make_case

D = dt.date
S = Status
ASSIGNED_ON = D(2026, 11, 4)  # a Wednesday: 5 working days run to Wednesday 11-11 (5 calendar days: Monday 11-09)
REASON = "该事项系劳动报酬争议，属于人力资源和社会保障局职权范围，不属于本单位职权范围。"


def assigned(world, status=S.ASSIGNED, **kwargs) -> Case:
    return make_case(world, status, on=ASSIGNED_ON, **kwargs)


def snapshot(case: Case) -> tuple:
    db.session.flush()
    events = db.session.scalar(db.select(db.func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id))
    audits = db.session.scalar(db.select(db.func.count()).select_from(AuditLog).where(AuditLog.object_id == case.id))
    return case.status, case.version, case.department_id, case.assigned_on, events, audits


def test_the_objection_period_is_5_working_days_of_article_23():
    rule = RULES["objection"]
    assert (rule.length, rule.unit) == (5, Unit.WORKING_DAYS)
    assert "第二十三条" in rule.source


@pytest.mark.parametrize("status", [S.ASSIGNED, S.IN_PROGRESS])
def test_an_objection_within_5_working_days_sends_the_case_back_to_the_petition_office_with_its_clock(world, status):
    case = assigned(world, status)
    clock = (case.clock_rule, case.clock_start, case.due_date, case.handle_due)
    assert case.objection_due == D(2026, 11, 11)

    with as_of(D(2026, 11, 10)):  # the 4th working day, the 6th calendar day
        services.object_to_assignment(case, world.dept_head, reason=REASON)
    db.session.commit()

    assert case.status is S.ACCEPTED  # the state before assignment: the petition office assigns it again
    assert case.department_id is None and case.handler_id is None and case.assigned_on is None
    # The handling period keeps running from acceptance (条例 art.32): the objection does not restart it.
    assert (case.clock_rule, case.clock_start, case.due_date, case.handle_due) == clock
    event = case.events[-1]
    assert event.action == "object_assignment" and not event.public  # a note on the timeline for staff
    assert REASON in event.text and "县住房和城乡建设局" in event.text
    audit = db.session.execute(
        db.select(AuditLog).where(AuditLog.object_id == case.id).order_by(AuditLog.id.desc())
    ).scalar()
    assert audit.action == "case.object_assignment" and audit.actor_id == world.dept_head.id
    assert not case.can_view(world.dept_head)  # no longer the department's case
    assert case.can("assign", world.clerk)

    with as_of(D(2026, 11, 10)):
        services.assign(case, world.clerk, department_id=world.labour.id)
    assert case.status is S.ASSIGNED and case.department_id == world.labour.id
    assert case.due_date == clock[2]


def test_an_objection_on_the_5th_working_day_is_accepted_and_on_the_6th_refused(world):
    case = assigned(world)

    with as_of(D(2026, 11, 12)):
        before = snapshot(case)
        assert not case.can("object_assignment", world.dept_head)
        with pytest.raises(DomainError, match="5个工作日") as refused:
            services.object_to_assignment(case, world.dept_head, reason=REASON)
    assert not isinstance(refused.value, NotAllowed)
    assert snapshot(case) == before

    with as_of(D(2026, 11, 11)):
        services.object_to_assignment(case, world.dept_head, reason=REASON)
    assert case.status is S.ACCEPTED


@pytest.mark.parametrize("key", ["handler", "other_dept_head", "clerk", "leader", "supervisor", "discipline_head"])
def test_an_objection_by_anyone_but_the_head_of_the_assigned_department_is_refused(world, key):
    case = assigned(world)
    before = snapshot(case)

    with as_of(D(2026, 11, 5)), pytest.raises(NotAllowed):
        services.object_to_assignment(case, world.actor(key), reason=REASON)

    assert snapshot(case) == before


def test_an_objection_without_its_reasons_is_refused(world):
    case = assigned(world)
    before = snapshot(case)

    with as_of(D(2026, 11, 5)), pytest.raises(DomainError, match="异议理由"):
        services.object_to_assignment(case, world.dept_head, reason="  ")

    assert snapshot(case) == before


def test_an_objection_keeps_the_owner_leader_and_offers_them_again_on_assignment(world):
    case = assigned(world, owner_leader=world.leader)

    with as_of(D(2026, 11, 5)):
        services.object_to_assignment(case, world.dept_head, reason=REASON)

    assert case.owner_leader_id == world.leader.id
    from portal.cases.forms import AssignForm

    form = AssignForm(formdata=None, prefix="assign")
    form.prepare(case, fresh=True)
    assert form.owner_leader_id.data == world.leader.id


def test_the_department_head_objects_on_the_case_page_and_lands_on_the_case_list(app, client, login, seed):
    case_id = seed(lambda world: make_case(world, S.ASSIGNED).id)
    login("handler")
    assert "object_assignment" not in client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    login("dept_head")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert f"/staff/cases/{case_id}/actions/object_assignment" in html and "提出交办异议" in html
    version = re.search(r'name="object_assignment-version"[^>]*value="(\d+)"', html).group(1)

    response = client.post(
        f"/staff/cases/{case_id}/actions/object_assignment",
        data={"object_assignment-version": version, "object_assignment-reason": REASON},
    )

    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/cases/")
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status is S.ACCEPTED and case.department_id is None
    login("clerk")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert REASON in html and f"/staff/cases/{case_id}/actions/assign" in html
