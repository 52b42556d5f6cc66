"""The case lifecycle of DESIGN §3, written down once: the states and what they mean, and every action a person can
take on a case — the transitions between states and the actions that record something without moving the case.

A row says what the pages need (label, form, whether it is the step that moves the case on, which 我的待办 queue
lists it) and who may take it. ``Case.refusal`` applies a row to a case and a user; views, templates and services
all ask it, so a button that shows is a button that works. A new transition costs a row here, its service
function, its form and its tests."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, false, or_

from portal.accounts.models import Role
from portal.deadlines.clock import RULES
from portal.localtime import today


class Status(enum.StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    FORWARDED = "forwarded"
    MERGED = "merged"  # 并案: a repeat of a matter still being handled, merged into that case
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_SIGNATURE = "awaiting_signature"
    AWAITING_VERIFICATION = "awaiting_verification"
    REPLIED = "replied"
    UNDER_REVIEW = "under_review"
    UNDER_REREVIEW = "under_rereview"
    FINAL = "final"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def waiting_for(self) -> str:
        """Who must act next, in words for the case page."""
        return WAITING_FOR.get(self, "")

    @property
    def stage(self) -> str:
        """The public stepper's stage: 登记 → 受理 → 交办 → 办理 → 答复 → 复查 / 复核."""
        return STAGES[self]

    @property
    def stage_index(self) -> int | None:
        """How far along the main path before the reply (0 登记 … 3 办理); None from the reply on or when stopped."""
        return STEPS_BEFORE_REPLY.index(self.stage) if self in BEFORE_REPLY else None


S = Status

STATUS_LABELS = {
    S.REGISTERED: "已登记",
    S.ACCEPTED: "已受理",
    S.NOT_ACCEPTED: "不予受理",
    S.FORWARDED: "已转送",
    S.MERGED: "已并案",
    S.ASSIGNED: "已交办",
    S.IN_PROGRESS: "办理中",
    S.AWAITING_SIGNATURE: "待署名",
    S.AWAITING_VERIFICATION: "待审核",
    S.REPLIED: "已答复",
    S.UNDER_REVIEW: "复查中",
    S.UNDER_REREVIEW: "复核中",
    S.FINAL: "复核终结",
    S.CLOSED: "已销号",
}
WAITING_FOR = {
    S.REGISTERED: "待信访部门作出受理决定",
    S.ACCEPTED: "待信访部门交办",
    S.ASSIGNED: "待责任单位承办人开始办理",
    S.IN_PROGRESS: "待承办人起草处理意见书",
    S.AWAITING_SIGNATURE: "待责任单位负责人署名",
    S.AWAITING_VERIFICATION: "待信访部门审核送达",
    S.REPLIED: "待信访人评价或申请复查；信访部门回访后销号",
    S.UNDER_REVIEW: "待复查机关出具复查意见",
    S.UNDER_REREVIEW: "待复核机关出具复核意见",
    S.FINAL: "复核终结；信访部门可销号",
}
STAGES = {
    S.REGISTERED: "登记",
    S.ACCEPTED: "受理",
    S.NOT_ACCEPTED: "受理",
    S.FORWARDED: "受理",
    S.MERGED: "受理",
    S.ASSIGNED: "交办",
    S.IN_PROGRESS: "办理",
    S.AWAITING_SIGNATURE: "办理",
    S.AWAITING_VERIFICATION: "办理",
    S.REPLIED: "答复",
    S.UNDER_REVIEW: "复查",
    S.UNDER_REREVIEW: "复核",
    S.FINAL: "复核",
    S.CLOSED: "答复",
}
STEPS_BEFORE_REPLY = ("登记", "受理", "交办", "办理")

# --- the vocabulary every page and query uses ------------------------------------------------------------------
# Ended without a reply of its own: not accepted, forwarded to an authority outside this system, or merged into the
# open case on the same matter (并案).
STOPPED = frozenset({S.NOT_ACCEPTED, S.FORWARDED, S.MERGED})
# 在办: somebody still owes the case something (a reply, an opinion, a mark-off).
OPEN = frozenset(set(S) - STOPPED - {S.FINAL, S.CLOSED})
# No further action of the office: stopped, or marked off. (A closed case can still be reopened by a review request
# inside its window, so "terminal" is about the office's work, not the petitioner's rights.)
TERMINAL = STOPPED | {S.CLOSED}
# Before the reply: the stepper shows how far along the main path the case is.
BEFORE_REPLY = frozenset({S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_SIGNATURE,
                          S.AWAITING_VERIFICATION})  # fmt: skip
