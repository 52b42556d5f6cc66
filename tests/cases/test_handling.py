"""Handling a case inside the departments (DESIGN §1, §3, §4): acceptance procedure, the handler, notes, extensions,
rehandling, delivery, review by the level above, hearings, mark-off and whose eyes see the petitioner. Every refusal
names the reason and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func

from portal.accounts.models import Role, User
from portal.audit.models import AuditLog
from portal.cases import lifecycle, services
from portal.cases.accused import CadreLevel
from portal.cases.models import (
    Case,
    CaseEvent,
    CaseType,
    ExtensionRequest,
    ExtensionState,
    Hearing,
    Instruction,
    Note,
    Outcome,
    Procedure,
    Rating,
    ReplyKind,
    ReplyState,
    Status,
)
from portal.deadlines.services import deadline
from portal.errors import DomainError, NotAllowed, StaleCase
from portal.extensions import db
from portal.localtime import as_of, today
from portal.masking import mask_phone
from portal.org.models import Department, Kind, Level
from portal.public.progress import public_case
from tests import factories
from tests.factories import complete_checklist, make_case, register

D = dt.date
S = Status


def count(model, case) -> int:
    column = model.object_id if model is AuditLog else model.case_id
    where = [column == case.id] + ([AuditLog.object_type == "cases"] if model is AuditLog else [])
    return db.session.scalar(db.select(func.count()).select_from(model).where(*where))


def snapshot(case) -> tuple:
    """What any action on ``case`` could write; flushed first so that a change left in the session shows up."""
    db.session.flush()
    return (
        case.status,
        case.version,
        case.procedure,
        case.handler_id,
        case.due_date,
        case.handle_due,
        case.extended,
        case.clock_paused_days,
        count(CaseEvent, case),
        count(AuditLog, case),
        count(Note, case),
        count(ExtensionRequest, case),
        count(Hearing, case),
        count(Instruction, case),
        tuple((e.state, e.decided_by_id) for e in case.extensions),
    )


def refused(case, error_type, call, match: str | None = None):
    """``call()`` is refused with ``error_type`` (a Chinese message) and nothing is written."""
    before = snapshot(case)
    with pytest.raises(error_type, match=match) as raised:
        call()
    if error_type is DomainError:
        assert not isinstance(raised.value, NotAllowed), raised.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in raised.value.message)
    assert snapshot(case) == before
    return raised.value


# --- acceptance: 简易办理 --------------------------------------------------------------------------------------------
def test_simple_acceptance_records_why_it_qualifies(world):
    case = make_case(world, S.REGISTERED)

    services.accept(case, world.clerk, procedure=Procedure.SIMPLE, reason="诉求简单明确、事实清楚的首次信访")

    assert case.procedure is Procedure.SIMPLE
    assert case.procedure_reason == "诉求简单明确、事实清楚的首次信访"
    assert "简易办理" in case.events[-1].text


def test_simple_acceptance_without_a_reason_is_refused_and_writes_nothing(world):
    case = make_case(world, S.REGISTERED)

    refused(
        case,
        DomainError,
        lambda: services.accept(case, world.clerk, procedure=Procedure.SIMPLE, reason="  "),
        match="适用简易办理的理由",
    )

    assert case.procedure is Procedure.NORMAL


def test_a_case_registered_as_simple_without_a_reason_cannot_be_accepted_until_one_is_given(world):
    case = make_case(world, S.REGISTERED, procedure=Procedure.SIMPLE)

    refused(case, DomainError, lambda: services.accept(case, world.clerk), match="适用简易办理的理由")
    services.accept(case, world.clerk, reason="事实清楚、争议不大")

    assert case.status is S.ACCEPTED and case.clock_rule == "simple_handle"


def test_a_reason_given_at_registration_is_enough_for_simple_acceptance(world):
    case = make_case(world, S.REGISTERED, procedure=Procedure.SIMPLE, procedure_reason="首次信访，事实清楚")

    services.accept(case, world.clerk)

    assert case.procedure_reason == "首次信访，事实清楚"


def test_simple_procedure_is_refused_for_a_repeat_and_writes_nothing(world):
    earlier = make_case(world, S.CLOSED)  # answered: a repeat now is accepted again (while handled it is merged)
    repeat, _ = register(world, repeat_of_id=earlier.id)
    db.session.commit()

    refused(
        repeat,
        DomainError,
        lambda: services.accept(repeat, world.clerk, procedure=Procedure.SIMPLE, reason="事实清楚"),
        match="重复信访不适用简易办理",
    )

    assert repeat.procedure is Procedure.NORMAL
    services.accept(repeat, world.clerk)  # the normal procedure is still open to it
    assert repeat.status is S.ACCEPTED and repeat.clock_rule == "handle"


# --- assignment of accusations ----------------------------------------------------------------------------------
def test_an_accusation_against_an_official_is_not_assigned_to_a_township_either(world):
    township = factories.department("城关镇人民政府", Kind.LOCAL, Level.TOWNSHIP)
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION)
    services.record_accused(case, world.clerk, name="某站长", cadre_level=CadreLevel.TOWNSHIP)

    refused(case, DomainError, lambda: services.assign(case, world.clerk, department_id=township.id), match="纪检监察")

    assert case.department_id is None


# --- the handler (承办人) ---------------------------------------------------------------------------------------------
@pytest.fixture
def second_handler(world) -> User:
    handler = factories.user("housing_handler2", Role.HANDLER, department=world.housing, name="郑承办")
    db.session.commit()
    return handler


def test_the_department_head_designates_a_handler_of_the_department(world, second_handler):
    case = make_case(world, S.ASSIGNED)

    services.assign_handler(case, world.dept_head, handler_id=second_handler.id)
    db.session.commit()

    assert case.handler_id == second_handler.id
    event = case.events[-1]
    assert (event.action, event.public) == ("assign_handler", False)
    assert "郑承办" in event.text
    assert db.session.execute(
        db.select(AuditLog).filter_by(action="case.assign_handler", object_id=case.id)
    ).scalar_one()


def test_the_department_head_may_change_the_handler_while_in_progress(world, second_handler):
    case = make_case(world, S.IN_PROGRESS)
    assert case.handler_id == world.handler.id

    services.assign_handler(case, world.dept_head, handler_id=second_handler.id)

    assert case.handler_id == second_handler.id


@pytest.mark.parametrize("key", ["handler", "clerk", "leader", "supervisor", "other_dept_head", "discipline_head"])
def test_only_the_department_head_designates_the_handler(world, second_handler, key):
    case = make_case(world, S.ASSIGNED)

    refused(case, NotAllowed, lambda: services.assign_handler(case, world.actor(key), handler_id=second_handler.id))


@pytest.mark.parametrize("who", ["other_handler", "discipline_handler", "dept_head", "clerk", "inactive", "nobody"])
def test_the_handler_must_be_an_active_handler_of_the_department(world, second_handler, who):
    case = make_case(world, S.ASSIGNED)
    if who == "inactive":
        second_handler.active = False
        db.session.commit()
        handler_id = second_handler.id
    else:
        handler_id = 999999 if who == "nobody" else world.actor(who).id

    refused(
        case,
        DomainError,
        lambda: services.assign_handler(case, world.dept_head, handler_id=handler_id),
        match="本单位在岗的承办人员",
    )


@pytest.mark.parametrize("status", [S.AWAITING_SIGNATURE, S.AWAITING_VERIFICATION, S.REPLIED])
def test_the_handler_cannot_be_designated_in_a_later_state(world, second_handler, status):
    case = make_case(world, status)

    refused(
        case,
        DomainError,
        lambda: services.assign_handler(case, world.dept_head, handler_id=second_handler.id),
        match=status.label,
    )


def test_designating_a_handler_with_a_stale_form_is_refused(world, second_handler):
    case = make_case(world, S.ASSIGNED)

    refused(
        case,
        StaleCase,
        lambda: services.assign_handler(
            case, world.dept_head, handler_id=second_handler.id, expected_version=case.version - 1
        ),
    )


def test_a_case_with_a_designated_handler_cannot_be_started_by_another_handler(world, second_handler):
    case = make_case(world, S.ASSIGNED)
    services.assign_handler(case, world.dept_head, handler_id=second_handler.id)
    db.session.commit()

    error = refused(case, NotAllowed, lambda: services.start(case, world.handler))
    assert "郑承办" in error.message

    services.start(case, second_handler)
    assert case.status is S.IN_PROGRESS and case.handler_id == second_handler.id


def test_the_department_head_may_start_a_case_designated_to_a_handler(world, second_handler):
    case = make_case(world, S.ASSIGNED)
    services.assign_handler(case, world.dept_head, handler_id=second_handler.id)

    services.start(case, world.dept_head)

    assert case.status is S.IN_PROGRESS and case.handler_id == second_handler.id


# --- investigation notes (调查记录) -----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["handler", "dept_head", "clerk"])
def test_handling_staff_add_internal_notes(world, key):
    case = make_case(world, S.IN_PROGRESS)

    note = services.add_note(case, world.actor(key), text="已约谈物业公司负责人，承诺十日内修复。")
    db.session.commit()

    assert note.author_id == world.actor(key).id and case.notes == [note]
    event = case.events[-1]
    assert (event.action, event.public) == ("note", False)
    assert db.session.execute(db.select(AuditLog).filter_by(action="case.note", object_id=case.id)).scalar_one()


def test_a_note_never_reaches_the_public(world):
    case = make_case(world, S.IN_PROGRESS)
    services.add_note(case, world.handler, text="内部调查：物业公司经理系某领导亲属")
    services.draft_reply(case, world.handler, outcome=Outcome.SUPPORT, text="限期修复。")
    services.sign_reply(case, world.dept_head)
    services.publish_reply(case, world.clerk)
    db.session.commit()

    assert all(not e.public for e in case.events if e.action == "note")
    shown = json.dumps(public_case(case, today()).as_dict(), ensure_ascii=False)
    assert "物业公司经理" not in shown


@pytest.mark.parametrize("key", ["leader", "supervisor", "other_handler", "other_dept_head", "discipline_handler"])
def test_others_may_not_add_notes(world, key):
    case = make_case(world, S.IN_PROGRESS)

    refused(case, NotAllowed, lambda: services.add_note(case, world.actor(key), text="记录"))


@pytest.mark.parametrize("status", [S.FINAL, S.CLOSED, S.NOT_ACCEPTED])
def test_no_notes_on_a_finished_case(world, status):
    case = make_case(world, status)

    refused(case, DomainError, lambda: services.add_note(case, world.clerk, text="补记"), match="已办结")


def test_an_empty_note_is_refused(world):
    case = make_case(world, S.IN_PROGRESS)

    refused(case, DomainError, lambda: services.add_note(case, world.handler, text="   "), match="请填写调查记录")


# --- extensions (延期, 条例 art.34) -----------------------------------------------------------------------------------
REASON = "涉及多个部门，需现场勘验"


@pytest.fixture
def in_time():
    """A day inside the handling period of ``extension_case`` (due 2026-11-19): art.34 extends a running period."""
    with as_of(D(2026, 11, 1)):
        yield


def extension_case(world, **kwargs):
    """In progress, accepted 2026-09-20: handling due 2026-11-19 (Thursday)."""
    case = make_case(world, S.IN_PROGRESS, on=D(2026, 9, 20), **kwargs)
    assert case.handle_due == D(2026, 11, 19)
    return case


def test_the_handler_asks_for_an_extension(world):
    case = extension_case(world)
    version = case.version

    with as_of(D(2026, 11, 1)):
        request = services.request_extension(case, world.handler, days=20, reason=REASON)
    db.session.commit()

    assert (request.state, request.days, request.reason, request.original_due) == (
        ExtensionState.REQUESTED,
        20,
        REASON,
        D(2026, 11, 19),
    )
    assert case.pending_extension is request
    assert case.version > version  # a decision must have seen the request
    assert case.handle_due == case.due_date == D(2026, 11, 19)  # nothing moves before approval
    event = case.events[-1]
    assert (event.action, event.public) == ("request_extension", False)


@pytest.mark.parametrize("days, new_due", [(30, D(2026, 12, 21)), (10, D(2026, 11, 30)), (1, D(2026, 11, 20))])
def test_approval_moves_the_handling_deadline_by_the_days_counted_on_the_calendar(world, days, new_due):
    # 11-19 + 30 = Saturday 12-19 → Monday 12-21; 11-19 + 10 = Sunday 11-29 → Monday 11-30.
    case = extension_case(world)
    with as_of(D(2026, 11, 1)):
        services.request_extension(case, world.handler, days=days, reason=REASON)
        request = services.decide_extension(case, world.dept_head, approve=True, note="同意")
    db.session.commit()

    assert new_due == deadline("extend", D(2026, 11, 19), length=days).due
    assert (request.state, request.new_due, request.decided_by_id) == (
        ExtensionState.APPROVED,
        new_due,
        world.dept_head.id,
    )
    assert case.handle_due == case.due_date == new_due
    assert case.extended
    assert case.clock_rule == "extend"
    event = case.events[-1]
    assert (event.action, event.title, event.public) == ("approve_extension", "延期告知", True)
    assert REASON in event.text
    assert f"{new_due:%Y年%m月%d日}" in event.text and "2026年11月19日" in event.text
    assert case.accept_due == D(2026, 10, 8)  # other statistics dates are untouched


def test_an_extension_is_approved_by_the_head_of_the_handling_organ_not_by_the_owner_leader(world, in_time):
    # 条例 art.34: 经本机关、单位负责人批准 — the handling organ's head, whoever owns the case.
    case = extension_case(world, owner_leader=world.leader)
    services.request_extension(case, world.handler, days=15, reason=REASON)
    db.session.commit()

    assert not case.can_approve_extension(world.leader)
    refused(case, NotAllowed, lambda: services.decide_extension(case, world.leader, approve=True))
    queued = db.select(Case.id).where(lifecycle.ACTIONS["approve_extension"].queue.scope(Case, world.leader))
    assert db.session.scalars(queued).all() == []

    services.decide_extension(case, world.dept_head, approve=True)
    assert case.extended


@pytest.mark.parametrize("key", ["leader", "other_dept_head", "discipline_head", "handler", "clerk", "supervisor"])
def test_only_the_head_of_the_handling_organ_decides_an_extension(world, in_time, key):
    case = extension_case(world, owner_leader=world.leader)
    services.request_extension(case, world.handler, days=15, reason=REASON)
    db.session.commit()

    refused(case, NotAllowed, lambda: services.decide_extension(case, world.actor(key), approve=True))
    refused(case, NotAllowed, lambda: services.decide_extension(case, world.actor(key), approve=False))
    assert case.pending_extension is not None


@pytest.mark.parametrize("days", [31, 45, 0, -3])
def test_an_extension_outside_one_to_thirty_days_is_refused(world, in_time, days):
    case = extension_case(world)

    refused(
        case,
        DomainError,
        lambda: services.request_extension(case, world.handler, days=days, reason=REASON),
        match="1至30日",
    )


def test_an_extension_needs_a_reason(world, in_time):
    case = extension_case(world)

    refused(
        case,
        DomainError,
        lambda: services.request_extension(case, world.handler, days=10, reason=" "),
        match="延期理由",
    )


def test_a_case_is_extended_only_once(world, in_time):
    case = extension_case(world)
    services.request_extension(case, world.handler, days=10, reason=REASON)
    services.decide_extension(case, world.dept_head, approve=True)
    db.session.commit()

    refused(
        case,
        DomainError,
        lambda: services.request_extension(case, world.handler, days=5, reason="仍需时间"),
        match="已延期一次",
    )
    assert not case.can_request_extension(world.handler)


def test_a_refused_request_allows_a_new_one(world, in_time):
    case = extension_case(world)
    services.request_extension(case, world.handler, days=30, reason=REASON)
    request = services.decide_extension(case, world.dept_head, approve=False, note="理由不充分")
    db.session.commit()

    assert request.state is ExtensionState.REFUSED and request.decision_note == "理由不充分"
    assert not case.extended and case.handle_due == D(2026, 11, 19)
    assert (case.events[-1].action, case.events[-1].public) == ("refuse_extension", False)
    assert case.can_request_extension(world.handler)

    second = services.request_extension(case, world.handler, days=10, reason="补充勘验")
    services.decide_extension(case, world.dept_head, approve=True)
    assert second.state is ExtensionState.APPROVED and case.handle_due == D(2026, 11, 30)


def test_a_pending_request_blocks_another(world, in_time):
    case = extension_case(world)
    services.request_extension(case, world.handler, days=10, reason=REASON)
    db.session.commit()

    refused(
        case,
        DomainError,
        lambda: services.request_extension(case, world.dept_head, days=20, reason="另一理由"),
        match="待审批",
    )


def test_deciding_without_a_pending_request_is_refused(world, in_time):
    case = extension_case(world)

    refused(
        case, DomainError, lambda: services.decide_extension(case, world.dept_head, approve=True), match="没有待审批"
    )


@pytest.mark.parametrize("key", ["other_handler", "discipline_handler", "clerk", "leader"])
def test_only_the_cases_department_asks_for_an_extension(world, in_time, key):
    case = extension_case(world)

    refused(case, NotAllowed, lambda: services.request_extension(case, world.actor(key), days=10, reason=REASON))


@pytest.mark.parametrize("status", [S.ACCEPTED, S.AWAITING_VERIFICATION, S.REPLIED, S.UNDER_REVIEW])
def test_an_extension_is_asked_only_while_the_department_handles_the_case(world, status):
    case = make_case(world, status)
    actor = world.handler if case.department_id == world.housing.id else world.clerk
    error_type = DomainError if case.department_id == world.housing.id else NotAllowed

    refused(case, error_type, lambda: services.request_extension(case, actor, days=10, reason=REASON))


def test_an_extension_decision_with_a_stale_form_is_refused(world, in_time):
    case = extension_case(world)
    seen = case.version
    services.request_extension(case, world.handler, days=10, reason=REASON)  # changes the version

    refused(
        case, StaleCase, lambda: services.decide_extension(case, world.dept_head, approve=True, expected_version=seen)
    )


def test_a_request_left_pending_when_the_reply_went_out_cannot_be_approved_and_writes_nothing(world, in_time):
    case = extension_case(world)
    services.request_extension(case, world.handler, days=10, reason=REASON)
    services.draft_reply(case, world.handler, outcome=Outcome.SUPPORT, text="限期修复。")
    services.sign_reply(case, world.dept_head)
    services.publish_reply(case, world.clerk)
    db.session.commit()

    refused(case, DomainError, lambda: services.decide_extension(case, world.dept_head, approve=True), match="不能延期")
    assert not case.extended


def test_no_extension_under_the_simple_procedure(world):
    # 简易办理 has its own short period and no extension: a case that needs more time goes to the ordinary procedure.
    case = make_case(world, S.IN_PROGRESS, procedure=Procedure.SIMPLE, on=D(2026, 9, 30))
    assert case.handle_due == D(2026, 10, 20)

    with as_of(D(2026, 10, 12)):
        assert not case.can_request_extension(world.handler)
        refused(
            case,
            DomainError,
            lambda: services.request_extension(case, world.handler, days=10, reason=REASON),
            match="转为普通程序",
        )


def test_an_extension_is_requested_only_while_the_handling_period_is_still_running(world):
    # 条例 art.34 lengthens a period that is still running: due 11-19, asked on 11-20, nothing is recorded.
    case = extension_case(world)

    with as_of(D(2026, 11, 19)):  # the last day of the period still counts
        assert case.can_request_extension(world.handler)
    with as_of(D(2026, 11, 20)):
        assert not case.can_request_extension(world.handler)
        error = refused(
            case, DomainError, lambda: services.request_extension(case, world.handler, days=10, reason=REASON)
        )
    assert "2026年11月19日" in error.message and "第三十四条" in error.message


def test_an_extension_is_approved_only_while_the_handling_period_is_still_running(world):
    # The audit's case: handling due 05-06 (here 11-19), asked in time, approved after the due date — refused, so
    # the late reply stays overdue.
    case = extension_case(world)
    with as_of(D(2026, 11, 18)):
        services.request_extension(case, world.handler, days=20, reason=REASON)
    db.session.commit()

    with as_of(D(2026, 11, 20)):
        assert not case.can_approve_extension(world.dept_head)
        refused(case, DomainError, lambda: services.decide_extension(case, world.dept_head, approve=True))
        overdue = db.select(Case.id).where(Case.id == case.id, Case.overdue(D(2026, 11, 20)))
        assert db.session.scalar(overdue) == case.id
    assert not case.extended and case.handle_due == case.due_date == D(2026, 11, 19)
    with as_of(D(2026, 11, 20)):  # a late request can still be answered with a refusal
        services.decide_extension(case, world.dept_head, approve=False, note="已超过办理期限")
    assert case.extensions[-1].state is ExtensionState.REFUSED


# --- the leader's rehandle (批示重办) ---------------------------------------------------------------------------------
def test_rehandle_sends_a_signed_reply_back_and_the_case_to_in_progress(world):
    case = make_case(world, S.AWAITING_VERIFICATION)
    signed = case.current_reply

    instruction = services.rehandle(case, world.leader, text="答复未回应核心诉求，请重新调查")
    db.session.commit()

    assert case.status is S.IN_PROGRESS
    assert signed.state is ReplyState.SENT_BACK and signed.comment == "答复未回应核心诉求，请重新调查"
    assert signed.is_signed  # the signed text itself stays as it was
    assert instruction.rehandle and instruction.leader_id == world.leader.id
    assert (case.events[-1].action, case.events[-1].public) == ("rehandle", False)
    assert case.current_reply is None

    second = services.draft_reply(case, world.handler, outcome=Outcome.SUPPORT, text="重新调查后的意见")
    assert second.version == 2


def test_rehandle_of_a_draft_sends_the_draft_back(world):
    case = make_case(world, S.AWAITING_SIGNATURE)
    draft = case.current_reply

    services.rehandle(case, world.leader, text="请补充调查")

    assert draft.state is ReplyState.SENT_BACK and case.status is S.IN_PROGRESS


def test_rehandle_keeps_the_handling_clock(world):
    case = make_case(world, S.AWAITING_VERIFICATION, on=D(2026, 9, 20))

    with as_of(D(2026, 10, 10)):
        services.rehandle(case, world.leader, text="请重新办理")

    assert (case.clock_rule, case.due_date) == ("handle", D(2026, 11, 19))


def test_rehandle_needs_the_instruction_text(world):
    case = make_case(world, S.AWAITING_VERIFICATION)

    refused(case, DomainError, lambda: services.rehandle(case, world.leader, text=" "), match="批示内容")
    assert case.current_reply.state is ReplyState.SIGNED


# --- delivery ---------------------------------------------------------------------------------------------------------
def test_a_delivery_date_before_the_signing_date_is_refused(world):
    case = make_case(world, S.AWAITING_VERIFICATION, on=D(2026, 10, 20))

    with as_of(D(2026, 11, 2)):
        refused(
            case,
            DomainError,
            lambda: services.publish_reply(case, world.clerk, delivered_on=D(2026, 10, 19)),
            match="不能早于署名日期",
        )

    assert case.current_reply.state is ReplyState.SIGNED and case.delivered_on is None


def test_delivery_on_the_signing_day_is_accepted(world):
    case = make_case(world, S.AWAITING_VERIFICATION, on=D(2026, 10, 20))

    with as_of(D(2026, 11, 2)):
        services.publish_reply(case, world.clerk, delivered_on=D(2026, 10, 20))

    assert case.delivered_on == D(2026, 10, 20)


# --- review by the level above (复查 / 复核) --------------------------------------------------------------------------
@dataclass
class Organs:
    """市住房和城乡建设局 above the county housing bureau, and 市人民政府 above that."""

    city: Department
    government: Department
    city_head: User
    city_leader: User
    city_handler: User
    government_head: User


def add_organs(world, *, with_government: bool = True) -> Organs:
    government = factories.department("市人民政府", Kind.LEADERSHIP, Level.CITY)
    city = factories.department(
        "市住房和城乡建设局", Kind.FUNCTIONAL, Level.CITY, parent=government if with_government else None
    )
    world.housing.parent = city
    organs = Organs(
        city=city,
        government=government,
        city_head=factories.user("city_housing_head", Role.DEPT_HEAD, department=city, name="市局长", title="局长"),
        city_leader=factories.user(
            "city_housing_leader", Role.LEADER, department=city, name="市分管领导", title="副局长"
        ),
        city_handler=factories.user("city_housing_handler", Role.HANDLER, department=city, name="市承办"),
        government_head=factories.user(
            "city_gov_head", Role.DEPT_HEAD, department=government, name="市秘书长", title="秘书长"
        ),
    )
    db.session.commit()
    return organs


def under_review(world, organs_kwargs=None) -> tuple:
    """Replied on 2026-10-12, the housing bureau below the city bureau; review requested 2026-10-13."""
    case = make_case(world, S.REPLIED, on=D(2026, 10, 12))
    organs = add_organs(world, **(organs_kwargs or {}))
    with as_of(D(2026, 10, 13)):
        services.request_review(case, None, reason="不服处理意见")
    db.session.commit()
    return case, organs


def under_rereview(world, organs_kwargs=None) -> tuple:
    """The city bureau's review opinion delivered 2026-10-20; re-review requested Monday 2026-11-02."""
    case, organs = under_review(world, organs_kwargs)
    with as_of(D(2026, 10, 20)):
        services.decide_review(case, organs.city_head, outcome=Outcome.EXPLAIN, text="经复查，维持原处理意见。")
    with as_of(D(2026, 11, 2)):
        services.request_review(case, None, reason="不服复查意见")
    db.session.commit()
    return case, organs


