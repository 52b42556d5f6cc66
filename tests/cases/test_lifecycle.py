"""The case lifecycle (DESIGN §3) through ``portal.cases.services``: every transition of ``lifecycle.TRANSITIONS``
moves the case, writes its event and audit row and sets the clock of DESIGN §4 — or, refused, writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.accused import CadreLevel
from portal.cases.delivery import DeliveryMethod
from portal.cases.lifecycle import TRANSITIONS
from portal.cases.models import (
    CaseEvent,
    CaseType,
    Channel,
    NotAcceptedRoute,
    Outcome,
    Procedure,
    Rating,
    Reply,
    ReplyKind,
    ReplyState,
    Status,
)
from portal.errors import DomainError, NotAllowed, StaleCase
from portal.extensions import db
from portal.localtime import as_of
from tests.factories import complete_checklist, make_case, ready_for_mark_off, register

D = dt.date
S = Status

# How each transition is called (transition name → service call). Review requests and decisions share a service
# function that picks the level from the case.
CALLS = {
    "accept": lambda case, actor, w, **kw: services.accept(case, actor, **kw),
    "not_accept": lambda case, actor, w, **kw: services.not_accept(
        case, actor, route=NotAcceptedRoute.LITIGATION, reason="已起诉", **kw
    ),
    "forward": lambda case, actor, w, **kw: services.forward(case, actor, authority="市自然资源和规划局", **kw),
    "merge": lambda case, actor, w, **kw: services.merge(case, actor, note="同一事项", **kw),
    "assign": lambda case, actor, w, **kw: services.assign(case, actor, department_id=w.housing.id, **kw),
    "object_assignment": lambda case, actor, w, **kw: services.object_to_assignment(
        case, actor, reason="不属于本单位职权范围", **kw
    ),
    "start": lambda case, actor, w, **kw: services.start(case, actor, **kw),
    "draft": lambda case, actor, w, **kw: services.draft_reply(
        case, actor, outcome=Outcome.SUPPORT, text="限期修复。", **kw
    ),
    "sign": lambda case, actor, w, **kw: services.sign_reply(case, actor, **kw),
    "return_draft": lambda case, actor, w, **kw: services.return_draft(case, actor, comment="事实部分不清楚", **kw),
    "send_back": lambda case, actor, w, **kw: services.send_back(case, actor, comment="答复敷衍，退回重办", **kw),
    "publish": lambda case, actor, w, **kw: services.publish_reply(case, actor, **kw),
    "request_review": lambda case, actor, w, **kw: services.request_review(case, actor, reason="不服处理意见", **kw),
    "decide_review": lambda case, actor, w, **kw: services.decide_review(
        case, actor, outcome=Outcome.EXPLAIN, text="维持原意见。", **kw
    ),
    "request_rereview": lambda case, actor, w, **kw: services.request_review(case, actor, reason="不服复查意见", **kw),
    "decide_rereview": lambda case, actor, w, **kw: services.decide_review(
        case, actor, outcome=Outcome.EXPLAIN, text="维持复查意见。", **kw
    ),
    "mark_off": lambda case, actor, w, **kw: services.mark_off(case, actor, **kw),
    "rehandle": lambda case, actor, w, **kw: services.rehandle(case, actor, text="请重新核实后答复", **kw),
    "order_rehandling": lambda case, actor, w, **kw: services.order_rehandling(
        case, actor, reason="诉求未核实到位，重新办理", days=20, **kw
    ),
}

# Who may take each transition, written down from DESIGN §1 and §3 (not copied from the table under test).
# ``public`` is the petitioner acting with the query code; department roles count only in the case's department.
ALLOWED = {
    "accept": {"clerk"},
    "not_accept": {"clerk"},
    "forward": {"clerk"},
    "merge": {"clerk"},
    "assign": {"clerk"},
    "object_assignment": {"dept_head"},
    "start": {"handler", "dept_head"},
    "draft": {"handler"},
    "sign": {"dept_head"},
    "return_draft": {"dept_head"},
    "send_back": {"clerk"},
    "publish": {"clerk"},
    "request_review": {"public", "clerk"},
    "decide_review": {"clerk"},
    "request_rereview": {"public", "clerk"},
    "decide_rereview": {"clerk"},
    "mark_off": {"clerk"},
    "rehandle": {"leader"},
    "order_rehandling": {"supervisor"},  # a 不满意 case handled again (issue 15)
}
# The person who normally takes each transition (the department roles of the housing department).
NATURAL_ACTOR = {
    name: next(k for k in ("clerk", "handler", "dept_head", "leader", "supervisor") if k in allowed)
    for name, allowed in ALLOWED.items()
}
ACTORS = [
    "public",
    "clerk",
    "leader",
    "supervisor",
    "admin",
    "auditor",
    "dept_head",
    "handler",
    "other_dept_head",
    "other_handler",
    "discipline_head",
    "discipline_handler",
]

# The state each transition starts from: (status, review level).
SOURCE = {
    "accept": (S.REGISTERED, 0),
    "not_accept": (S.REGISTERED, 0),
    "forward": (S.REGISTERED, 0),
    "merge": (S.REGISTERED, 0),  # a repeat of a case still being handled (see ``prepare``)
    "assign": (S.ACCEPTED, 0),
    "object_assignment": (S.ASSIGNED, 0),
    "start": (S.ASSIGNED, 0),
    "draft": (S.IN_PROGRESS, 0),
    "sign": (S.AWAITING_SIGNATURE, 0),
    "return_draft": (S.AWAITING_SIGNATURE, 0),
    "send_back": (S.AWAITING_VERIFICATION, 0),
    "publish": (S.AWAITING_VERIFICATION, 0),
    "request_review": (S.REPLIED, 0),
    "decide_review": (S.UNDER_REVIEW, 0),
    "request_rereview": (S.REPLIED, 1),
    "decide_rereview": (S.UNDER_REREVIEW, 1),
    "mark_off": (S.REPLIED, 0),
    "rehandle": (S.AWAITING_VERIFICATION, 0),
    "order_rehandling": (S.REPLIED, 0),  # rated 不满意 (see ``prepare``)
}

# Wrong states for each transition: first the state it leads to (a double submission), then one further away.
WRONG_STATES = {
    "accept": [S.ACCEPTED, S.CLOSED],
    "not_accept": [S.NOT_ACCEPTED, S.ASSIGNED],
    "forward": [S.FORWARDED, S.IN_PROGRESS],
    "merge": [S.ACCEPTED, S.CLOSED],
    "assign": [S.ASSIGNED, S.REGISTERED],
    "object_assignment": [S.ACCEPTED, S.AWAITING_SIGNATURE],
    "start": [S.IN_PROGRESS, S.ACCEPTED],
    "draft": [S.AWAITING_SIGNATURE, S.ASSIGNED],
    "sign": [S.AWAITING_VERIFICATION, S.IN_PROGRESS],
    "return_draft": [S.IN_PROGRESS, S.AWAITING_VERIFICATION],
    "send_back": [S.IN_PROGRESS, S.REPLIED],
    "publish": [S.REPLIED, S.AWAITING_SIGNATURE],
    "request_review": [S.UNDER_REVIEW, S.IN_PROGRESS],
    "decide_review": [S.REPLIED, S.AWAITING_VERIFICATION],
    "request_rereview": [S.UNDER_REREVIEW, S.FINAL],
    "decide_rereview": [S.FINAL, S.IN_PROGRESS],
    "mark_off": [S.CLOSED, S.UNDER_REVIEW],
    "rehandle": [S.IN_PROGRESS, S.REPLIED],
    "order_rehandling": [S.IN_PROGRESS, S.CLOSED],
}

PUBLIC_EVENTS = {"accept", "not_accept", "forward", "merge", "assign", "publish", "decide_review", "decide_rereview"}
PUBLIC_EVENTS |= {"order_rehandling"}
INTERNAL_EVENTS = {"draft", "sign", "return_draft", "send_back", "rehandle", "object_assignment"}


def prepare(world, name: str, **kwargs):
    status, level = SOURCE[name]
    if name == "merge":
        kwargs["repeat_of_id"] = make_case(world, S.IN_PROGRESS).id
    case = make_case(world, status, review_level=level, **kwargs)
    if name == "mark_off":
        ready_for_mark_off(case, world)
        db.session.commit()
    if name == "order_rehandling":
        services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.UNSATISFIED)
        db.session.commit()
    return case


def count(model, case) -> int:
    return db.session.scalar(
        db.select(func.count())
        .select_from(model)
        .where(
            (model.case_id if model is CaseEvent else model.object_id) == case.id,
            *([AuditLog.object_type == "cases"] if model is AuditLog else []),
        )
    )


def snapshot(case) -> tuple:
    db.session.flush()
    return case.status, case.version, count(CaseEvent, case), count(AuditLog, case), case.due_date


def test_the_test_tables_cover_every_transition():
    assert set(CALLS) == set(ALLOWED) == set(SOURCE) == set(WRONG_STATES) == set(TRANSITIONS)


def test_sources_and_targets_follow_design_section_3():
    edges = {name: (set(t.sources), t.target) for name, t in TRANSITIONS.items()}
    assert edges["accept"] == ({S.REGISTERED}, S.ACCEPTED)
    assert edges["publish"] == ({S.AWAITING_VERIFICATION}, S.REPLIED)
    assert edges["send_back"] == ({S.AWAITING_VERIFICATION}, S.IN_PROGRESS)
    assert edges["mark_off"] == ({S.REPLIED, S.FINAL}, S.CLOSED)
    assert S.CLOSED in TRANSITIONS["request_review"].sources  # marking off never takes away the right to review
    assert edges["decide_rereview"] == ({S.UNDER_REREVIEW}, S.FINAL)


# --- happy paths ---------------------------------------------------------------------------------------------
HAPPY = [(name, actor) for name in TRANSITIONS for actor in sorted(ALLOWED[name])]


@pytest.mark.parametrize("name, actor_key", HAPPY)
def test_transition_moves_the_case_and_writes_event_and_audit(world, name, actor_key):
    case = prepare(world, name)
    actor = world.actor(actor_key)
    transition = TRANSITIONS[name]
    before = case.status
    events_before, audits_before = count(CaseEvent, case), count(AuditLog, case)

    CALLS[name](case, actor, world)
    db.session.commit()

    assert case.status is transition.target
    assert count(CaseEvent, case) == events_before + 1
    event = case.events[-1]
    assert event.action == name
    assert (event.from_status, event.to_status) == (before.value, transition.target.value)
    assert event.actor_id == (actor.id if actor else None)
    if name in PUBLIC_EVENTS:
        assert event.public
    if name in INTERNAL_EVENTS:
        assert not event.public
    assert count(AuditLog, case) == audits_before + 1
    audit = (
        db.session.execute(db.select(AuditLog).where(AuditLog.object_id == case.id).order_by(AuditLog.id.desc()))
        .scalars()
        .first()
    )
    assert audit.action == f"case.{name}"
    assert audit.actor_id == (actor.id if actor else None)
    assert audit.detail["from_status"] == before.value and audit.detail["to_status"] == transition.target.value


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_a_transition_is_open_exactly_to_the_people_design_allows(world, name):
    case = prepare(world, name)
    for key in ACTORS:
        offered = case.can(name, world.actor(key))
        assert offered == (key in ALLOWED[name]), f"{name} offered to {key}: {offered}"


# --- refused: wrong state, wrong role, stale version — and nothing written -------------------------------------
@pytest.mark.parametrize("name, status", [(n, s) for n, states in WRONG_STATES.items() for s in states])
def test_transition_in_a_wrong_state_is_refused_and_writes_nothing(world, name, status):
    case = make_case(world, status)
    before = snapshot(case)

    with pytest.raises(DomainError) as refused:
        CALLS[name](case, world.actor(NATURAL_ACTOR[name]), world)

    assert not isinstance(refused.value, NotAllowed)  # the right person, the wrong moment
    assert refused.value.message
    assert snapshot(case) == before


@pytest.mark.parametrize("name, actor_key", [(n, a) for n in TRANSITIONS for a in ACTORS if a not in ALLOWED[n]])
def test_transition_by_a_wrong_role_is_refused_and_writes_nothing(world, name, actor_key):
    case = prepare(world, name)
    before = snapshot(case)

    with pytest.raises(NotAllowed):
        CALLS[name](case, world.actor(actor_key), world)

    assert snapshot(case) == before


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_stale_expected_version_is_refused_and_writes_nothing(world, name):
    case = prepare(world, name)
    before = snapshot(case)

    with pytest.raises(StaleCase):
        CALLS[name](case, world.actor(NATURAL_ACTOR[name]), world, expected_version=case.version - 1)

    assert snapshot(case) == before


def test_current_expected_version_is_accepted(world):
    case = make_case(world, S.REGISTERED)

    services.accept(case, world.clerk, expected_version=case.version)

    assert case.status is S.ACCEPTED


def test_a_transition_changes_the_version_so_an_older_form_goes_stale(world):
    case = make_case(world, S.REGISTERED)
    seen = case.version

    services.accept(case, world.clerk)

    assert case.version > seen
    with pytest.raises(StaleCase):
        services.assign(case, world.clerk, department_id=world.housing.id, expected_version=seen)


# --- clocks (DESIGN §4) -------------------------------------------------------------------------------------
def test_registration_starts_the_15_day_acceptance_clock_from_receipt(world):
    with as_of(D(2026, 9, 25)):
        case, _ = register(world, received_on=D(2026, 9, 20))

    assert (case.clock_rule, case.clock_start) == ("accept", D(2026, 9, 20))
    assert case.accept_due == case.due_date == D(2026, 10, 8)  # day 15 is 10-05, a holiday


def test_accept_starts_the_60_day_handling_clock_from_the_acceptance_date(world):
    case = make_case(world, S.REGISTERED, on=D(2026, 9, 18))

    with as_of(D(2026, 9, 20)):
        services.accept(case, world.clerk)

    assert case.decided_on == D(2026, 9, 20)
    assert (case.clock_rule, case.clock_start) == ("handle", D(2026, 9, 20))
    assert case.handle_due == case.due_date == D(2026, 11, 19)
    assert case.accept_due == D(2026, 10, 8)  # kept for the 及时受理率 statistics


def test_simple_procedure_counts_acceptance_and_handling_in_working_days(world):
    case = make_case(world, S.REGISTERED, procedure=Procedure.SIMPLE, on=D(2026, 9, 30))
    assert case.accept_due == D(2026, 10, 10)  # 3 working days: 10-08, 10-09 and the make-up Saturday

    with as_of(D(2026, 9, 30)):
        services.accept(case, world.clerk, reason="事实清楚、权利义务关系明确")

    assert case.clock_rule == "simple_handle"
    assert case.handle_due == case.due_date == D(2026, 10, 20)  # 10 working days


def test_accepting_a_case_as_simple_switches_it_to_working_days(world):
    case = make_case(world, S.REGISTERED, on=D(2026, 9, 30))

    with as_of(D(2026, 9, 30)):
        services.accept(case, world.clerk, procedure=Procedure.SIMPLE, reason="事实清楚、权利义务关系明确")

    assert case.procedure is Procedure.SIMPLE
    assert case.handle_due == D(2026, 10, 20)


@pytest.mark.parametrize("name", ["not_accept", "forward"])
def test_terminal_decisions_stop_the_clock(world, name):
    case = make_case(world, S.REGISTERED, on=D(2026, 9, 20))

    with as_of(D(2026, 9, 22)):
        CALLS[name](case, world.clerk, world)

    assert (case.clock_rule, case.clock_start, case.due_date) == (None, None, None)
    assert case.decided_on == D(2026, 9, 22)
    assert not case.is_open


def test_not_accept_tells_the_petitioner_the_legal_route(world):
    case = make_case(world, S.REGISTERED)

    services.not_accept(case, world.clerk, route=NotAcceptedRoute.ARBITRATION, reason="劳动争议")

    event = case.events[-1]
    assert event.public and event.title == "不予受理告知"
    assert NotAcceptedRoute.ARBITRATION.route_text in event.text
    assert case.not_accepted_route is NotAcceptedRoute.ARBITRATION


@pytest.mark.parametrize("status", [S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_SIGNATURE, S.AWAITING_VERIFICATION])
def test_handling_clock_keeps_running_until_the_reply_is_published(world, status):
    case = make_case(world, status, on=D(2026, 9, 20))

    assert (case.clock_rule, case.clock_start) == ("handle", D(2026, 9, 20))
    assert case.due_date == case.handle_due == D(2026, 11, 19)


def test_send_back_and_return_keep_the_handling_clock(world):
    case = make_case(world, S.AWAITING_VERIFICATION, on=D(2026, 9, 20))
    with as_of(D(2026, 10, 20)):
        services.send_back(case, world.clerk, comment="敷衍")

    assert case.status is S.IN_PROGRESS
    assert case.due_date == D(2026, 11, 19)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"method": DeliveryMethod.ONLINE}, "网上送达只适用于网上提交"),
        ({"method": DeliveryMethod.POST}, "请填写邮件号"),
    ],
)
def test_a_reply_is_delivered_by_the_rules_every_delivery_record_keeps(world, arguments, message):
    case = make_case(world, S.AWAITING_VERIFICATION)  # a letter
    with pytest.raises(DomainError, match=message):
        services.publish_reply(case, world.clerk, **arguments)
    assert case.status is S.AWAITING_VERIFICATION


def test_the_written_answer_takes_the_replys_delivery_with_its_tracking_number(world):
    from portal.documents.models import Document

    case = make_case(world, S.AWAITING_VERIFICATION)
    services.publish_reply(case, world.clerk, method=DeliveryMethod.POST, tracking_number="XA1234567890CN")
    db.session.flush()
    [opinion] = [d for d in db.session.execute(db.select(Document).filter_by(case_id=case.id)).scalars()
                 if d.to_petitioner and d.deliveries]  # fmt: skip
    [delivery] = opinion.deliveries
    assert (delivery.method, delivery.tracking_number) == (DeliveryMethod.POST, "XA1234567890CN")


def test_publish_starts_the_review_request_window_from_delivery(world):
    case = make_case(world, S.AWAITING_VERIFICATION, on=D(2026, 10, 20))

    with as_of(D(2026, 11, 2)):
        reply = services.publish_reply(
            case, world.clerk, delivered_on=D(2026, 10, 30), method=DeliveryMethod.POST, tracking_number="XA12345678CN"
        )

    assert reply.state is ReplyState.PUBLISHED and reply.delivered_on == D(2026, 10, 30)
    assert case.delivered_on == D(2026, 10, 30)
    assert case.replied_on == D(2026, 11, 2)
    assert (case.clock_rule, case.clock_start) == ("review_request", D(2026, 10, 30))
    assert case.due_date == D(2026, 11, 30)  # day 30 is Sunday 11-29
    assert "2026年11月30日" in case.events[-1].text


def test_online_reply_is_delivered_the_day_it_is_published(world):
    case = make_case(world, S.AWAITING_VERIFICATION, channel=Channel.ONLINE, on=D(2026, 10, 20))

    with as_of(D(2026, 11, 2)):
        services.publish_reply(case, world.clerk, delivered_on=D(2026, 10, 30))

    assert case.delivered_on == D(2026, 11, 2)
    assert case.clock_start == D(2026, 11, 2)


def test_delivery_date_in_the_future_is_refused(world):
    case = make_case(world, S.AWAITING_VERIFICATION, on=D(2026, 10, 20))
    before = snapshot(case)

    with as_of(D(2026, 10, 20)), pytest.raises(DomainError):
        services.publish_reply(case, world.clerk, delivered_on=D(2026, 10, 21))

    assert snapshot(case) == before


def test_request_review_starts_the_30_day_review_clock_from_the_request(world):
    case = make_case(world, S.REPLIED, on=D(2026, 11, 2))

    with as_of(D(2026, 11, 10)):
        services.request_review(case, None, reason="不服")

    assert (case.clock_rule, case.clock_start, case.due_date) == ("review", D(2026, 11, 10), D(2026, 12, 10))


def test_review_opinion_starts_the_rereview_window_from_its_delivery(world):
    case = make_case(world, S.UNDER_REVIEW, on=D(2026, 11, 10))

    with as_of(D(2026, 12, 3)):
        opinion = services.decide_review(
            case, world.clerk, outcome=Outcome.EXPLAIN, text="维持", delivered_on=D(2026, 12, 1)
        )

    assert opinion.kind is ReplyKind.REVIEW and opinion.state is ReplyState.PUBLISHED and opinion.is_signed
    assert case.review_level == 1
    assert case.delivered_on == D(2026, 12, 1)
    assert (case.clock_rule, case.clock_start, case.due_date) == ("rereview_request", D(2026, 12, 1), D(2026, 12, 31))


def test_request_rereview_starts_the_30_day_rereview_clock(world):
    case = make_case(world, S.REPLIED, review_level=1, on=D(2026, 12, 1))

    with as_of(D(2026, 12, 15)):
        services.request_review(case, None, reason="不服复查意见")

    assert case.status is S.UNDER_REREVIEW
    assert (case.clock_rule, case.clock_start, case.due_date) == ("rereview", D(2026, 12, 15), D(2027, 1, 14))


def test_rereview_opinion_is_final_and_stops_the_clock(world):
    case = make_case(world, S.UNDER_REREVIEW, on=D(2026, 12, 1))

    services.decide_review(case, world.clerk, outcome=Outcome.REJECT, text="复核维持")

    assert case.status is S.FINAL
    assert case.review_level == 2
    assert (case.clock_rule, case.due_date) == (None, None)
    assert not case.is_open


def test_mark_off_keeps_the_review_window_running(world):
    case = make_case(world, S.REPLIED, on=D(2026, 11, 2))
    ready_for_mark_off(case, world)

    with as_of(D(2026, 11, 5)):
        services.mark_off(case, world.clerk)

    assert case.status is S.CLOSED and case.closed_on == D(2026, 11, 5)
    assert (case.clock_rule, case.due_date) == ("review_request", D(2026, 12, 2))


# --- review → re-review → final --------------------------------------------------------------------------------
def test_review_then_rereview_then_final(world):
    case = make_case(world, S.REPLIED, on=D(2026, 9, 1))

    with as_of(D(2026, 9, 10)):
        services.request_review(case, None, reason="不服")
    assert (case.status, case.review_level) == (S.UNDER_REVIEW, 0)
    with as_of(D(2026, 9, 20)):
        services.decide_review(case, world.clerk, outcome=Outcome.EXPLAIN, text="维持")
    assert (case.status, case.review_level) == (S.REPLIED, 1)
    with as_of(D(2026, 9, 25)):
        services.request_review(case, world.clerk, reason="代为提交复核申请")
    assert case.status is S.UNDER_REREVIEW
    with as_of(D(2026, 10, 9)):
        services.decide_review(case, world.clerk, outcome=Outcome.EXPLAIN, text="终结")
    db.session.commit()

    assert case.status is S.FINAL
    assert [r.kind for r in case.published_replies] == [ReplyKind.REPLY, ReplyKind.REVIEW, ReplyKind.REREVIEW]
    assert [e.action for e in case.events if e.action.startswith(("request", "decide"))] == [
        "request_review",
        "decide_review",
        "request_rereview",
        "decide_rereview",
    ]
    with as_of(D(2026, 10, 10)), pytest.raises(DomainError):
        services.request_review(case, None, reason="还是不服")  # nothing after the final opinion


def test_final_case_can_be_marked_off_and_stays_final_for_reviews(world):
    case = make_case(world, S.UNDER_REREVIEW)
    complete_checklist(case, world.clerk)
    services.decide_review(case, world.clerk, outcome=Outcome.EXPLAIN, text="终结")
    services.record_follow_up(case, world.clerk, method="面访", satisfaction=Rating.BASICALLY)

    services.mark_off(case, world.clerk)
    assert case.status is S.CLOSED
    before = snapshot(case)

    with pytest.raises(DomainError):
        services.request_review(case, None, reason="再申请")
    assert snapshot(case) == before


def test_checklist_can_still_be_ticked_on_a_final_case_so_that_it_can_be_marked_off(world):
    case = make_case(world, S.FINAL)

    ready_for_mark_off(case, world)
    services.mark_off(case, world.clerk)

    assert case.status is S.CLOSED


def test_review_request_inside_its_window_reopens_a_closed_case(world):
    case = make_case(world, S.CLOSED, on=D(2026, 11, 2))

    with as_of(D(2026, 11, 20)):
        services.request_review(case, None, reason="销号后仍不服")

    assert case.status is S.UNDER_REVIEW


def test_review_request_on_the_last_day_of_the_window_is_accepted(world):
    case = make_case(world, S.REPLIED, on=D(2026, 9, 1))
    assert case.due_date == D(2026, 10, 8)  # day 30 is 10-01, National Day

    with as_of(D(2026, 10, 8)):
        services.request_review(case, None, reason="不服")

    assert case.status is S.UNDER_REVIEW


@pytest.mark.parametrize("status", [S.REPLIED, S.CLOSED])
def test_review_request_after_its_window_is_refused(world, status):
    case = make_case(world, status, on=D(2026, 9, 1))
    before = snapshot(case)

    with as_of(D(2026, 10, 9)), pytest.raises(DomainError, match="届满"):
        services.request_review(case, None, reason="不服")

    assert snapshot(case) == before


def test_rereview_request_after_its_window_is_refused(world):
    case = make_case(world, S.REPLIED, review_level=1, on=D(2026, 11, 2))  # opinion delivered 11-02, due 12-02
    before = snapshot(case)

    with as_of(D(2026, 12, 3)), pytest.raises(DomainError):
        services.request_review(case, None, reason="不服")

    assert snapshot(case) == before


def test_review_request_needs_a_reason(world):
    case = make_case(world, S.REPLIED)

    with pytest.raises(DomainError):
        services.request_review(case, None, reason="  ")

    assert case.status is S.REPLIED


# --- assignment and departments ------------------------------------------------------------------------------
def test_accusation_against_an_official_is_confidential_and_can_only_go_to_the_discipline_department(world):
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION)
    services.record_accused(case, world.clerk, name="某局长", cadre_level=CadreLevel.COUNTY)
    assert case.confidential
    before = snapshot(case)

    for department in (world.housing, world.labour, world.office):
        with pytest.raises(DomainError):
            services.assign(case, world.clerk, department_id=department.id)
        assert snapshot(case) == before

    services.assign(case, world.clerk, department_id=world.discipline.id)
    assert case.department_id == world.discipline.id
    assert case.status is S.ASSIGNED


def test_accused_department_cannot_see_the_accusers_identity(world):
    case = make_case(world, S.ASSIGNED, case_type=CaseType.ACCUSATION)

    assert case.can_see_identity(world.clerk)
    assert case.can_view(world.discipline_head)
    assert case.can_see_identity(world.discipline_head)  # the investigating organ may contact a named accuser
    assert not case.can_view(world.dept_head)  # another department cannot even open it


def test_case_cannot_be_assigned_to_the_petition_office_itself(world):
    case = make_case(world, S.ACCEPTED)

    with pytest.raises(DomainError):
        services.assign(case, world.clerk, department_id=world.office.id)

    assert case.status is S.ACCEPTED


def test_owner_leader_must_be_a_leader(world):
    case = make_case(world, S.ACCEPTED)

    with pytest.raises(DomainError):
        services.assign(case, world.clerk, department_id=world.housing.id, owner_leader_id=world.supervisor.id)

    assert case.status is S.ACCEPTED


def test_assignment_gives_the_checklist_and_the_five_bao_for_a_leader_owned_case(world):
    plain = make_case(world, S.ASSIGNED)
    owned = make_case(world, S.ASSIGNED, owner_leader=world.leader)

    assert [i.label for i in plain.checklist] == ["调查核实", "形成处理意见", "书面答复", "回访"]
    assert len(owned.checklist) == 9 and owned.owner_leader_id == world.leader.id
    assert "包息访息诉" in [i.label for i in owned.checklist]


@pytest.mark.parametrize("name", ["start", "draft", "sign", "return_draft"])
def test_department_roles_of_another_department_are_refused(world, name):
    case = prepare(world, name)
    outsider = world.other_handler if name in ("start", "draft") else world.other_dept_head
    before = snapshot(case)

    with pytest.raises(NotAllowed):
        CALLS[name](case, outsider, world)

    assert snapshot(case) == before
    assert not case.can_view(outsider)


def test_start_by_the_handler_makes_them_the_cases_handler(world):
    case = make_case(world, S.ASSIGNED)

    services.start(case, world.handler)

    assert case.handler_id == world.handler.id


# --- replies ------------------------------------------------------------------------------------------------
def test_sign_records_the_signer_on_the_reply(world):
    case = make_case(world, S.AWAITING_SIGNATURE)

    reply = services.sign_reply(case, world.dept_head)

    assert reply.state is ReplyState.SIGNED and reply.is_signed
    assert (reply.signer_name, reply.signer_title, reply.signer_department) == ("周局长", "局长", "县住房和城乡建设局")


def test_returned_draft_is_redrafted_as_a_new_version(world):
    case = make_case(world, S.AWAITING_SIGNATURE)
    services.return_draft(case, world.dept_head, comment="补充依据")

    second = services.draft_reply(case, world.handler, outcome=Outcome.EXPLAIN, text="第二稿")

    assert [(r.version, r.state) for r in case.replies] == [(1, ReplyState.RETURNED), (2, ReplyState.DRAFT)]
    assert case.current_reply is second


def test_sent_back_reply_is_kept_and_a_new_version_goes_out(world):
    case = make_case(world, S.AWAITING_VERIFICATION)
    services.send_back(case, world.clerk, comment="敷衍")
    services.draft_reply(case, world.handler, outcome=Outcome.SUPPORT, text="重办后的意见")
    services.sign_reply(case, world.dept_head)

    services.publish_reply(case, world.clerk)

    assert [(r.version, r.state) for r in case.replies] == [(1, ReplyState.SENT_BACK), (2, ReplyState.PUBLISHED)]


def test_signed_reply_cannot_be_modified(world):
    case = make_case(world, S.AWAITING_VERIFICATION, commit=False)
    reply = case.current_reply

    reply.text = "签发后偷偷改写的意见"
    with pytest.raises(DomainError, match="已署名"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "field, value",
    [("outcome", Outcome.REJECT), ("legal_basis", "改过的依据"), ("signer_name", "别人"), ("signed_at", None)],
)
def test_signed_content_cannot_be_changed_field_by_field(world, field, value):
    case = make_case(world, S.REPLIED, commit=False)
    reply = case.current_reply

    setattr(reply, field, value)
    with pytest.raises(DomainError):
        db.session.flush()
    db.session.rollback()


def test_signed_reply_cannot_be_modified_after_it_was_committed(world):
    case = make_case(world, S.AWAITING_VERIFICATION)  # committed: every attribute is expired
    reply = db.session.execute(db.select(Reply).where(Reply.case_id == case.id)).scalar_one()
    db.session.commit()

    reply.text = "签发后偷偷改写的意见"
    with pytest.raises(DomainError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Reply, reply.id).text != "签发后偷偷改写的意见"


def test_signed_reply_cannot_be_deleted(world):
    case = make_case(world, S.REPLIED)
    reply = case.current_reply

    db.session.delete(reply)
    with pytest.raises(DomainError):
        db.session.flush()
    db.session.rollback()


def test_unsigned_draft_can_still_be_edited(world):
    case = make_case(world, S.AWAITING_SIGNATURE)
    reply = case.current_reply

    reply.text = "修改后的草稿"
    db.session.commit()

    assert db.session.get(Reply, reply.id).text == "修改后的草稿"


def test_publishing_a_signed_reply_is_allowed(world):
    case = make_case(world, S.REPLIED)

    assert case.current_reply.state is ReplyState.PUBLISHED  # state and delivery are not signed content


# --- mark-off (DESIGN §5) -------------------------------------------------------------------------------------
def test_mark_off_is_refused_while_a_required_checklist_item_is_open(world):
    case = make_case(world, S.REPLIED)
    ready_for_mark_off(case, world)
    first = case.checklist[0]
    services.tick_checklist_item(first, world.handler, done=False)
    before = snapshot(case)

    with pytest.raises(DomainError, match=first.label):
        services.mark_off(case, world.clerk)

    assert snapshot(case) == before


def test_open_optional_checklist_item_does_not_block_mark_off(world):
    case = make_case(world, S.REPLIED)
    complete_checklist(case, world.clerk)
    services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.SATISFIED)
    assert not next(i for i in case.checklist if not i.required).done  # 回访: nobody called, the rating is in

    services.mark_off(case, world.clerk)

    assert case.status is S.CLOSED


def test_mark_off_is_refused_without_evaluation_or_follow_up(world):
    case = make_case(world, S.REPLIED)
    complete_checklist(case, world.clerk)
    before = snapshot(case)

    with pytest.raises(DomainError, match="回访"):
        services.mark_off(case, world.clerk)

    assert snapshot(case) == before


def test_satisfied_evaluation_alone_allows_mark_off(world):
    case = make_case(world, S.REPLIED)
    complete_checklist(case, world.clerk)
    services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.BASICALLY)

    services.mark_off(case, world.clerk)

    assert case.status is S.CLOSED


@pytest.mark.parametrize(
    "acceptance, handling", [(Rating.UNSATISFIED, Rating.SATISFIED), (Rating.SATISFIED, Rating.UNSATISFIED)]
)
def test_unsatisfied_evaluation_blocks_mark_off_even_with_a_follow_up(world, acceptance, handling):
    case = make_case(world, S.REPLIED)
    ready_for_mark_off(case, world)
    services.record_evaluation(case, acceptance=acceptance, handling=handling, comment="没解决")
    assert case.supervised
    before = snapshot(case)

    with pytest.raises(DomainError, match="不满意"):
        services.mark_off(case, world.clerk)

    assert snapshot(case) == before


def test_checklist_cannot_be_ticked_by_another_department(world):
    case = make_case(world, S.IN_PROGRESS)

    with pytest.raises(NotAllowed):
        services.tick_checklist_item(case.checklist[0], world.other_handler, done=True)

    assert not case.checklist[0].done


def test_evaluation_is_once_only(world):
    case = make_case(world, S.REPLIED)
    services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.SATISFIED)

    with pytest.raises(DomainError):
        services.record_evaluation(case, acceptance=Rating.UNSATISFIED, handling=Rating.UNSATISFIED)


def test_evaluation_after_its_window_is_refused(world):
    case = make_case(world, S.REPLIED, on=D(2026, 9, 1))

    with as_of(D(2026, 10, 9)), pytest.raises(DomainError, match="届满"):
        services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.SATISFIED)


# --- registration ---------------------------------------------------------------------------------------------
def test_registration_writes_a_public_event_and_an_audit_row(world):
    case, _ = register(world)
    db.session.commit()

    assert case.status is S.REGISTERED
    assert [(e.action, e.public) for e in case.events] == [("register", True)]
    assert (
        db.session.execute(
            db.select(AuditLog.action).where(AuditLog.object_id == case.id, AuditLog.object_type == "cases")
        ).scalar_one()
        == "case.register"
    )


def test_registration_in_the_future_is_refused(world):
    with as_of(D(2026, 9, 20)), pytest.raises(DomainError):
        register(world, received_on=D(2026, 9, 21))


@pytest.mark.parametrize("key", ["leader", "handler", "dept_head", "supervisor", "admin", "auditor"])
def test_only_a_clerk_registers_cases(world, key):
    with pytest.raises(NotAllowed):
        register(world, actor=world.actor(key))


def test_public_may_only_register_online(world):
    with pytest.raises(NotAllowed):
        register(world, actor=None, channel=Channel.LETTER)
    case, _ = register(world, actor=None, channel=Channel.ONLINE)
    assert case.registered_by_id is None


def test_public_events_never_carry_the_petitioners_identity(world):
    case = make_case(world, S.CLOSED, petitioner_name="欧阳娜娜", phone="13912345678", id_number="110101199001011237")

    for event in case.events:
        if event.public:
            assert "欧阳娜娜" not in event.text and "13912345678" not in event.text
            assert "110101199001011234" not in event.text
