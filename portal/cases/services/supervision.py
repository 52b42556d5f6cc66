"""督办 and its escalation (portal.cases.supervision), and the order to handle a 不满意 case again. Each step locks
the case, asks the lifecycle (the rules are ``Supervision.refusal``), writes its record, an internal timeline event
and the audit row; reply deadlines come from the ``supervision_reply`` rule of the clock table."""

from __future__ import annotations

import datetime as dt

from portal.accounts.models import Role, User
from portal.cases.models import Case
from portal.cases.services import steps
from portal.cases.supervision import (
    ACCOUNTABILITY_MEASURES,
    AccountabilityProposal,
    HandlingRound,
    Interview,
    Stage,
    Supervision,
    SupervisionAnswer,
    SupervisionReason,
    SupervisionState,
    Urging,
)
from portal.deadlines.services import deadline
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import today as local_today
from portal.validation import required

MAX_REPLY_WORKING_DAYS = 30
MAX_REHANDLE_DAYS = 90


def _reply_due(start: dt.date, days: int | None) -> dt.date:
    if days is not None and not 1 <= days <= MAX_REPLY_WORKING_DAYS:
        raise DomainError(f"答复期限应为1至{MAX_REPLY_WORKING_DAYS}个工作日。")
    return deadline("supervision_reply", start, length=days).due


def suggested_reason(case: Case, today: dt.date) -> SupervisionReason:
    """The reason a supervisor most likely has: what the case's own facts say, most pressing first."""
    if case.due_date is not None and not case.clock_is_window and case.is_open and case.due_date < today:
        return SupervisionReason.OVERDUE
    if case.evaluation is not None and case.evaluation.unsatisfied:
        return SupervisionReason.UNSATISFIED
    if case.skipped_level:
        return SupervisionReason.SKIPPED_LEVEL
    if case.is_repeat:
        return SupervisionReason.REPEAT
    if case.due_date is not None and not case.clock_is_window and case.is_open:
        return SupervisionReason.DUE_SOON
    return SupervisionReason.LEADER


def supervise(
    case: Case,
    actor: User,
    *,
    note: str,
    reason: SupervisionReason | None = None,
    days: int | None = None,
    expected_version: int | None = None,
) -> Supervision:
    """督办单: a supervisor sends the case's department a numbered notice with a reply deadline in working days."""
    steps.begin(case, actor, "supervise", expected_version)
    today = local_today()
    requirement = required(note, "督办意见", 1000)
    reason = reason or suggested_reason(case, today)
    supervision = Supervision(
        case=case,
        number="",  # until the event's 督办单 gives it (portal.supervision.notices), in this transaction only
        reason=reason,
        requirement=requirement,
        department_id=case.department_id,
        issued_by_id=actor.id,
        issued_on=today,
        reply_due=_reply_due(today, days),
    )
    db.session.add(supervision)
    case.supervised = True
    # The event issues the numbered 督办单 (portal.supervision.notices), which gives the record its number.
    written = steps.log(
        case,
        actor,
        "supervise",
        title="督办",
        public=False,
        reason=reason.value,
        reply_due=supervision.reply_due.isoformat(),
    )
    written.text = (
        f"下发督办单{supervision.number or ''}（{reason.label}）至{case.department.name}：{requirement}"
        f"请于{supervision.reply_due:%Y年%m月%d日}前报送办理情况。"
    )
    return supervision


def answer_supervision(case: Case, actor: User, *, text: str, expected_version: int | None = None) -> SupervisionAnswer:
    """The department head reports what was done; late when after the running reply deadline."""
    steps.begin(case, actor, "answer_supervision", expected_version)
    supervision = case.open_supervision
    answer = SupervisionAnswer(
        supervision=supervision,
        stage=supervision.stage,
        text=required(text, "办理情况", 2000),
        answered_by_id=actor.id,
        answered_on=local_today(),
        due=supervision.reply_due,
    )
    db.session.add(answer)
    supervision.state = SupervisionState.ANSWERED
    late = f"（逾期{answer.days_late}日）" if answer.late else ""
    steps.log(
        case,
        actor,
        "answer_supervision",
        title="督办答复",
        public=False,
        text=f"{supervision.department.name}答复督办单{supervision.number}{late}：{answer.text}",
        number=supervision.number,
        late=answer.late,
    )
    return answer