def test_the_review_organ_is_the_parent_of_the_answering_department(world):
    case = make_case(world, S.REPLIED)
    organs = add_organs(world)

    assert services.review_organ(case) == organs.city
    services.request_review(case, None, reason="不服")

    assert case.reviewing_department_id == organs.city.id


@pytest.mark.parametrize("key", ["city_head", "city_leader"])
def test_the_review_organ_sees_and_decides_the_review(world, key):
    case, organs = under_review(world)
    actor = getattr(organs, key)
    assert case.can_view(actor) and case.can_decide_review(actor)

    with as_of(D(2026, 10, 20)):
        opinion = services.decide_review(case, actor, outcome=Outcome.EXPLAIN, text="经复查，维持原处理意见。")
    db.session.commit()

    assert case.status is S.REPLIED and case.review_level == 1
    assert opinion.kind is ReplyKind.REVIEW and opinion.signed_by_id == actor.id
    assert opinion.signer_department == "市住房和城乡建设局"


def test_the_city_handler_sees_the_review_but_does_not_decide_it(world):
    case, organs = under_review(world)

    assert case.can_view(organs.city_handler)
    refused(
        case,
        NotAllowed,
        lambda: services.decide_review(case, organs.city_handler, outcome=Outcome.EXPLAIN, text="维持"),
    )


