"""The procedure around the legal clocks (issue 12): which matters get 复查/复核 (条例 art.35–36), the review
request's receipt date, 简易办理 and the switch to the ordinary procedure, repeats merged into the open case (并案),
and the objection to a wrong assignment (art.23)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.cases import services
from portal.cases.lifecycle import Status
from portal.cases.models import Case, CaseType, Channel, Outcome, Procedure
from portal.cases.services.clocks import recompute_clocks
from portal.deadlines.services import set_override
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import as_of
from portal.public.progress import public_case
from tests.factories import make_case, register

D = dt.date
S = Status


# --- 复查 / 复核 only for 申诉求决类 matters answered with a 处理意见书 (finding 2) --------------------------------
@pytest.mark.parametrize(
    "case_type, instead",
    [(CaseType.SUGGESTION, "回复反馈"), (CaseType.ACCUSATION, "纪检监察机关")],
)
def test_suggestions_and_accusations_get_no_review_window_but_are_told_what_applies(world, case_type, instead):
    with as_of(D(2026, 10, 12)):
        case = make_case(world, S.REPLIED, case_type=case_type)

    assert case.clock_rule is None and case.due_date is None  # no 复查 window was opened at delivery
    assert instead in case.events[-1].text and "申请复查" not in case.events[-1].text
    for actor in (None, world.clerk):
        assert not case.can("request_review", actor)
    with as_of(D(2026, 10, 13)), pytest.raises(DomainError, match=instead):
        services.request_review(case, None, reason="不服")
    with as_of(D(2026, 10, 13)):
        shown = public_case(case, D(2026, 10, 13))
    assert not shown.review.open and shown.review.due is None and instead in shown.review.refusal
    api = shown.as_dict()["can_request_review"]
    assert api["open"] is False and api["due"] is None and instead in api["message"]


def test_a_claim_answered_with_a_handling_opinion_still_opens_its_review_window(world):
    with as_of(D(2026, 10, 12)):
        case = make_case(world, S.REPLIED, case_type=CaseType.CLAIM)
        shown = public_case(case, D(2026, 10, 12))

    assert case.clock_rule == "review_request" and shown.review.open


def test_an_accusation_is_never_reviewed_by_the_petition_office(world):
    # An accusation left under review by the old rule (no organ above the 纪委监委): nobody in the petition office
    # decides it, and it is in nobody's review queue there.
    case = make_case(world, S.REPLIED, case_type=CaseType.ACCUSATION)
    case.status = S.UNDER_REVIEW
    db.session.commit()

    assert case.reviewing_department_id is None
    assert not case.can_decide_review(world.clerk)
    with pytest.raises(NotAllowed):
        services.decide_review(case, world.clerk, outcome=Outcome.EXPLAIN, text="维持")
    assert db.session.scalars(db.select(Case.id).where(Case.reviewed_by(world.clerk))).all() == []


# --- the review request's receipt date (finding 6) ----------------------------------------------------------------
def replied_on_10_12(world) -> Case:
    """Reply delivered Monday 2026-10-12: the 复查 window ends 2026-11-11."""
    case = make_case(world, S.REPLIED, on=D(2026, 10, 12))
    assert case.due_date == D(2026, 11, 11)
    return case


def test_a_review_request_posted_in_time_and_registered_later_is_accepted_and_counted_from_its_receipt(world):
    # Postmarked inside the window, registered two days after it ended: in time, and the 30-day 复查 clock counts
    # from the day it was received, not from the day it was typed in.
    case = replied_on_10_12(world)

    with as_of(D(2026, 11, 13)):
        assert case.can("request_review", world.clerk)  # the clerk enters the receipt date
        assert not case.can("request_review", None)  # the petitioner online asks today: too late
        services.request_review(case, world.clerk, reason="邮寄申请复查", received_on=D(2026, 11, 10))

    assert case.status is S.UNDER_REVIEW
    assert (case.clock_rule, case.clock_start) == ("review", D(2026, 11, 10))
    assert case.due_date == D(2026, 12, 10)
    assert "2026年11月10日" in case.events[-1].text and case.events[-1].data["received_on"] == "2026-11-10"


def test_a_review_request_received_after_its_window_is_refused_whatever_day_it_is_registered(world):
    case = replied_on_10_12(world)

    with as_of(D(2026, 11, 13)), pytest.raises(DomainError, match="2026年11月11日"):
        services.request_review(case, world.clerk, reason="逾期", received_on=D(2026, 11, 12))
    assert case.status is S.REPLIED


@pytest.mark.parametrize("received_on, message", [(D(2026, 10, 30), "晚于今天"), (D(2026, 10, 11), "早于答复送达之日")])
def test_a_review_requests_receipt_date_is_not_in_the_future_nor_before_the_reply_was_delivered(
    world, received_on, message
):
    case = replied_on_10_12(world)

    with as_of(D(2026, 10, 20)), pytest.raises(DomainError, match=message):
        services.request_review(case, world.clerk, reason="不服", received_on=received_on)
    assert case.status is S.REPLIED


def test_the_petitioner_online_cannot_backdate_a_review_request(world):
    case = replied_on_10_12(world)

    with as_of(D(2026, 10, 20)):
        services.request_review(case, None, reason="不服", received_on=D(2026, 10, 13))
    assert case.clock_start == D(2026, 10, 20)


# --- 简易办理 (finding 7) -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "details, message",
    [
        ({"case_type": CaseType.ACCUSATION}, "检举控告类"),
        ({"channel": Channel.VISIT, "people_count": 30, "representatives": ["甲", "乙", "丙"]}, "集体访"),
        ({"channel": Channel.VISIT, "people_count": 3, "group_visit": True}, "集体访"),
    ],
)
def test_simple_procedure_is_only_for_first_petitions_with_clear_facts(world, details, message):
    with pytest.raises(DomainError, match=message):
        register(world, procedure=Procedure.SIMPLE, procedure_reason="事实清楚", **details)

    case, _ = register(world, **details)  # registered under the ordinary procedure, then not accepted as simple
    with pytest.raises(DomainError, match=message):
        services.accept(case, world.clerk, procedure=Procedure.SIMPLE, reason="事实清楚")
    assert case.status is S.REGISTERED and case.procedure is Procedure.NORMAL


def test_a_repeat_is_not_registered_under_the_simple_procedure(world):
    first = make_case(world, S.CLOSED)

    with pytest.raises(DomainError, match="重复信访"):
        register(world, procedure=Procedure.SIMPLE, procedure_reason="事实清楚", repeat_of_id=first.id)


def test_a_simple_case_switched_to_the_ordinary_procedure_counts_the_ordinary_clock_from_acceptance(world):
    case = make_case(world, S.IN_PROGRESS, procedure=Procedure.SIMPLE, on=D(2026, 9, 30))
    assert (case.clock_rule, case.handle_due) == ("simple_handle", D(2026, 10, 20))
    assert case.can("to_ordinary", world.handler) and case.can("to_ordinary", world.clerk)
    assert not case.can("to_ordinary", world.other_handler) and not case.can("to_ordinary", world.leader)

    with as_of(D(2026, 10, 12)):
        services.switch_to_ordinary(case, world.handler, reason="涉及多个部门，事实需进一步调查")
    db.session.commit()

    assert case.procedure is Procedure.NORMAL
    assert (case.clock_rule, case.clock_start) == ("handle", D(2026, 9, 30))
    assert case.handle_due == case.due_date == D(2026, 11, 30)  # 60 days from acceptance: 11-29 is a Sunday
    event = case.events[-1]
    assert (event.action, event.title, event.public) == ("to_ordinary", "转为普通程序", True)
    assert "2026年11月30日" in event.text
    with as_of(D(2026, 10, 12)):
        shown = public_case(case, D(2026, 10, 12))
    assert any(e.title == "转为普通程序" for e in shown.events)
    assert not case.can("to_ordinary", world.handler)  # once
    with as_of(D(2026, 10, 12)):
        assert case.can_request_extension(world.handler)  # the ordinary procedure may be extended


# --- 并案: a repeat of a case still being handled (finding 5) ---------------------------------------------------
def repeat_of(world, earlier: Case, **kwargs) -> Case:
    case, _ = register(world, petitioner_name="张三", phone=earlier.petitioner.phone, repeat_of_id=earlier.id, **kwargs)
    db.session.commit()
    return case


@pytest.mark.parametrize("status", [S.REGISTERED, S.ACCEPTED, S.IN_PROGRESS, S.AWAITING_VERIFICATION, S.UNDER_REVIEW])
def test_a_repeat_of_a_case_still_being_handled_is_merged_into_it_not_accepted_with_a_fresh_clock(world, status):
    earlier = make_case(world, status)
    due_before = earlier.due_date
    case = repeat_of(world, earlier)

    assert not case.can("accept", world.clerk)
    with pytest.raises(DomainError, match=f"{earlier.tracking_code} 正在办理中"):
        services.accept(case, world.clerk)
    assert case.status is S.REGISTERED and case.handle_due is None

    assert case.can("merge", world.clerk)
    services.merge(case, world.clerk, note="同一事项再次来信")
    db.session.commit()

    assert case.status is S.MERGED and not case.is_open and case.repeat_of_id == earlier.id
    assert (case.clock_rule, case.due_date) == (None, None)
    assert earlier.status is status and earlier.due_date == due_before  # the open case keeps its own clock
    told = public_case(case, case.decided_on)
    assert [s.label for s in told.steps] == ["登记", "已并案"]
    assert any(earlier.tracking_code in e.text for e in told.events if e.title == "并案告知")
    assert any(case.tracking_code in e.text for e in public_case(earlier, case.decided_on).events)


def test_the_same_matter_with_new_facts_is_registered_as_new_and_linked(world):
    earlier = make_case(world, S.IN_PROGRESS)
    case = repeat_of(world, earlier, new_facts=True)

    assert not case.can("merge", world.clerk)
    services.accept(case, world.clerk)
    assert case.status is S.ACCEPTED and case.repeat_of_id == earlier.id and case.handle_due is not None


@pytest.mark.parametrize("status", [S.REPLIED, S.CLOSED])
def test_a_repeat_after_the_reply_is_accepted_not_merged(world, status):
    earlier = make_case(world, status)
    case = repeat_of(world, earlier)

    assert not case.can("merge", world.clerk)
    with pytest.raises(DomainError, match="不在办理中"):
        services.merge(case, world.clerk)
    services.accept(case, world.clerk)
    assert case.status is S.ACCEPTED


# --- the evaluation window keeps the later date on a calendar recompute (item 8) ---------------------------------
def test_a_calendar_recompute_never_shortens_the_evaluation_window_the_petitioner_was_told(world):
    case = make_case(world, S.REPLIED, on=D(2026, 9, 5))  # 30 days end on 10-05 (国庆): told 10-08
    assert case.evaluation_due == services.evaluation_window(case).due == D(2026, 10, 8)

    set_override(D(2026, 10, 5), True, "值班上班")
    recompute_clocks(world.admin)
    db.session.commit()

    assert case.evaluation_due == services.evaluation_window(case).due == D(2026, 10, 8)
    assert services.evaluation_refusal(case, D(2026, 10, 8)) is None


def test_a_calendar_recompute_lengthens_the_evaluation_window_and_audits_the_move(world):
    case = make_case(world, S.REPLIED, on=D(2026, 9, 5))

    set_override(D(2026, 10, 8), False, "临时放假")
    moves = recompute_clocks(world.admin)
    db.session.commit()

    assert case.evaluation_due == services.evaluation_window(case).due == D(2026, 10, 9)
    assert any(m.field == "evaluation_due" and m.case.id == case.id for m in moves)


def test_the_next_step_of_a_replied_suggestion_or_accusation_names_no_review(world):
    from portal.cases.models import CaseType, Status
    from tests.factories import make_case

    for case_type, says_review in ((CaseType.CLAIM, True), (CaseType.SUGGESTION, False), (CaseType.ACCUSATION, False)):
        case = make_case(world, Status.REPLIED, case_type=case_type)
        assert ("申请复查" in case.waiting_for) is says_review and "评价" in case.waiting_for


def test_a_petition_that_skips_a_level_is_registered_recorded_and_counted(world):
    # 越级: not refused (the petition office registers every channel), but recorded and counted.
    from portal.cases import services
    from portal.cases.models import CaseType, Channel
    from portal.localtime import today
    from portal.stats.indicators import Period, build_report

    case, _ = services.register_case(
        world.clerk,
        channel=Channel.VISIT,
        case_type=CaseType.CLAIM,
        title="宅基地纠纷",
        content="与邻居宅基地界址纠纷，未向镇里反映，直接到县里。",
        petitioner_name="张越级",
        phone="13907310111",
        skipped_level=True,
        proper_level="城关镇信访办",
    )
    services.register_case(
        world.clerk,
        channel=Channel.LETTER,
        case_type=CaseType.CLAIM,
        title="工资拖欠",
        content="拖欠工资。",
        petitioner_name="李按级",
        phone="13907310112",
    )

    assert case.skipped_level and case.proper_level == "城关镇信访办"
    report = build_report(Period.last_12_months(today()), today())
    assert report.overall.skipped_level == 1 and report.overall.received == 2