def accept_supervision(case: Case, actor: User, *, note: str = "", expected_version: int | None = None) -> Supervision:
    """The supervisor accepts the answer: the supervision ends (办结)."""
    steps.begin(case, actor, "accept_supervision", expected_version)
    supervision = case.open_supervision
    supervision.state, supervision.closed_on = SupervisionState.ACCEPTED, local_today()
    supervision.closing_note = (note or "").strip()[:1000]
    steps.log(
        case,
        actor,
        "accept_supervision",
        title="督办办结",
        public=False,
        text=f"督办单{supervision.number}答复审核通过，督办办结。" + supervision.closing_note,
        number=supervision.number,
    )
    return supervision


def urge_supervision(
    case: Case, actor: User, *, text: str, days: int | None = None, expected_version: int | None = None
) -> Urging:
    """催办: a second, numbered notice with a new reply deadline, after an answer that is not enough or none."""
    steps.begin(case, actor, "urge_supervision", expected_version)
    supervision = case.open_supervision
    today = local_today()
    urging = Urging(
        supervision=supervision,
        number="",  # until the event's 催办通知 gives it
        text=required(text, "催办要求", 1000),
        issued_by_id=actor.id,
        issued_on=today,
        reply_due=_reply_due(today, days),
    )
    db.session.add(urging)
    supervision.stage, supervision.state = Stage.URGED, SupervisionState.AWAITING
    supervision.reply_due = urging.reply_due
    # The event issues the numbered 催办通知 (portal.supervision.notices).
    written = steps.log(
        case,
        actor,
        "urge_supervision",
        title="催办",
        public=False,
        supervision=supervision.number,
        reply_due=urging.reply_due.isoformat(),
    )
    written.text = (
        f"就督办单{supervision.number}下发催办通知{urging.number or ''}：{urging.text}"
        f"请于{urging.reply_due:%Y年%m月%d日}前报送办理情况。"
    )
    return urging


def record_interview(
    case: Case,
    actor: User,
    *,
    held_on: dt.date,
    interviewee: str,
    interviewee_post: str = "",
    interviewers: str,
    agreed: str,
    place: str = "",
    days: int | None = None,
    expected_version: int | None = None,
) -> Interview:
    """约谈: the talk with the department's head after a 催办 that did not work; a new reply deadline follows."""
    steps.begin(case, actor, "interview", expected_version)
    supervision = case.open_supervision
    today = local_today()
    if held_on > today:
        raise DomainError("约谈日期不能晚于今天：约谈后再记录。")
    if held_on < supervision.urgings[-1].issued_on:
        raise DomainError(f"约谈日期不能早于催办日期（{supervision.urgings[-1].issued_on:%Y年%m月%d日}）。")
    interview = Interview(
        supervision=supervision,
        held_on=held_on,
        place=(place or "").strip()[:100],
        interviewee=required(interviewee, "被约谈人", 50),
        interviewee_post=(interviewee_post or "").strip()[:100],
        interviewers=required(interviewers, "约谈人", 200),
        agreed=required(agreed, "约谈要求和整改承诺", 2000),
        reply_due=_reply_due(today, days),
        recorded_by_id=actor.id,
    )
    db.session.add(interview)
    supervision.stage, supervision.state = Stage.INTERVIEWED, SupervisionState.AWAITING
    supervision.reply_due = interview.reply_due
    steps.log(
        case,
        actor,
        "interview",
        title="约谈",
        public=False,
        text=f"{held_on:%Y年%m月%d日}，就督办单{supervision.number}{interview.summary}"
        f"；请于{interview.reply_due:%Y年%m月%d日}前报送办理情况。",
        number=supervision.number,
        held_on=held_on.isoformat(),
    )
    return interview


