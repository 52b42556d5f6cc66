"""What staff record on a case without moving it along the main path: the handler picked, investigation notes,
extensions (条例 art.34), instructions (批示), follow-ups (回访), checklist ticks and the supervisor's word on a
不满意 rating (督办 itself is in ``supervision``). Each locks the row, checks the version the person saw, and asks the
lifecycle, like a transition."""

from __future__ import annotations

from portal.accounts.models import Role, User
from portal.cases.models import (
    Case,
    ChecklistItem,
    Contribution,
    Evaluation,
    ExtensionRequest,
    ExtensionState,
    FollowUp,
    Instruction,
    Note,
    Procedure,
    Rating,
)
from portal.cases.services import steps
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import utcnow
from portal.validation import required

MAX_EXTENSION_DAYS = 30
FOLLOW_UP_METHODS = ("面访", "电话", "短信")


def assign_handler(case: Case, actor: User, *, handler_id: int, expected_version: int | None = None) -> Case:
    """The department head picks who in the department handles the case."""
    steps.begin(case, actor, "assign_handler", expected_version)
    handler = db.session.get(User, handler_id)
    if (
        handler is None
        or not handler.active
        or not handler.has_role(Role.HANDLER)
        or handler.department_id != case.department_id
    ):
        raise DomainError("承办人必须是本单位在岗的承办人员。")
    case.handler = handler
    steps.log(
        case,
        actor,
        "assign_handler",
        title="指定承办人",
        public=False,
        text=f"指定{handler.name}承办。",
        handler=handler.username,
    )
    return case


def add_note(case: Case, actor: User, *, text: str, expected_version: int | None = None) -> Note:
    """An investigation note (调查记录); internal."""
    steps.begin(case, actor, "note", expected_version)
    note = Note(case=case, author_id=actor.id, text=required(text, "调查记录", 5000))
    db.session.add(note)
    steps.log(case, actor, "note", title="调查记录", public=False, text=note.text)
    return note


def add_contribution(case: Case, actor: User, *, text: str, expected_version: int | None = None) -> Contribution:
    """协办意见: an assisting department sends what it found and proposes; the lead department drafts from it.
    Internal, never public; each opinion stays as sent (a later one is added beside it)."""
    steps.begin(case, actor, "contribute", expected_version)
    contribution = Contribution(
        case=case, department_id=actor.department_id, author_id=actor.id, text=required(text, "协办意见", 5000)
    )
    db.session.add(contribution)
    steps.log(
        case,
        actor,
        "contribute",
        title="协办意见",
        public=False,
        text=f"{actor.department.name}（协办单位）提交协办意见：{contribution.text}",
        department=actor.department.name,
    )
    return contribution


def switch_to_ordinary(case: Case, actor: User, *, reason: str, expected_version: int | None = None) -> Case:
    """A 简易办理 case that turns out otherwise goes to the ordinary procedure: the ordinary handling clock counted
    from acceptance, and the petitioner told on the progress page."""
    steps.begin(case, actor, "to_ordinary", expected_version)
    reason = required(reason, "转为普通程序的理由", 200)
    case.procedure, case.procedure_reason = Procedure.NORMAL, reason
    clock = steps.set_clock(case, "handle", case.decided_on)
    case.handle_due = clock.due
    steps.log(
        case,
        actor,
        "to_ordinary",
        title="转为普通程序",
        public=True,
        text=f"因{reason}，您的信访事项由简易办理转为普通程序办理，办理期限自受理之日（{case.decided_on:%Y年%m月%d日}）"
        f"起计算，将在{clock.due:%Y年%m月%d日}前出具书面处理意见。",
        reason=reason,
        due=clock.due.isoformat(),
    )
    return case


