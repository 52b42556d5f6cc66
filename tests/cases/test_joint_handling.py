"""Joint handling (主办 / 协办): the petition office names assisting departments (协办单位) when it assigns a case; they
read it like the lead department's handlers and heads and send their opinions (协办意见), which show on the case page
and are what the lead department drafts from; the lead department alone investigates on the record, drafts and
signs."""

from __future__ import annotations

import pytest

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.forms import DraftForm
from portal.cases.lifecycle import Status
from portal.cases.models import Case, CaseType, Outcome
from portal.documents.models import Document
from portal.documents.services import html_text
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.work.queues import queues_for
from tests.factories import make_case

S = Status
OPINION = "经核查，电梯维保费用已列入专项维修资金使用计划，建议主办单位督促物业限期维修。"


def assisted(world, status: S = S.ASSIGNED, **kwargs) -> Case:
    """Led by housing, labour assisting; driven on to ``status`` by the lead department."""
    case = make_case(world, S.ACCEPTED, **kwargs)
    services.assign(case, world.clerk, department_id=world.housing.id, assisting_ids=[world.labour.id])
    if status in (S.IN_PROGRESS, S.AWAITING_SIGNATURE):
        services.start(case, world.handler)
    if status is S.AWAITING_SIGNATURE:
        services.draft_reply(case, world.handler, outcome=Outcome.SUPPORT, text="责令物业限期修复电梯。")
    db.session.commit()
    assert case.status is status
    return case


def listed_for(user) -> set[int]:
    return set(db.session.scalars(db.select(Case.id).where(Case.visible_to(user))))


def test_assignment_names_the_lead_and_the_assisting_departments_and_tells_the_petitioner_both(world):
    case = assisted(world)

    assert case.department_id == world.housing.id
    assert [a.department_id for a in case.assists] == [world.labour.id]
    assigned = next(e for e in case.events if e.action == "assign")
    assert assigned.public and "县住房和城乡建设局办理（主办），县人力资源和社会保障局协办" in assigned.text
    assert assigned.data["assisting_ids"] == [world.labour.id]
    slip = db.session.scalars(db.select(Document).filter_by(case_id=case.id, kind="assignment_slip")).one()
    assert "协办单位" in html_text(slip) and "县人力资源和社会保障局" in html_text(slip)  # the 交办单 names them


@pytest.mark.parametrize("who", ["other_handler", "other_dept_head"])
def test_an_assisting_department_sees_and_reads_the_case_like_the_lead_departments_handlers_and_heads(world, who):
    plain = make_case(world, S.ASSIGNED)
    case = assisted(world)
    person = getattr(world, who)

    assert case.can_view(person) and case.can_read(person) and case.id in listed_for(person)
    assert not plain.can_view(person) and plain.id not in listed_for(person)  # only the cases it assists


def test_an_assisting_department_sends_its_opinion_which_the_lead_department_reads_and_drafts_from(world, app):
    case = assisted(world, S.IN_PROGRESS)

    services.add_contribution(case, world.other_handler, text=OPINION)
    db.session.commit()

    assert [(c.department_id, c.text) for c in case.contributions] == [(world.labour.id, OPINION)]
    event = case.events[-1]
    assert event.title == "协办意见" and not event.public and OPINION in event.text
    row = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "case.contribute")).one()
    assert row.actor_id == world.other_handler.id and row.detail["department"] == "县人力资源和社会保障局"
    assert case.waiting_assists == []

    with app.test_request_context():
        form = DraftForm(prefix="draft")
        form.prepare(case, fresh=True)
    assert "已收到协办意见1份" in form.text.description

    services.draft_reply(case, world.handler, outcome=Outcome.SUPPORT, text="综合协办意见，责令物业限期修复。")
    drafted = next(e for e in case.events if e.action == "draft")
    assert drafted.data["contributions"] == [case.contributions[0].id]


def test_the_lead_is_told_which_assisting_department_has_not_sent_its_opinion_yet(world, app):
    case = assisted(world, S.IN_PROGRESS)

    with app.test_request_context():
        form = DraftForm(prefix="draft")
        form.prepare(case, fresh=True)

    assert "尚未提交：县人力资源和社会保障局" in form.text.description
    assert [a.department_id for a in case.waiting_assists] == [world.labour.id]