def propose_accountability(
    case: Case,
    actor: User,
    *,
    leader_id: int,
    subject: str,
    facts: str,
    measure: str,
    expected_version: int | None = None,
) -> AccountabilityProposal:
    """问责建议 to a leader, after a 约谈 that did not bring the answer."""
    steps.begin(case, actor, "propose_accountability", expected_version)
    supervision = case.open_supervision
    leader = db.session.get(User, leader_id) if leader_id else None
    if leader is None or not leader.active or not leader.has_role(Role.LEADER):
        raise DomainError("请选择在岗的领导接收问责建议。")
    if case.accuses(leader):
        raise DomainError("被检举控告人或其所在单位的领导不能接收该件的问责建议。")
    if not case.can_view(leader):
        raise DomainError(f"{leader.name}无权查看该信访件（检举控告件仅包案领导可查看），请选择其包案领导。")
    if measure not in ACCOUNTABILITY_MEASURES:
        raise DomainError("请选择建议的问责方式。")
    proposal = AccountabilityProposal(
        supervision=supervision,
        leader_id=leader.id,
        subject=required(subject, "问责对象", 100),
        facts=required(facts, "失职失责的事实", 2000),
        measure=measure,
        proposed_by_id=actor.id,
        proposed_on=local_today(),
    )
    db.session.add(proposal)
    supervision.stage, supervision.state = Stage.ACCOUNTABILITY, SupervisionState.PROPOSED
    steps.log(
        case,
        actor,
        "propose_accountability",
        title="问责建议",
        public=False,
        text=f"就督办单{supervision.number}向{leader.name}提出问责建议：建议对{proposal.subject}{measure}。"
        f"{proposal.facts}",
        number=supervision.number,
        leader=leader.username,
        measure=measure,
    )
    return proposal


def decide_accountability(
    case: Case, actor: User, *, decision: str, expected_version: int | None = None
) -> AccountabilityProposal:
    """The leader who received the proposal records the decision; the supervision ends."""
    steps.begin(case, actor, "decide_accountability", expected_version)
    supervision = case.open_supervision
    proposal = supervision.proposal
    proposal.decision = required(decision, "问责决定", 2000)
    proposal.decided_on = local_today()
    supervision.state, supervision.closed_on = SupervisionState.DECIDED, proposal.decided_on
    steps.log(
        case,
        actor,
        "decide_accountability",
        title="问责决定",
        public=False,
        text=f"{actor.name}对督办单{supervision.number}的问责建议作出决定：{proposal.decision}",
        number=supervision.number,
    )
    return proposal


def order_rehandling(
    case: Case, actor: User, *, reason: str, days: int | None = None, expected_version: int | None = None
) -> HandlingRound:
    """A 不满意 case handled again by its department (第N轮办理) within the supervisor's deadline. The rating that led
    here is kept on the round; the petitioner rates the new reply afresh."""
    steps.begin(case, actor, "order_rehandling", expected_version)
    if days is not None and not 1 <= days <= MAX_REHANDLE_DAYS:
        raise DomainError(f"重新办理期限应为1至{MAX_REHANDLE_DAYS}日。")
    reason = required(reason, "重新办理的理由和要求", 1000)
    today = local_today()
    clock = steps.set_clock(case, "rehandle", today, length=days)
    evaluation = case.evaluation
    order = HandlingRound(
        round=case.handling_round + 1,
        reason=reason,
        due=clock.due,
        ordered_by_id=actor.id,
        ordered_on=today,
        acceptance_rating=evaluation.acceptance.value,
        handling_rating=evaluation.handling.value,
        rating_comment=evaluation.comment,
        rated_at=evaluation.created_at,
    )
    case.rounds.append(order)
    case.handling_round = order.round
    case.evaluation = None  # kept on the round above; the delete-orphan cascade removes the row
    steps.finish(
        case,
        actor,
        "order_rehandling",
        title="重新办理",
        public=True,
        text=f"您对办理结果评价不满意，经督查，责令{case.department.name}重新办理（第{order.round}轮办理），"
        f"将于{clock.due:%Y年%m月%d日}前出具处理意见。",
        data={"round": order.round, "due": clock.due.isoformat()},
    )
    return order


__all__ = [
    "accept_supervision",
    "answer_supervision",
    "decide_accountability",
    "order_rehandling",
    "propose_accountability",
    "record_interview",
    "supervise",
    "urge_supervision",
]