# From the reply on: the petitioner has an answer, and the windows to rate it and to ask for review open.
FROM_REPLY = frozenset(set(S) - BEFORE_REPLY - STOPPED)
# The checklist can be ticked until the case is marked off (a final case still has to be ticked to be marked off).
CHECKLIST_EDITABLE = frozenset(set(S) - TERMINAL)
# A reply exists that the petitioner may rate (DESIGN §5, the evaluation window counts from delivery).
RATEABLE = frozenset({S.REPLIED, S.CLOSED, S.FINAL})
# The handling clocks (条例 art.34): the ones an extension can lengthen, once.
HANDLING_CLOCKS = frozenset({"handle", "simple_handle"})
EXTENDABLE = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_SIGNATURE})
UNDER_ANY_REVIEW = frozenset({S.UNDER_REVIEW, S.UNDER_REREVIEW})
# Still being handled: a petition on the same matter now is merged into it (并案), not accepted a second time.
BEING_HANDLED = BEFORE_REPLY | UNDER_ANY_REVIEW
# A 简易办理 case that turns out otherwise is switched to the ordinary procedure while it is handled.
ORDINARY_SWITCHABLE = frozenset({S.ACCEPTED}) | EXTENDABLE
# 协办: while the lead department investigates, before it drafts, the assisting departments send their opinions.
ASSISTABLE = frozenset({S.ASSIGNED, S.IN_PROGRESS})

PUBLIC = "public"  # the petitioner, acting through the lookup page with the query code


@dataclass(frozen=True)
class Queue:
    """Where 我的待办 lists the cases on which a person may take this action now. The queue's SQL is the action's
    own rule — its states, and its roles scoped to the department for department-scoped roles — narrowed by
    ``where``; ``scope`` replaces the role scope where the action's people sit elsewhere (the review organ, the
    owner leader). Both are ``(Case, user) -> clause``. ``states``: the states a queue of an action that is not a
    transition lists (a transition's are its sources); the queue reads each state's cases from an index in order."""

    key: str
    title: str
    hint: str
    where: Callable | None = None
    scope: Callable | None = None
    roles: frozenset | None = None  # who sees the queue, when fewer than the action's roles
    states: frozenset | None = None