@pytest.mark.parametrize("key", ["clerk", "dept_head", "handler", "leader", "other_dept_head"])
def test_with_a_review_organ_nobody_else_decides_the_review(world, key):
    # The petition office only records opinions when there is no level above; the housing bureau never reviews
    # its own reply.
    case, _ = under_review(world)
    actor = world.actor(key)

    assert not case.can_decide_review(actor)
    refused(case, NotAllowed, lambda: services.decide_review(case, actor, outcome=Outcome.EXPLAIN, text="维持"))


def test_the_owner_leader_of_a_case_does_not_decide_its_review(world):
    # 回避 (条例 art.28): the city bureau's leader owns the case, so the bureau's head decides its 复查.
    organs = add_organs(world)
    case = make_case(world, S.UNDER_REVIEW, owner_leader=organs.city_leader)
    assert case.reviewing_department_id == organs.city.id

    assert not case.can_decide_review(organs.city_leader)
    error = refused(
        case, NotAllowed, lambda: services.decide_review(case, organs.city_leader, outcome=Outcome.EXPLAIN, text="维持")
    )
    assert "回避" in error.message and "第二十八条" in error.message
    assert db.session.scalars(db.select(Case.id).where(Case.reviewed_by(organs.city_leader))).all() == []
    assert db.session.scalars(db.select(Case.id).where(Case.reviewed_by(organs.city_head))).all() == [case.id]
    assert case.can_decide_review(organs.city_head)