@pytest.mark.parametrize("action", ["start", "draft", "note", "tick", "assign_handler", "request_extension"])
@pytest.mark.parametrize("who", ["other_handler", "other_dept_head"])
def test_the_lead_department_alone_investigates_on_the_record_drafts_and_ticks(world, action, who):
    case = assisted(world, S.ASSIGNED if action == "start" else S.IN_PROGRESS)
    person = getattr(world, who)

    assert not case.can(action, person)
    assert case.can(action, world.dept_head if action in ("assign_handler",) else world.handler)


@pytest.mark.parametrize("who", ["other_handler", "other_dept_head"])
def test_the_assisting_department_does_not_sign_the_reply(world, who):
    case = assisted(world, S.AWAITING_SIGNATURE)

    assert not case.can("sign", getattr(world, who)) and case.can("sign", world.dept_head)
    with pytest.raises(NotAllowed):
        services.sign_reply(case, getattr(world, who))


@pytest.mark.parametrize("who", ["handler", "dept_head", "clerk", "other_handler"])
def test_only_an_assisting_department_sends_an_opinion_and_only_before_the_lead_drafts(world, who):
    case = assisted(world, S.AWAITING_SIGNATURE if who == "other_handler" else S.IN_PROGRESS)
    person = getattr(world, who)

    refusal = case.refusal("contribute", person)
    assert refusal is not None
    with pytest.raises(DomainError, match=refusal.message):
        services.add_contribution(case, person, text=OPINION)
    db.session.rollback()
    assert case.contributions == []


def test_a_case_without_assisting_departments_takes_no_opinion_from_another_department(world):
    case = make_case(world, S.IN_PROGRESS)

    assert not case.can_view(world.other_handler)
    with pytest.raises(NotAllowed):
        services.add_contribution(case, world.other_handler, text=OPINION)


def test_an_accused_unit_the_lead_itself_and_the_petition_office_never_assist(world):
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION)
    services.record_accused(case, world.clerk, unit_id=world.labour.id)

    for helper, message in [
        (world.labour, "被检举控告的单位"),
        (world.discipline, "已是主办单位"),
        (world.office, "不是可交办的单位"),
    ]:
        with pytest.raises(DomainError, match=message):
            services.assign(case, world.clerk, department_id=world.discipline.id, assisting_ids=[helper.id])
        db.session.rollback()
        assert case.status is S.ACCEPTED and case.assists == []


def test_an_objection_takes_the_assisting_departments_back_with_the_assignment(world):
    case = assisted(world)

    services.object_to_assignment(case, world.dept_head, reason="电梯维修属物业服务合同纠纷，应由市场监管部门处理。")
    db.session.commit()

    assert case.status is S.ACCEPTED and case.assists == [] and not case.can_view(world.other_handler)


def test_the_assisting_department_finds_the_case_in_its_queue_until_it_sends_its_opinion(world):
    case = assisted(world, S.IN_PROGRESS)

    def waiting() -> list[int]:
        return [c.id for q in queues_for(world.other_handler) if q.key == "assist" for c in q.cases]

    assert waiting() == [case.id]
    assert all(case.id not in [c.id for c in q.cases] for q in queues_for(world.handler) if q.key == "assist")
    services.add_contribution(case, world.other_handler, text=OPINION)
    db.session.commit()
    assert waiting() == []


def test_on_the_case_page_the_assisting_handler_sends_an_opinion_and_the_lead_reads_it(
    app, client, login, auth, seed, staff
):
    case_id = seed(lambda w: assisted(w, S.IN_PROGRESS).id)
    login("other_handler")
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "协办单位与协办意见" in page and f"/staff/cases/{case_id}/actions/contribute" in page
    assert f"/staff/cases/{case_id}/actions/note" not in page and f"/staff/cases/{case_id}/actions/draft" not in page
    with app.app_context():
        version = db.session.get(Case, case_id).version

    response = client.post(
        f"/staff/cases/{case_id}/actions/contribute",
        data={"contribute-version": str(version), "contribute-text": OPINION},
    )
    assert response.status_code == 303

    auth.logout()
    login("handler")
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert OPINION in page and "县人力资源和社会保障局（协办）" in page
    assert f"/staff/cases/{case_id}/actions/contribute" not in page