def request_extension(
    case: Case, actor: User, *, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    """The handler asks for more time: at most 30 days, once (条例 art.34)."""
    steps.begin(case, actor, "request_extension", expected_version)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(f"延长期限应为1至{MAX_EXTENSION_DAYS}日。")
    request = ExtensionRequest(
        case=case,
        days=days,
        reason=required(reason, "延期理由", 1000),
        requested_by_id=actor.id,
        original_due=case.handle_due,
    )
    db.session.add(request)
    steps.log(
        case,
        actor,
        "request_extension",
        title="申请延期",
        public=False,
        text=f"申请延期{days}日：{request.reason}",
        days=days,
    )
    return request


def decide_extension(
    case: Case, actor: User, *, approve: bool, note: str = "", expected_version: int | None = None
) -> ExtensionRequest:
    """The department head or the owner leader approves once; the new date and the reason become public."""
    steps.begin(case, actor, "approve_extension" if approve else "refuse_extension", expected_version)
    request = case.pending_extension
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    request.decision_note = (note or "").strip()
    if not approve:
        request.state = ExtensionState.REFUSED
        steps.log(
            case, actor, "refuse_extension", title="延期未获批准", public=False, text=request.decision_note or "未批准"
        )
        return request
    # 条例 art.34 lengthens the handling period: the extra days follow the original deadline.
    clock = steps.set_clock(case, "extend", case.due_date, length=request.days)
    request.state, request.new_due = ExtensionState.APPROVED, clock.due
    case.extended, case.handle_due = True, clock.due
    steps.log(
        case,
        actor,
        "approve_extension",
        title="延期告知",
        public=True,
        text=f"因{request.reason}，经批准办理期限延长{request.days}日，"
        f"由{request.original_due:%Y年%m月%d日}延至{clock.due:%Y年%m月%d日}。",
        days=request.days,
        new_due=clock.due.isoformat(),
    )
    return request


def record_follow_up(
    case: Case,
    actor: User,
    *,
    method: str,
    satisfaction: Rating | None = None,
    notes: str = "",
    expected_version: int | None = None,
) -> FollowUp:
    """回访 after the reply; it ticks the checklist's 回访 item."""
    steps.begin(case, actor, "follow_up", expected_version)
    method = required(method, "回访方式", 20)
    notes = (notes or "").strip()
    follow_up = FollowUp(case=case, method=method, satisfaction=satisfaction, notes=notes, by_id=actor.id)
    db.session.add(follow_up)
    steps.log(
        case,
        actor,
        "follow_up",
        title="回访",
        public=False,
        method=method,
        text=f"{method}回访" + (f"，{satisfaction.label}" if satisfaction else "") + (f"：{notes}" if notes else ""),
    )
    return follow_up


def add_instruction(
    case: Case, actor: User, *, text: str, rehandle: bool = False, expected_version: int | None = None
) -> Instruction:
    """批示: a leader may add a round at any stage."""
    steps.begin(case, actor, "instruct", expected_version)
    instruction = Instruction(case=case, leader_id=actor.id, text=required(text, "批示内容", 2000), rehandle=rehandle)
    db.session.add(instruction)
    steps.log(case, actor, "instruct", title="领导批示", public=False, text=instruction.text, rehandle=rehandle)
    return instruction


def tick_checklist_item(
    item: ChecklistItem, actor: User, *, done: bool, expected_version: int | None = None
) -> ChecklistItem:
    """勾销 (or undo) a checklist item by hand; items that mirror an event are ticked by the event itself."""
    case = item.case
    steps.lock(case, expected_version)
    steps.refuse(item.refusal(actor))
    item.done_at, item.done_by_id = (utcnow(), actor.id) if done else (None, None)
    item.done_event = None
    steps.log(
        case,
        actor,
        "checklist",
        title="勾销清单" if done else "撤销勾销",
        public=False,
        text=item.label,
        item=item.label,
        done=done,
    )
    return item


def clear_unsatisfied(case: Case, actor: User, *, reason: str, expected_version: int | None = None) -> Evaluation:
    """A supervisor records why a case rated 不满意 may still be marked off (DESIGN §5)."""
    steps.begin(case, actor, "clear_unsatisfied", expected_version)
    evaluation = case.evaluation
    evaluation.override_reason = required(reason, "销号理由", 1000)
    evaluation.override_by_id, evaluation.override_at = actor.id, utcnow()
    steps.log(case, actor, "clear_unsatisfied", title="不满意件销号说明", public=False, text=evaluation.override_reason)
    return evaluation