def test_whoever_handled_or_signed_a_case_does_not_decide_its_review_or_rereview(world):
    # The county bureau's head signed the reply, then moved up to the city bureau: he may not review it; the city
    # head who signed the 复查 opinion, moved to the city government, may not decide its 复核.
    case, organs = under_rereview(world)
    signer = world.dept_head
    signer.department = organs.government
    reviewer = organs.city_head
    reviewer.department = organs.government
    db.session.commit()

    for person in (signer, reviewer):
        assert case.must_recuse(person) and not case.can_decide_review(person)
        refused(
            case, NotAllowed, lambda p=person: services.decide_review(case, p, outcome=Outcome.EXPLAIN, text="维持")
        )
        assert db.session.scalars(db.select(Case.id).where(Case.reviewed_by(person))).all() == []
    assert case.can_decide_review(organs.government_head)


def test_an_organ_below_or_beside_cannot_open_the_review_of_another_bureau(world):
    case, _ = under_review(world)

    assert not case.can_view(world.other_dept_head)


def test_the_rereview_organ_is_the_parent_of_the_review_organ(world):
    case, organs = under_rereview(world)

    assert case.status is S.UNDER_REREVIEW
    assert case.reviewing_department_id == organs.government.id
    assert case.can_decide_review(organs.government_head)
    for actor in (organs.city_head, organs.city_leader, world.clerk, world.dept_head):
        assert not case.can_decide_review(actor)
    refused(
        case, NotAllowed, lambda: services.decide_review(case, organs.city_head, outcome=Outcome.EXPLAIN, text="维持")
    )

    services.decide_review(case, organs.government_head, outcome=Outcome.REJECT, text="经复核，维持复查意见。")
    assert case.status is S.FINAL and case.current_reply.signer_department == "市人民政府"


