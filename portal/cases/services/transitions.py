"""The transitions of lifecycle.ACTIONS that move a case along the main path: acceptance, assignment, handling
and the reply, a leader's order to handle again, and mark-off. Each begins by locking the row and asking the
lifecycle, and finishes with the event and the audit row."""

from __future__ import annotations

import datetime as dt

from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.cases.delivery import DeliveryMethod, checked_delivery, default_method
from portal.cases.models import (
    CONTENT_MAX,
    Assist,
    Case,
    ChecklistItem,
    ChecklistTemplate,
    Instruction,
    NotAcceptedRoute,
    Outcome,
    Procedure,
    Reply,
    ReplyKind,
    ReplyState,
)
from portal.cases.services import steps
from portal.cases.services.reviews import open_evaluation_window
from portal.deadlines.services import deadline
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import local, utcnow
from portal.localtime import today as local_today
from portal.org.models import Department
from portal.validation import required


# --- acceptance ----------------------------------------------------------------------------------------------
def accept(
    case: Case,
    actor: User,
    *,
    procedure: Procedure | None = None,
    note: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    steps.begin(case, actor, "accept", expected_version)
    today = local_today()
    procedure = procedure or case.procedure
    if procedure is Procedure.SIMPLE:
        if refusal := case.simple_refusal():
            raise DomainError(refusal)
        case.procedure_reason = required(reason or case.procedure_reason, "适用简易办理的理由", 200)
    case.procedure = procedure
    case.decided_on = today
    clock = steps.set_clock(case, "simple_handle" if case.procedure is Procedure.SIMPLE else "handle", today)
    case.handle_due = clock.due
    steps.finish(
        case,
        actor,
        "accept",
        title="受理告知",
        public=True,
        data={"note": note},
        text=f"经审查，您反映的事项属于本机关职责范围，已于{today:%Y年%m月%d日}依法受理（{case.procedure.label}）。"
        f"我们将在{clock.due:%Y年%m月%d日}前出具书面处理意见。",
    )
    return case


def merge(case: Case, actor: User, *, note: str = "", expected_version: int | None = None) -> Case:
    """并案: a repeat of a matter still being handled is merged into the open case instead of being accepted with a
    clock of its own; both cases say so on the petitioner's progress page."""
    steps.begin(case, actor, "merge", expected_version)
    return merge_into_open_case(case, actor, note=note)


def merge_into_open_case(case: Case, actor: User, *, note: str = "") -> Case:
    """The merge itself, once the caller has checked who may merge (the clerk's ``merge``, or the duty leader's
    批示转办 at a reception). The petitioner is told where the matter stands: which organ, since when, until when —
    and, when an organ it was assigned to handles it, that 条例 art.19 keeps the office from taking it up again."""
    if refusal := case.merge_refusal():
        raise DomainError(refusal)
    into = case.merges_into
    steps.lock(into)
    standing = into.standing
    today = local_today()
    case.decided_on = today
    case.decision_note = note.strip()
    steps.set_clock(case, None)
    steps.event(
        into,
        actor,
        "merged_in",
        title="并案",
        public=True,
        text=f"信访人于{case.received_on:%Y年%m月%d日}就同一事项再次反映（编号 {case.tracking_code}），"
        "已并入本件一并办理。",
    )
    steps.touch(into)
    record("case.merged_in", actor, into, tracking_code=into.tracking_code, merged=case.tracking_code)
    steps.finish(
        case,
        actor,
        "merge",
        title="并案告知",
        public=True,
        text=f"您反映的事项与编号 {into.tracking_code} 的信访事项为同一事项，该事项{standing.told}，正在办理中。"
        f"{standing.article}本机关不再重复受理，您此次反映的情况和材料已并入该件，由{standing.organ}一并办理。"
        f"办理进展请以编号 {into.tracking_code} 查询。",
        data={"into": into.tracking_code, "organ": standing.organ, "below": standing.below},
    )
    return case


def not_accept(
    case: Case,
    actor: User,
    *,
    route: NotAcceptedRoute,
    reason: str = "",
    pending_organ: str = "",
    pending_since: dt.date | None = None,
    pending_due: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """不予受理, with the route the petitioner should take. ``PENDING_BELOW`` (条例 art.19): an organ below accepted
    the same matter on ``pending_since`` and still handles it; the petitioner is told which organ, since when and
    until when — ``pending_due`` as they know it, else the 60 days of art.34 counted from that acceptance."""
    steps.begin(case, actor, "not_accept", expected_version)
    reason = reason.strip()
    text = f"不予受理理由：{route.label}。"
    if route is NotAcceptedRoute.PENDING_BELOW:
        organ = required(pending_organ, "正在办理的机关", 100)
        counted = pending_due is None and pending_since is not None
        due = deadline("handle", pending_since).due if counted else pending_due
        if refusal := case.pending_below_refusal(pending_since, due):
            raise DomainError(refusal)
        case.pending_organ, case.pending_since, case.pending_due = organ, pending_since, due
        text += (
            f"您反映的事项已由{organ}于{pending_since:%Y年%m月%d日}受理，正在办理中，办理期限至{due:%Y年%m月%d日}"
            + ("（按《信访工作条例》第三十四条自受理之日起60日推算）" if counted else "")
            + "。"
        )
    case.not_accepted_route = route
    case.decision_note = reason
    case.decided_on = local_today()
    steps.set_clock(case, None)
    text += route.route_text
    if reason:
        text += f"说明：{reason}"
    steps.finish(case, actor, "not_accept", title="不予受理告知", public=True, text=text, data={"route": route.value})
    return case


def forward(case: Case, actor: User, *, authority: str, reason: str = "", expected_version: int | None = None) -> Case:
    steps.begin(case, actor, "forward", expected_version)
    case.forwarded_to = required(authority, "转送机关", 100)
    case.decision_note = reason.strip()
    case.decided_on = local_today()
    steps.set_clock(case, None)
    steps.finish(
        case,
        actor,
        "forward",
        title="转送告知",
        public=True,
        text=f"您反映的事项不属于本机关职责范围，已转送{case.forwarded_to}处理，请留意其告知。"
        + (f"说明：{case.decision_note}" if case.decision_note else ""),
    )
    return case


# --- assignment and handling ---------------------------------------------------------------------------------
def assign(
    case: Case,
    actor: User,
    *,
    department_id: int,
    owner_leader_id: int | None = None,
    assisting_ids: list[int] = (),
    expected_version: int | None = None,
) -> Case:
    steps.begin(case, actor, "assign", expected_version)
    return assign_to(case, actor, department_id, owner_leader_id, assisting_ids)


def assign_to(
    case: Case, actor: User, department_id: int, owner_leader_id: int | None, assisting_ids: list[int] = ()
) -> Case:
    """交办 to the lead department (主办单位), with the assisting departments (协办单位) when the matter needs several:
    they read the case and send their opinions; the lead department alone drafts and signs the reply."""
    department = db.session.get(Department, department_id)
    if refusal := case.assignment_refusal(department):
        raise DomainError(refusal)
    assisting = []
    for assisting_id in dict.fromkeys(assisting_ids):
        helper = db.session.get(Department, assisting_id)
        if refusal := case.assist_refusal(helper, department.id):
            raise DomainError(refusal)
        assisting.append(helper)
    leader = None
    if owner_leader_id is not None:
        leader = db.session.get(User, owner_leader_id)
        if leader is None or not leader.has_role(Role.LEADER) or not leader.active:
            raise DomainError("包案领导必须是在岗的领导。")
        if refusal := case.owner_refusal(leader):
            raise DomainError(refusal)
    case.department = department
    case.owner_leader = leader
    case.assigned_on = local_today()
    case.assists = [Assist(department=d, assigned_on=case.assigned_on) for d in assisting]
    _apply_checklist(case)
    helpers = "、".join(d.name for d in assisting)
    steps.finish(
        case,
        actor,
        "assign",
        title="交办",
        public=True,
        text=f"已交{department.name}办理"
        + (f"（主办），{helpers}协办" if helpers else "")
        + f"，办理期限至{case.due_date:%Y年%m月%d日}。",
        data={
            "department_id": department.id,
            "owner_leader_id": leader.id if leader else None,
            "assisting_ids": [d.id for d in assisting],
        },
    )
    return case


def object_to_assignment(case: Case, actor: User, *, reason: str, expected_version: int | None = None) -> Case:
    """交办异议 (条例 art.23): the head of the department a case was assigned to says, within 5 working days of the
    assignment, that it is not theirs, with the reason; the case goes back to the petition office to be checked and
    assigned again. The handling period keeps running from acceptance: the clock is not touched. The owner leader
    stays (包案 is the leader's, not the department's) and is offered again when the case is assigned."""
    steps.begin(case, actor, "object_assignment", expected_version)
    reason = required(reason, "异议理由", 1000)
    department, assigned_on, today = case.department, case.assigned_on, local_today()
    case.department = None
    case.handler = None
    case.assigned_on = None
    case.assists = []  # the whole assignment goes back; the office names the departments again
    steps.finish(
        case,
        actor,
        "object_assignment",
        title="交办异议",
        public=False,
        text=f"{department.name}认为该信访事项不属于本单位职权范围，于{today:%Y年%m月%d日}提出异议"
        f"（{assigned_on:%Y年%m月%d日}交办），已交还信访部门核实后重新交办。异议理由：{reason}",
        data={"department_id": department.id, "assigned_on": assigned_on.isoformat(), "reason": reason},
    )
    return case


def _apply_checklist(case: Case) -> None:
    """Give the case the checklist of its type (and the 五包 list when a leader owns it), once."""
    if case.checklist:
        return
    templates = (
        db.session.execute(
            db.select(ChecklistTemplate)
            .where(
                db.or_(ChecklistTemplate.case_type == case.case_type, ChecklistTemplate.case_type.is_(None)),
                ChecklistTemplate.leader_owned.is_(False),
            )
            .order_by(ChecklistTemplate.id)
        )
        .scalars()
        .all()
    )
    if case.owner_leader is not None:
        templates += (
            db.session.execute(
                db.select(ChecklistTemplate)
                .where(ChecklistTemplate.leader_owned.is_(True))
                .order_by(ChecklistTemplate.id)
            )
            .scalars()
            .all()
        )
    position = 0
    for template in templates:
        for item in template.items:
            position += 1
            case.checklist.append(
                ChecklistItem(
                    position=position,
                    label=item.label,
                    required=item.required,
                    mirrors=item.mirrors,
                    owner_only=template.leader_owned,
                )
            )


def start(case: Case, actor: User, *, expected_version: int | None = None) -> Case:
    steps.begin(case, actor, "start", expected_version)  # the lifecycle refuses a handler another was picked for
    if case.handler_id is None and actor.has_role(Role.HANDLER):
        case.handler = actor
    steps.finish(
        case,
        actor,
        "start",
        title="开始办理",
        public=True,
        text="承办单位已开始调查办理。",
        data={"handler_id": case.handler_id},
    )
    return case


def draft_reply(
    case: Case, actor: User, *, outcome: Outcome, text: str, legal_basis: str = "", expected_version: int | None = None
) -> Reply:
    steps.begin(case, actor, "draft", expected_version)
    text = required(text, "处理意见", CONTENT_MAX)
    version = 1 + sum(1 for r in case.replies if r.kind is ReplyKind.REPLY)
    reply = Reply(
        case=case,
        kind=ReplyKind.REPLY,
        version=version,
        outcome=outcome,
        text=text,
        legal_basis=legal_basis.strip(),
        drafted_by_id=actor.id,
    )
    db.session.add(reply)
    steps.finish(
        case,
        actor,
        "draft",
        title="提交处理意见书",
        public=False,
        text=f"第{version}版处理意见书待责任单位负责人署名。"
        + (f"起草时已有协办意见{len(case.contributions)}份。" if case.contributions else ""),
        # What the lead department drafted from: the assisting departments' opinions in at that moment.
        data={"version": version, "contributions": [c.id for c in case.contributions]},
    )
    return reply


def _pending_reply(case: Case, state: ReplyState) -> Reply:
    reply = case.current_reply
    if reply is None or reply.state is not state:
        raise DomainError("没有待处理的处理意见书。")
    return reply


def sign_reply(case: Case, actor: User, *, expected_version: int | None = None) -> Reply:
    steps.begin(case, actor, "sign", expected_version)
    reply = _pending_reply(case, ReplyState.DRAFT)
    reply.state = ReplyState.SIGNED
    reply.signed_by_id = actor.id
    reply.signer_name, reply.signer_title = actor.name, actor.title
    reply.signer_department = actor.department.name
    reply.signed_at = utcnow()
    steps.finish(
        case,
        actor,
        "sign",
        title="署名签发",
        public=False,
        text=f"{actor.department.name}{actor.title}{actor.name}已署名第{reply.version}版，待信访部门审核。",
        data={"reply_id": reply.id},
    )
    return reply


def return_draft(case: Case, actor: User, *, comment: str, expected_version: int | None = None) -> Reply:
    steps.begin(case, actor, "return_draft", expected_version)
    reply = _pending_reply(case, ReplyState.DRAFT)
    reply.state = ReplyState.RETURNED
    reply.comment = required(comment, "退回意见", 1000)
    steps.finish(
        case, actor, "return_draft", title="退回修改", public=False, text=reply.comment, data={"reply_id": reply.id}
    )
    return reply


def send_back(case: Case, actor: User, *, comment: str, expected_version: int | None = None) -> Reply:
    """退回重办: the petition office finds the signed reply perfunctory."""
    steps.begin(case, actor, "send_back", expected_version)
    reply = _pending_reply(case, ReplyState.SIGNED)
    comment = required(comment, "退回重办意见", 1000)
    reply.state = ReplyState.SENT_BACK
    reply.comment = comment
    steps.finish(case, actor, "send_back", title="退回重办", public=False, text=comment, data={"reply_id": reply.id})
    return reply


def publish_reply(
    case: Case,
    actor: User,
    *,
    delivered_on: dt.date | None = None,
    method: DeliveryMethod | None = None,
    tracking_number: str = "",
    recipient: str = "",
    expected_version: int | None = None,
) -> Reply:
    """Verify the signed reply and send it out; the review window counts from the delivery date. The delivery is
    checked by the rules every delivery record keeps (portal.cases.delivery); the written answer's document takes it
    as its first delivery."""
    steps.begin(case, actor, "publish", expected_version)
    reply = _pending_reply(case, ReplyState.SIGNED)
    today = local_today()
    delivered_on = steps.delivery_date(case, delivered_on, today)
    method = DeliveryMethod(method) if method else default_method(case)
    tracking_number, recipient = checked_delivery(
        case,
        method,
        delivered_on,
        today=today,
        not_before=local(reply.signed_at).date(),
        not_before_what="署名日期",
        tracking_number=tracking_number,
        recipient=recipient,
    )
    reply.state = ReplyState.PUBLISHED
    reply.published_at = utcnow()
    reply.delivered_on = delivered_on
    reply.delivery_method = method.label
    case.replied_on = case.replied_on or today
    case.delivered_on = delivered_on
    open_evaluation_window(case)
    delivered = f"于{delivered_on:%Y年%m月%d日}送达。"
    if case.reviewable:
        clock = steps.set_clock(case, "review_request", delivered_on)
        title = reply.kind.label
        text = f"{reply.signer_department}出具{title}（{reply.outcome.label}），{delivered}"
        text += f"如不服，可在{clock.due:%Y年%m月%d日}前申请复查。"
    else:
        # A suggestion gets a reply (反馈), an accusation the discipline rules: no 复查 window opens (art.35).
        steps.set_clock(case, None)
        title = "答复反馈"
        text = f"{reply.signer_department}出具答复意见（{reply.outcome.label}），{delivered}{case.review_route}"
    steps.finish(
        case,
        actor,
        "publish",
        title=title,
        public=True,
        text=text,
        data={"reply_id": reply.id, "tracking_number": tracking_number, "recipient": recipient},
    )
    return reply


def rehandle(case: Case, actor: User, *, text: str, expected_version: int | None = None) -> Instruction:
    """A leader orders a draft or signed reply handled again (批示重办); the instruction goes on the thread."""
    steps.begin(case, actor, "rehandle", expected_version)
    instruction = Instruction(case=case, leader_id=actor.id, text=required(text, "批示内容", 2000), rehandle=True)
    db.session.add(instruction)
    reply = case.current_reply
    if reply is not None and reply.state in (ReplyState.DRAFT, ReplyState.SIGNED):
        reply.state = ReplyState.SENT_BACK
        reply.comment = instruction.text
    steps.finish(case, actor, "rehandle", title="领导批示重办", public=False, text=instruction.text)
    return instruction


def mark_off(case: Case, actor: User, *, note: str = "", expected_version: int | None = None) -> Case:
    steps.begin(case, actor, "mark_off", expected_version)  # the lifecycle refuses while a blocker remains
    case.closed_on = local_today()
    # Marking off never takes away the petitioner's rights: a running review window stays on the case.
    steps.finish(case, actor, "mark_off", title="销号", public=False, text=note.strip() or "已办结销号。")
    return case
