"""The 督办 chain on one case (督办单 → answer → 催办 → 约谈 → 问责建议 → decision), each step dated, numbered where
it is a notice, on the internal timeline and in the audit log; every refusal of the chain; and a 不满意 case ordered
handled again (第2轮办理)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Case, Rating, Status
from portal.cases.supervision import HandlingRound, Stage, SupervisionReason, SupervisionState
from portal.deadlines.services import deadline
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import as_of
from portal.localtime import today as local_today
from tests.factories import make_case

MONDAY = dt.date(2026, 11, 2)  # a plain week: no holiday near it


def audited(case: Case, action: str) -> int:
    return len(db.session.execute(db.select(AuditLog).filter_by(action=action, object_id=case.id)).all())


def test_the_whole_chain_on_one_case_is_dated_numbered_on_the_timeline_and_audited(world):
    case = make_case(world, Status.IN_PROGRESS, on=MONDAY - dt.timedelta(days=70), owner_leader=world.leader)

    with as_of(MONDAY):
        supervision = services.supervise(
            case, world.supervisor, reason=SupervisionReason.OVERDUE, note="已超期，请五个工作日内办结。"
        )
    notice = next(d for d in case.documents if d.kind == "supervision_notice")
    assert supervision.number == notice.number and notice.number.endswith("〔2026〕1号")
    assert supervision.reply_due == dt.date(2026, 11, 9)  # 5 working days from Monday: the next Monday
    assert supervision.reply_due == deadline("supervision_reply", MONDAY).due
    assert supervision.department_id == world.housing.id and case.supervised

    with as_of(dt.date(2026, 11, 11)):  # two days late
        answer = services.answer_supervision(case, world.dept_head, text="已约谈物业公司，电梯维修方案已确定。")
        assert answer.late and answer.days_late == 2 and supervision.state is SupervisionState.ANSWERED
        urging = services.urge_supervision(case, world.supervisor, text="未说明办结时限，请报送办结情况。", days=3)
    assert urging.number.endswith("〔2026〕1号") and urging.number != supervision.number
    assert supervision.stage is Stage.URGED
    assert supervision.reply_due == dt.date(2026, 11, 16) and supervision.state is SupervisionState.AWAITING

    with as_of(dt.date(2026, 11, 18)):  # the 催办 is not answered: the supervisor talks to the head
        assert supervision.late(dt.date(2026, 11, 18))
        interview = services.record_interview(
            case,
            world.supervisor,
            held_on=dt.date(2026, 11, 17),
            place="县信访局三楼会议室",
            interviewee="周局长",
            interviewee_post="县住房和城乡建设局局长",
            interviewers="县委督查室 赵督查",
            agreed="11月底前完成电梯更换并书面答复信访人。",
        )
    assert supervision.stage is Stage.INTERVIEWED and interview.reply_due == dt.date(2026, 11, 25)

    with as_of(dt.date(2026, 11, 30)):
        services.propose_accountability(
            case,
            world.supervisor,
            leader_id=world.leader.id,
            subject="县住房和城乡建设局分管负责人",
            measure="诫勉谈话",
            facts="督办、催办、约谈后仍未按期办结。",
        )
    assert supervision.state is SupervisionState.PROPOSED and supervision.is_open

    with as_of(dt.date(2026, 12, 1)):
        services.decide_accountability(case, world.leader, decision="同意，由县纪委监委诫勉谈话。")
    db.session.commit()

    assert supervision.state is SupervisionState.DECIDED and supervision.closed_on == dt.date(2026, 12, 1)
    assert not supervision.is_open and case.open_supervision is None
    assert [step for _, step, _ in supervision.steps()] == [
        f"督办单 {supervision.number}",
        "答复（逾期）",
        f"催办通知 {urging.number}",
        "约谈",
        "问责建议",
        "问责决定",
    ]
    chain = ["supervise", "answer_supervision", "urge_supervision", "interview", "propose_accountability"]
    chain.append("decide_accountability")
    events = [e for e in case.events if e.action in chain]
    assert [e.action for e in events] == chain
    assert not any(e.public for e in events)  # the chain is internal
    assert [e.at.date() for e in events] == sorted(e.at.date() for e in events)
    assert all(audited(case, f"case.{name}") == 1 for name in chain)


def test_an_accepted_answer_ends_the_supervision_and_a_new_one_may_follow(world):
    case = make_case(world, Status.IN_PROGRESS)
    first = services.supervise(case, world.supervisor, note="请按期办结。")
    services.answer_supervision(case, world.dept_head, text="已办结，待署名。")
    services.accept_supervision(case, world.supervisor, note="答复具体，同意办结。")

    assert first.state is SupervisionState.ACCEPTED and not first.answered_late
    second = services.supervise(case, world.supervisor, note="请跟进署名。")
    assert second.number != first.number and case.open_supervision is second


def test_the_reason_defaults_to_what_the_case_shows(world):
    overdue = make_case(world, Status.IN_PROGRESS, on=local_today() - dt.timedelta(days=80))

    assert services.supervise(overdue, world.supervisor, note="请加快。").reason is SupervisionReason.OVERDUE


def _supervised(world, **kw):
    case = make_case(world, Status.IN_PROGRESS, **kw)
    services.supervise(case, world.supervisor, note="请按期办结。")
    return case


REFUSALS = [
    # (who, action, arguments, setup, expected error, message)
    ("clerk", "supervise", {"note": "x"}, "open", NotAllowed, "只有督查人员"),
    ("supervisor", "supervise", {"note": "x"}, "supervised", DomainError, "已有在办的督办单"),
    ("supervisor", "supervise", {"note": "x"}, "accepted", DomainError, "尚未交办"),
    ("supervisor", "supervise", {"note": "x"}, "closed", DomainError, "已办结"),
    ("other_dept_head", "answer_supervision", {"text": "x"}, "supervised", NotAllowed, "无权查看"),
    ("handler", "answer_supervision", {"text": "x"}, "supervised", NotAllowed, "负责人"),
    ("dept_head", "answer_supervision", {"text": "x"}, "answered", DomainError, "无需答复"),
    ("dept_head", "answer_supervision", {"text": "x"}, "open", DomainError, "没有在办的督办单"),
    ("dept_head", "accept_supervision", {}, "answered", NotAllowed, "只有督查人员"),
    ("supervisor", "accept_supervision", {}, "supervised", DomainError, "没有待审核的答复"),
    ("supervisor", "urge_supervision", {"text": "x"}, "supervised", DomainError, "尚未届满"),
    ("supervisor", "interview", {}, "answered", DomainError, "不能约谈"),
    ("supervisor", "propose_accountability", {}, "answered", DomainError, "不能问责"),
    ("leader", "decide_accountability", {"decision": "x"}, "supervised", NotAllowed, "收到问责建议的领导"),
    ("supervisor", "decide_accountability", {"decision": "x"}, "proposed", NotAllowed, "收到问责建议的领导"),
]

SERVICE = {
    "supervise": services.supervise,
    "answer_supervision": services.answer_supervision,
    "accept_supervision": services.accept_supervision,
    "urge_supervision": services.urge_supervision,
    "interview": services.record_interview,
    "propose_accountability": services.propose_accountability,
    "decide_accountability": services.decide_accountability,
}


def _setup(world, name: str) -> Case:
    if name == "open":
        return make_case(world, Status.IN_PROGRESS)
    if name == "accepted":
        return make_case(world, Status.ACCEPTED)
    if name == "closed":
        return make_case(world, Status.CLOSED)
    case = _supervised(world)
    if name in ("answered", "proposed"):
        services.answer_supervision(case, world.dept_head, text="已办理。")
    if name == "proposed":
        services.urge_supervision(case, world.supervisor, text="请办结。")
        services.answer_supervision(case, world.dept_head, text="仍在办理。")
        services.record_interview(
            case, world.supervisor, held_on=local_today(), interviewee="周局长", interviewers="赵督查", agreed="限期"
        )
        services.answer_supervision(case, world.dept_head, text="仍在办理。")
        services.propose_accountability(
            case, world.supervisor, leader_id=world.leader.id, subject="该局", measure="通报批评", facts="不力"
        )
    return case


@pytest.mark.parametrize(("who", "action", "kwargs", "setup", "error", "message"), REFUSALS)
def test_every_refusal_of_the_chain_changes_nothing(world, who, action, kwargs, setup, error, message):
    case = _setup(world, setup)
    db.session.commit()
    version, events = case.version, len(case.events)
    full = {
        "interview": {"held_on": local_today(), "interviewee": "周局长", "interviewers": "赵督查", "agreed": "限期"},
        "propose_accountability": {
            "leader_id": world.leader.id,
            "subject": "该局",
            "measure": "通报批评",
            "facts": "不力",
        },
    }.get(action, kwargs)

    with pytest.raises(error, match=message):
        SERVICE[action](case, getattr(world, who), **full)
    db.session.rollback()

    case = db.session.get(Case, case.id)
    assert (case.version, len(case.events)) == (version, events)


def test_the_escalation_checks_what_the_steps_cannot_leave_to_the_lifecycle(world):
    case = _supervised(world)
    services.answer_supervision(case, world.dept_head, text="已办理。")
    services.urge_supervision(case, world.supervisor, text="请办结。")
    services.answer_supervision(case, world.dept_head, text="仍在办理。")

    with pytest.raises(DomainError, match="不能晚于今天"):
        services.record_interview(
            case,
            world.supervisor,
            held_on=local_today() + dt.timedelta(days=1),
            interviewee="周局长",
            interviewers="赵督查",
            agreed="限期",
        )
    with pytest.raises(DomainError, match="答复期限应为1至30个工作日"):
        services.record_interview(
            case,
            world.supervisor,
            held_on=local_today(),
            interviewee="周局长",
            interviewers="赵督查",
            agreed="限期",
            days=31,
        )
    services.record_interview(
        case, world.supervisor, held_on=local_today(), interviewee="周局长", interviewers="赵督查", agreed="限期"
    )
    services.answer_supervision(case, world.dept_head, text="仍在办理。")
    wrong = [(world.clerk.id, "通报批评", "在岗的领导"), (world.leader.id, "罚款", "问责方式")]
    for leader_id, measure, match in wrong:
        with pytest.raises(DomainError, match=match):
            services.propose_accountability(
                case, world.supervisor, leader_id=leader_id, subject="该局", measure=measure, facts="不力"
            )


# --- 第2轮办理 -------------------------------------------------------------------------------------------------
def _rated_unsatisfied(world) -> Case:
    case = make_case(world, Status.REPLIED)
    services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.UNSATISFIED, comment="没解决")
    return case


def test_a_supervisor_orders_an_unsatisfied_case_handled_again_with_a_deadline_and_the_case_shows_the_round(world):
    case = _rated_unsatisfied(world)

    order = services.order_rehandling(case, world.supervisor, reason="补偿标准未核实，请重新调查。", days=20)
    db.session.commit()

    assert case.status is Status.IN_PROGRESS and case.handling_round == 2 and order.round == 2
    assert case.clock_rule == "rehandle"
    assert case.due_date == order.due == deadline("rehandle", order.ordered_on, length=20).due
    assert case.evaluation is None  # the petitioner rates the new reply …
    kept = db.session.execute(db.select(HandlingRound).filter_by(case_id=case.id)).scalar_one()
    assert (kept.handling_rating, kept.rating_comment) == ("unsatisfied", "没解决")  # … and the old rating is kept
    assert case.events[-1].action == "order_rehandling" and case.events[-1].public
    assert "第2轮办理" in case.events[-1].text
    assert audited(case, "case.order_rehandling") == 1

    # The second round runs the ordinary path to a new reply, which the petitioner may rate.
    services.draft_reply(case, world.handler, outcome=services.transitions.Outcome.SUPPORT, text="重新调查后予以补偿。")
    services.sign_reply(case, world.dept_head)
    services.publish_reply(case, world.clerk)
    services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.SATISFIED)
    assert case.status is Status.REPLIED and not case.evaluation.unsatisfied


@pytest.mark.parametrize(
    ("who", "setup", "error", "message"),
    [
        ("clerk", "unsatisfied", NotAllowed, "权限"),
        ("supervisor", "satisfied", DomainError, "评价不满意"),
        ("supervisor", "in_progress", DomainError, "不能责令重新办理"),
    ],
)
def test_ordering_a_case_handled_again_is_refused(world, who, setup, error, message):
    if setup == "unsatisfied":
        case = _rated_unsatisfied(world)
    elif setup == "satisfied":
        case = make_case(world, Status.REPLIED)
        services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.BASICALLY)
    else:
        case = make_case(world, Status.IN_PROGRESS)

    with pytest.raises(error, match=message):
        services.order_rehandling(case, getattr(world, who), reason="重新办理", days=10)
    assert case.handling_round == 1