def test_without_a_level_above_the_review_organ_the_clerk_decides_the_rereview(world):
    case, organs = under_rereview(world, {"with_government": False})

    assert case.reviewing_department_id is None
    assert case.can_decide_review(world.clerk) and not case.can_decide_review(organs.city_head)
    services.decide_review(case, world.clerk, outcome=Outcome.EXPLAIN, text="经复核，维持复查意见。")
    assert case.status is S.FINAL


def test_without_a_parent_department_the_petition_office_clerk_decides(world):
    case = make_case(world, S.UNDER_REVIEW)

    assert case.reviewing_department_id is None and services.review_organ(case) is None
    assert case.can_decide_review(world.clerk)
    for key in ("dept_head", "leader", "handler"):
        assert not case.can_decide_review(world.actor(key))
    refused(
        case, NotAllowed, lambda: services.decide_review(case, world.dept_head, outcome=Outcome.EXPLAIN, text="维持")
    )


# --- hearings (听证) in a re-review -----------------------------------------------------------------------------------
def test_a_hearing_pauses_the_rereview_clock_by_its_days(world):
    case, organs = under_rereview(world)
    assert (case.clock_rule, case.clock_start, case.due_date) == ("rereview", D(2026, 11, 2), D(2026, 12, 2))

    with as_of(D(2026, 11, 20)):
        hearing = services.record_hearing(
            case,
            organs.government_head,
            starts_on=D(2026, 11, 16),
            ends_on=D(2026, 11, 18),
            place="市信访局听证室",
            note="三方到场",
        )
    db.session.commit()

    # 30 + 3 days from 11-02 is Saturday 12-05; the period ends on Monday 12-07.
    assert hearing.days == 3 and case.clock_paused_days == 3
    assert case.due_date == D(2026, 12, 7) == deadline("rereview", D(2026, 11, 2), paused_days=3).due
    assert case.clock_start == D(2026, 11, 2)
    event = case.events[-1]
    assert (event.action, event.title, event.public) == ("hearing", "听证", True)
    assert "2026年12月07日" in event.text