@dataclass(frozen=True)
class Action:
    """Something a person does on a case. A transition has ``sources`` and a ``target``; the other actions record
    something on the case without moving it, and their rule is the ``check`` alone."""

    name: str
    label: str  # the button a person clicks
    form: str  # the form class in portal.cases.forms
    sources: frozenset[Status] = frozenset()
    target: Status | None = None
    roles: frozenset = frozenset()  # Role members, or PUBLIC
    review_level: int | None = None  # for review requests: the level the case must be at
    # The name of a Case method that adds what the state and role do not say: ``(user) -> Refusal | None``.
    check: str | None = None
    check_first: bool = False  # the check speaks to the petitioner better than the generic state message
    primary: bool = False  # the step that moves the case on: drawn first and in red
    on_actions_card: bool = True  # False: the action has its own place on the page (notes, instructions, …)
    queue: Queue | None = None
    service: str = ""  # the function of portal.cases.services that takes it; the action's name when empty

    @property
    def service_name(self) -> str:
        return self.service or self.name

    @property
    def is_transition(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class Refusal:
    """Why an action is not possible now. ``forbidden``: the person may not take it at all (403), otherwise the
    case is not in a state for it (422). ``by_check``: the state and the role allow it, the action's check not."""

    message: str
    forbidden: bool = False
    by_check: bool = False


def _t(name, label, form, sources, target, roles, **kw) -> Action:
    return Action(name, label, form, frozenset(sources), target, frozenset(roles), **kw)


def _a(name, label, form, roles, check, **kw) -> Action:
    return Action(name, label, form, roles=frozenset(roles), check=check, **kw)


def _mine(C, user):
    """A handler's cases: those assigned to them, and the department's cases nobody was picked for yet."""
    return or_(C.handler_id == user.id, C.handler_id.is_(None))


def _decides_extension(C, user):
    """The SQL form of ``Case.can_decide_extension``: the head of the handling organ (条例 art.34)."""
    return C.department_id == user.department_id if user.has_role(Role.DEPT_HEAD) else false()


ACCEPT_DAYS = RULES["accept"].length

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _t(
            "accept",
            "受理",
            "AcceptForm",
            {S.REGISTERED},
            S.ACCEPTED,
            {Role.CLERK},
            check="_refuse_accept",
            primary=True,
            queue=Queue("decide", "待作出受理决定", f"收到之日起{ACCEPT_DAYS}日内告知是否受理"),
        ),
        _t(
            "merge",
            "并案办理",
            "MergeForm",
            {S.REGISTERED},
            S.MERGED,
            {Role.CLERK},
            check="_refuse_merge",
            primary=True,
        ),
        _t("not_accept", "不予受理", "NotAcceptForm", {S.REGISTERED}, S.NOT_ACCEPTED, {Role.CLERK}),
        _t("forward", "转送其他机关", "ForwardForm", {S.REGISTERED}, S.FORWARDED, {Role.CLERK}),
        _t(
            "assign",
            "交办",
            "AssignForm",
            {S.ACCEPTED},
            S.ASSIGNED,
            {Role.CLERK},
            primary=True,
            queue=Queue("assign", "待交办", "已受理，尚未交责任单位"),
        ),
        _a(
            "assign_handler",
            "指定承办人",
            "HandlerForm",
            {Role.DEPT_HEAD},
            "_refuse_assign_handler",
            queue=Queue(
                "pick_handler",
                "待指定承办人",
                "已交办本单位，尚未指定承办人",
                lambda C, u: C.handler_id.is_(None),
                states=frozenset({S.ASSIGNED}),
            ),
        ),
        _t(
            "start",
            "开始办理",
            "EmptyForm",
            {S.ASSIGNED},
            S.IN_PROGRESS,
            {Role.HANDLER, Role.DEPT_HEAD},
            check="_refuse_start",
            primary=True,
            queue=Queue("start", "待开始办理", "已交办本单位", _mine, roles=frozenset({Role.HANDLER})),
        ),
        # 条例 art.23: the department a case was assigned to objects within 5 working days that it is not theirs;
        # the case goes back to the petition office, which checks and assigns it again.
        _t(
            "object_assignment",
            "提出交办异议",
            "ObjectionForm",
            {S.ASSIGNED, S.IN_PROGRESS},
            S.ACCEPTED,
            {Role.DEPT_HEAD},
            check="_refuse_object_assignment",
            service="object_to_assignment",
        ),
        _t(
            "draft",
            "提交处理意见书",
            "DraftForm",
            {S.IN_PROGRESS},
            S.AWAITING_SIGNATURE,
            {Role.HANDLER},
            primary=True,
            queue=Queue("draft", "办理中", "调查核实、勾销清单、起草处理意见书", _mine),
            service="draft_reply",
        ),
        _t(
            "sign",
            "署名签发",
            "EmptyForm",
            {S.AWAITING_SIGNATURE},
            S.AWAITING_VERIFICATION,
            {Role.DEPT_HEAD},
            primary=True,
            queue=Queue("sign", "待署名", "承办人已起草处理意见书"),
            service="sign_reply",
        ),
        _t("return_draft", "退回修改", "CommentForm", {S.AWAITING_SIGNATURE}, S.IN_PROGRESS, {Role.DEPT_HEAD}),
        _t("send_back", "退回重办", "CommentForm", {S.AWAITING_VERIFICATION}, S.IN_PROGRESS, {Role.CLERK}),
        _t(
            "publish",
            "审核通过并送达",
            "PublishForm",
            {S.AWAITING_VERIFICATION},
            S.REPLIED,
            {Role.CLERK},
            primary=True,
            queue=Queue("verify", "待审核送达", "责任单位已署名，审核后送达信访人"),
            service="publish_reply",
        ),
        _t(
            "rehandle",
            "责令重新办理",
            "RehandleForm",
            {S.AWAITING_SIGNATURE, S.AWAITING_VERIFICATION},
            S.IN_PROGRESS,
            {Role.LEADER},
        ),
        _a(
            "to_ordinary",
            "转为普通程序",
            "ProcedureSwitchForm",
            {Role.CLERK, Role.HANDLER, Role.DEPT_HEAD},
            "_refuse_to_ordinary",
            service="switch_to_ordinary",
        ),
        _a(
            "request_extension",
            "申请延期",
            "ExtensionForm",
            {Role.HANDLER, Role.DEPT_HEAD},
            "_refuse_request_extension",
        ),
        _a(
            "approve_extension",
            "批准延期",
            "ExtensionDecisionForm",
            {Role.DEPT_HEAD},
            "_refuse_approve_extension",
            queue=Queue(
                "extension",
                "待审批延期",
                "承办单位申请延长办理期限，须在原期限届满前审批",
                lambda C, u: C.has_pending_extension(),
                scope=_decides_extension,
            ),
            service="decide_extension",
        ),
        _a(
            "refuse_extension",
            "不予延期",
            "RefuseExtensionForm",
            {Role.DEPT_HEAD},
            "_refuse_decide_extension",
            service="decide_extension",
        ),
        _t(
            "request_review",
            "申请复查",
            "ReviewRequestForm",
            {S.REPLIED, S.CLOSED},
            S.UNDER_REVIEW,
            {PUBLIC, Role.CLERK},
            review_level=0,
            check="_refuse_review_request",
            check_first=True,
        ),
        _t(
            "decide_review",
            "出具复查意见",
            "ReviewDecisionForm",
            {S.UNDER_REVIEW},
            S.REPLIED,
            {Role.CLERK, Role.LEADER, Role.DEPT_HEAD},
            check="_refuse_decide_review",
            primary=True,
            queue=Queue(
                "review",
                "待出具复查意见",
                "本机关作为上一级机关复查；无上级机关的由信访部门出具",
                scope=lambda C, u: C.reviewed_by(u),
            ),
        ),
        _t(
            "request_rereview",
            "申请复核",
            "ReviewRequestForm",
            {S.REPLIED, S.CLOSED},
            S.UNDER_REREVIEW,
            {PUBLIC, Role.CLERK},
            review_level=1,
            check="_refuse_review_request",
            check_first=True,
            service="request_review",
        ),
        _a(
            "hearing",
            "记录听证",
            "HearingForm",
            {Role.CLERK, Role.LEADER, Role.DEPT_HEAD},
            "_refuse_hearing",
            service="record_hearing",
        ),
        _t(
            "decide_rereview",
            "出具复核意见",
            "ReviewDecisionForm",
            {S.UNDER_REREVIEW},
            S.FINAL,
            {Role.CLERK, Role.LEADER, Role.DEPT_HEAD},
            check="_refuse_decide_review",
            primary=True,
            queue=Queue(
                "rereview",
                "待出具复核意见",
                "本机关作为上一级机关复核；听证时间不计入期限",
                scope=lambda C, u: C.reviewed_by(u),
            ),
            service="decide_review",
        ),
        _a(
            "supervise",
            "督办",
            "SuperviseForm",
            {Role.SUPERVISOR},
            "_refuse_supervise",
            queue=Queue(
                "overdue",
                "超期未办结",
                "办理期限已过，可督办",
                lambda C, u: C.overdue(today()),
                states=OPEN,  # those of ``Case.overdue``
            ),
        ),
        # The 督办 chain (portal.cases.supervision): the department head answers; the supervisor accepts the answer
        # or escalates one stage at a time — 催办, 约谈, 问责建议 to a leader, who decides.
        _a(
            "answer_supervision",
            "答复督办",
            "SupervisionAnswerForm",
            {Role.DEPT_HEAD},
            "_refuse_answer_supervision",
            primary=True,
            queue=Queue(
                "supervision_answer",
                "待答复督办",
                "督查下发的督办单、催办通知或约谈要求，须在答复期限内报送办理情况",
                lambda C, u: C.supervision_awaiting_from(u),
                scope=lambda C, u: C.supervision_awaiting_from(u),
            ),
        ),
        _a(
            "accept_supervision",
            "督办答复通过",
            "SupervisionAcceptForm",
            {Role.SUPERVISOR},
            "_refuse_accept_supervision",
            primary=True,
            queue=Queue(
                "supervision_review",
                "督办答复待审核",
                "责任单位已报送办理情况：审核通过即办结，不到位的催办",
                lambda C, u: C.supervision_answered(),
            ),
        ),
        _a(
            "urge_supervision",
            "催办",
            "UrgeForm",
            {Role.SUPERVISOR},
            "_refuse_urge_supervision",
            queue=Queue(
                "supervision_late",
                "督办逾期未答复",
                "答复期限已过仍未答复，可依次催办、约谈、提出问责建议",
                lambda C, u: C.supervision_late(today()),
            ),
        ),
        _a(
            "interview",
            "记录约谈",
            "InterviewForm",
            {Role.SUPERVISOR},
            "_refuse_interview",
            service="record_interview",
        ),
        _a(
            "propose_accountability",
            "提出问责建议",
            "AccountabilityForm",
            {Role.SUPERVISOR},
            "_refuse_propose_accountability",
        ),
        _a(
            "decide_accountability",
            "对问责建议作出决定",
            "AccountabilityDecisionForm",
            {Role.LEADER},
            "_refuse_decide_accountability",
            primary=True,
            queue=Queue(
                "accountability",
                "问责建议待决定",
                "督查就督办不力提出的问责建议，请作出决定",
                lambda C, u: C.accountability_for(u),
                scope=lambda C, u: C.accountability_for(u),
            ),
        ),
        # A 不满意 case handled again (第N轮办理), with the supervisor's deadline.
        _t(
            "order_rehandling",
            "责令重新办理",
            "RehandlingOrderForm",
            {S.REPLIED},
            S.IN_PROGRESS,
            {Role.SUPERVISOR},
            check="_refuse_order_rehandling",
        ),
        _a(
            "clear_unsatisfied",
            "说明不满意件销号理由",
            "ClearUnsatisfiedForm",
            {Role.SUPERVISOR},
            "_refuse_clear_unsatisfied",
            queue=Queue(
                "unsatisfied",
                "不满意待说明",
                "信访人评价不满意，销号前须由督查说明理由",
                lambda C, u: C.unsatisfied_pending(),
            ),
        ),
        _t(
            "mark_off",
            "销号",
            "MarkOffForm",
            {S.REPLIED, S.FINAL},
            S.CLOSED,
            {Role.CLERK},
            check="_refuse_mark_off",
            primary=True,
            queue=Queue("close", "待回访、销号", "已答复或复核终结，回访、勾销清单后销号"),
        ),
        # The petitioner and the accused (条例 art.30), recorded by the petition office.
        _a(
            "record_accused",
            "记录被检举控告对象",
            "AccusedForm",
            {Role.CLERK},
            "_refuse_record_accused",
        ),
        _a(
            "confirm_petitioner",
            "核对信访人身份",
            "SamePersonForm",
            {Role.CLERK},
            "_refuse_confirm_petitioner",
            primary=True,
        ),
        # Actions with a place of their own on the case page.
        # 协办: an assisting department (协办单位) named at assignment adds its opinion for the lead to draft from.
        _a(
            "contribute",
            "提交协办意见",
            "ContributionForm",
            {Role.HANDLER, Role.DEPT_HEAD},
            "_refuse_contribute",
            on_actions_card=False,
            queue=Queue(
                "assist",
                "待提交协办意见",
                "本单位为协办单位，主办单位起草处理意见书前提交协办意见",
                lambda C, u: ~C.contributions.any(department_id=u.department_id),
                scope=lambda C, u: C.assisted_by(u),
                states=ASSISTABLE,
            ),
            service="add_contribution",
        ),
        _a(
            "edit_petitioner",
            "修改信访人信息",
            "PetitionerForm",
            {Role.CLERK},
            "_refuse_edit_petitioner",
            on_actions_card=False,
        ),
        _a(
            "note",
            "添加调查记录",
            "NoteForm",
            {Role.HANDLER, Role.DEPT_HEAD, Role.CLERK},
            "_refuse_note",
            on_actions_card=False,
            service="add_note",
        ),
        _a(
            "instruct",
            "作出批示",
            "InstructionForm",
            {Role.LEADER},
            "_refuse_instruct",
            on_actions_card=False,
            queue=Queue(
                "instruct",
                "待批示",
                "我包案、尚未作出批示的在办信访件",
                lambda C, u: and_(C.owner_leader_id == u.id, ~C.instructions.any(leader_id=u.id)),
                states=OPEN,
            ),
            service="add_instruction",
        ),
        _a(
            "follow_up",
            "记录回访",
            "FollowUpForm",
            {Role.CLERK},
            "_refuse_follow_up",
            on_actions_card=False,
            service="record_follow_up",
        ),
        _a(
            "tick",
            "勾销清单",
            "TickForm",
            {Role.CLERK, Role.HANDLER, Role.DEPT_HEAD, Role.LEADER},
            "_refuse_tick",
            on_actions_card=False,
            service="tick_checklist_item",
        ),
    )
}
TRANSITIONS: dict[str, Action] = {name: a for name, a in ACTIONS.items() if a.is_transition}


def transition_for_review(review_level: int, deciding: bool) -> Action:
    """The review request (or decision) that fits a case at ``review_level``: 复查 first, then 复核."""
    if deciding:
        return ACTIONS["decide_review" if review_level == 0 else "decide_rereview"]
    return ACTIONS["request_review" if review_level == 0 else "request_rereview"]