def test_hearing_days_add_up(world):
    case, organs = under_rereview(world)
    services.record_hearing(case, organs.government_head, starts_on=D(2026, 11, 9), ends_on=D(2026, 11, 9))
    services.record_hearing(case, organs.government_head, starts_on=D(2026, 11, 16), ends_on=D(2026, 11, 19))

    assert case.clock_paused_days == 5 and case.hearing_days == 5
    assert case.due_date == deadline("rereview", D(2026, 11, 2), paused_days=5).due == D(2026, 12, 7)


def test_without_an_organ_the_clerk_records_the_hearing(world):
    case = make_case(world, S.UNDER_REREVIEW)

    services.record_hearing(case, world.clerk, starts_on=case.clock_start, ends_on=case.clock_start)

    assert case.clock_paused_days == 1


def test_a_hearing_is_only_for_a_rereview(world):
    case, organs = under_review(world)

    refused(
        case,
        DomainError,
        lambda: services.record_hearing(case, organs.city_head, starts_on=D(2026, 10, 15), ends_on=D(2026, 10, 15)),
        match="复核中",
    )


@pytest.mark.parametrize("key", ["clerk", "dept_head", "handler", "leader"])
def test_only_the_rereview_organ_records_a_hearing(world, key):
    case, _ = under_rereview(world)

    refused(
        case,
        NotAllowed,
        lambda: services.record_hearing(case, world.actor(key), starts_on=D(2026, 11, 16), ends_on=D(2026, 11, 18)),
    )


def test_the_review_organ_does_not_record_the_hearing_of_the_rereview(world):
    case, organs = under_rereview(world)

    refused(
        case,
        NotAllowed,
        lambda: services.record_hearing(case, organs.city_head, starts_on=D(2026, 11, 16), ends_on=D(2026, 11, 18)),
    )


def test_a_hearing_ending_before_it_starts_is_refused(world):
    case, organs = under_rereview(world)

    refused(
        case,
        DomainError,
        lambda: services.record_hearing(
            case, organs.government_head, starts_on=D(2026, 11, 18), ends_on=D(2026, 11, 16)
        ),
        match="结束日期不能早于开始日期",
    )


def test_a_hearing_before_the_rereview_request_is_refused(world):
    case, organs = under_rereview(world)

    refused(
        case,
        DomainError,
        lambda: services.record_hearing(case, organs.government_head, starts_on=D(2026, 11, 1), ends_on=D(2026, 11, 3)),
        match="不能早于收到复核申请之日",
    )


# --- mark-off (销号) --------------------------------------------------------------------------------------------------
def test_a_leader_owned_case_is_marked_off_only_when_the_five_bao_are_ticked(world):
    case = make_case(world, S.REPLIED, owner_leader=world.leader)
    services.record_follow_up(case, world.clerk, method="电话", satisfaction=Rating.SATISFIED)
    for item in case.checklist:
        if item.label != "包息访息诉" and not item.done:
            services.tick_checklist_item(item, world.leader if item.owner_only else world.handler, done=True)
    db.session.commit()

    assert case.mark_off_blockers() == ["清单事项未勾销：包息访息诉"]
    refused(case, DomainError, lambda: services.mark_off(case, world.clerk), match="包息访息诉")

    complete_checklist(case, world.handler)
    assert case.mark_off_blockers() == []
    services.mark_off(case, world.clerk)
    assert case.status is S.CLOSED


def test_mark_off_is_refused_while_a_review_runs(world):
    case = make_case(world, S.UNDER_REVIEW)

    assert "复查（复核）正在进行" in case.mark_off_blockers()
    refused(case, DomainError, lambda: services.mark_off(case, world.clerk))


# --- whose eyes see the petitioner ------------------------------------------------------------------------------------
NAME, PHONE, ID_NUMBER = "欧阳娜娜", "13912345678", "110101199001011237"


def _identity_case(world, **kwargs) -> int:
    return make_case(world, S.IN_PROGRESS, petitioner_name=NAME, phone=PHONE, id_number=ID_NUMBER, **kwargs).id


@pytest.mark.parametrize("key", ["handler", "dept_head"])
def test_the_department_does_not_see_the_identity_on_a_confidential_case(client, login, seed, key):
    case_id = seed(lambda world: _identity_case(world, confidential=True))
    login(key)

    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)

    assert "身份保密" in html and "欧阳**" in html
    for secret in (NAME, PHONE, ID_NUMBER, "城关镇幸福路1号"):
        assert secret not in html


@pytest.mark.parametrize("confidential", [True, False])
def test_the_clerk_sees_the_identity(client, login, seed, confidential):
    case_id = seed(lambda world: _identity_case(world, confidential=confidential))
    login("clerk")

    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)

    # Masked until 显示 (tests/cases/test_identity.py): the name, not the full numbers.
    assert NAME in html and mask_phone(PHONE) in html and PHONE not in html and ID_NUMBER not in html


def test_the_department_sees_the_identity_of_an_ordinary_case(client, login, seed):
    case_id = seed(lambda world: _identity_case(world))
    login("handler")

    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)

    assert NAME in html and mask_phone(PHONE) in html


@pytest.mark.parametrize("key", ["discipline_handler", "discipline_head"])
def test_the_investigating_organ_sees_a_named_accuser_masked_until_it_asks(client, login, seed, key):
    """条例 art.30 keeps the accuser from the accused, not from the organ that investigates and must contact them."""
    case_id = seed(lambda world: _identity_case(world, case_type=CaseType.ACCUSATION))
    login(key)

    response = client.get(f"/staff/cases/{case_id}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NAME in html
    for secret in (PHONE, ID_NUMBER):
        assert secret not in html


def test_the_owner_leader_of_a_confidential_case_does_not_see_the_identity(world):
    case = make_case(world, S.IN_PROGRESS, confidential=True, owner_leader=world.leader)

    assert case.can_view(world.leader) and not case.can_see_identity(world.leader)
    assert case.can_see_identity(world.clerk)
