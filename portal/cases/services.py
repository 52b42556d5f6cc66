"""The only place where a case changes state. One function per transition of ``lifecycle.TRANSITIONS``: each
re-checks state and role, writes a CaseEvent and an audit row, sets the next clock, and flushes (never commits).
Arguments are plain values, never a request or a form."""

from __future__ import annotations

import datetime as dt

from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.cases import attachments as attachment_store
from portal.cases import codes, identity
from portal.cases.attachments import Upload
from portal.cases.lifecycle import TRANSITIONS
from portal.cases.models import (
    Case,
    CaseEvent,
    CaseType,
    Category,
    Channel,
    ChecklistItem,
    ChecklistTemplate,
    Evaluation,
    ExtensionRequest,
    ExtensionState,
    FollowUp,
    Hearing,
    Instruction,
    NotAcceptedRoute,
    Note,
    Outcome,
    Petitioner,
    Procedure,
    Rating,
    Reply,
    ReplyKind,
    ReplyState,
    Status,
)
from portal.deadlines.services import deadline
from portal.errors import DomainError, NotAllowed, StaleCase
from portal.extensions import db
from portal.localtime import local, utcnow
from portal.localtime import today as local_today
from portal.org.models import Department, Kind
from portal.settings.models import get_setting
from portal.sms import services as sms

TITLE_MAX = 100
CONTENT_MAX = 5000


# --- helpers shared by the transitions ----------------------------------------------------------------------
def _lock(case: Case, expected_version: int | None = None) -> None:
    """Lock the case's row for the rest of the transaction and read it afresh (PostgreSQL; SQLite serialises writers
    anyway): two people acting at once queue up, and the second is checked against the first one's result."""
    if case.id is not None:
        db.session.flush()
        db.session.refresh(case, with_for_update={"of": Case})
    if expected_version is not None and case.version != expected_version:
        raise StaleCase()


def _begin(case: Case, actor: User | None, name: str, expected_version: int | None = None):
    """Lock ``case`` and check that ``actor`` may take transition ``name`` on it now; return the transition."""
    _lock(case, expected_version)
    return _check(case, actor, name)


def _check(case: Case, actor: User | None, name: str):
    """The state and role check of ``_begin``, for a case already locked."""
    transition = TRANSITIONS[name]
    if case.status not in transition.sources or (
        transition.review_level is not None and case.review_level != transition.review_level
    ):
        raise DomainError(f"该信访件当前状态为“{case.status.label}”，不能{transition.label}。")
    if not transition.role_permits(case, actor):
        raise NotAllowed(f"您没有对该信访件“{transition.label}”的权限。")
    return transition


def _finish(
    case: Case, actor: User | None, name: str, *, title: str, text: str = "", public: bool, data: dict | None = None
) -> CaseEvent:
    """Move ``case`` to the transition's target and write the event and the audit row."""
    transition = TRANSITIONS[name]
    before = case.status
    case.status = transition.target
    event = _event(
        case,
        actor,
        name,
        title=title,
        text=text,
        public=public,
        data=data,
        from_status=before,
        to_status=transition.target,
    )
    record(
        f"case.{name}",
        actor,
        case,
        tracking_code=case.tracking_code,
        from_status=before.value,
        to_status=transition.target.value,
    )
    db.session.flush()
    return event


def _event(
    case: Case,
    actor: User | None,
    action: str,
    *,
    title: str,
    text: str = "",
    public: bool,
    data: dict | None = None,
    from_status: Status | None = None,
    to_status: Status | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        title=title,
        text=text,
        public=public,
        data=data or {},
        from_status=from_status.value if from_status else None,
        to_status=to_status.value if to_status else None,
    )
    db.session.add(event)
    return event


def _log(
    case: Case, actor: User | None, action: str, *, title: str, text: str = "", public: bool, **audit
) -> CaseEvent:
    """An action that records something on the case without moving it: timeline event, then audit row."""
    event = _event(case, actor, action, title=title, text=text, public=public)
    db.session.flush()
    record(f"case.{action}", actor, case, tracking_code=case.tracking_code, **audit)
    return event


def _require_role(case: Case, actor: User, *roles: Role, message: str) -> None:
    """``actor`` must hold one of ``roles`` and be able to see ``case``."""
    if not (actor.has_role(*roles) and case.can_view(actor)):
        raise NotAllowed(message)


def _set_clock(
    case: Case, rule: str | None, start: dt.date | None = None, *, length: int | None = None, paused_days: int = 0
):
    """Start the clock ``rule`` counted from ``start``; ``None`` stops the clock."""
    if rule is None:
        case.clock_rule = case.clock_start = case.due_date = case.clock_length = None
        case.clock_paused_days = 0
        return None
    result = deadline(rule, start, length=length, paused_days=paused_days)
    case.clock_rule, case.clock_start, case.due_date = rule, start, result.due
    case.clock_length, case.clock_paused_days = length, paused_days
    return result


def current_clock(case: Case):
    """The running clock with its explanation (start, length, skipped days), or None when no clock runs."""
    if not case.clock_rule:
        return None
    return deadline(
        case.clock_rule, case.clock_start, length=case.clock_length, paused_days=case.clock_paused_days or 0
    )


def _limited(value: str | None, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise DomainError(f"{label}不能超过{max_length}字。")
    return value


def _required(value: str, label: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}。")
    if max_length and len(value) > max_length:
        raise DomainError(f"{label}不能超过{max_length}字。")
    return value


# --- registration --------------------------------------------------------------------------------------------
def find_or_create_petitioner(name: str, phone: str | None, id_number: str | None, address: str = "") -> Petitioner:
    """The same person is recognised by ID number first, then by phone and name."""
    name = _required(name, "信访人姓名", 50)
    phone, id_number = _contact(phone, id_number)
    petitioner = None
    if id_number:
        petitioner = db.session.execute(db.select(Petitioner).filter_by(id_number=id_number)).scalars().first()
    if petitioner is None and phone:
        petitioner = db.session.execute(db.select(Petitioner).filter_by(phone=phone, name=name)).scalars().first()
    if petitioner is None:
        petitioner = Petitioner(name=name, phone=phone, id_number=id_number, address=address or "")
        db.session.add(petitioner)
    else:
        petitioner.phone = phone or petitioner.phone
        petitioner.id_number = id_number or petitioner.id_number
        petitioner.address = address or petitioner.address
    return petitioner


def _contact(phone: str | None, id_number: str | None) -> tuple[str | None, str | None]:
    """Normalised phone and ID number; a malformed one is refused with the reason."""
    phone, id_number = identity.normalise_phone(phone), identity.normalise_id_number(id_number)
    problem = (phone and identity.phone_problem(phone)) or (id_number and identity.id_number_problem(id_number))
    if problem:
        raise DomainError(problem)
    return phone, id_number


def related_cases(case: Case, limit: int = 10) -> list[Case]:
    """The case it repeats, the cases that repeat it, and the petitioner's other cases; newest first."""
    stmt = (
        db.select(Case)
        .where(
            Case.id != case.id,
            db.or_(
                Case.petitioner_id == case.petitioner_id,
                Case.repeat_of_id == case.id,
                Case.id == (case.repeat_of_id or -1),
            ),
        )
        .order_by(Case.received_on.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).scalars())


def earlier_cases(phone: str | None = None, id_number: str | None = None, limit: int = 10) -> list[Case]:
    """Cases of the petitioner with this ID number or phone, newest first: the basis of repeat detection."""
    conditions = []
    phone, id_number = identity.normalise_phone(phone), identity.normalise_id_number(id_number)
    if id_number:
        conditions.append(Petitioner.id_number == id_number)
    if phone:
        conditions.append(Petitioner.phone == phone)
    if not conditions:
        return []
    stmt = (
        db.select(Case)
        .join(Case.petitioner)
        .where(db.or_(*conditions))
        .order_by(Case.received_on.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).scalars())


def register_case(actor: User | None, *, channel: Channel, **details) -> tuple[Case, str]:
    """Register a petition from any channel; return the case and its query code (shown once, never stored).
    The petition office registers every channel, the public only online; ``details`` are those of ``_register``."""
    if actor is not None and not actor.has_role(Role.CLERK):
        raise NotAllowed("只有信访登记员可以登记信访件。")
    if actor is None and channel is not Channel.ONLINE:
        raise NotAllowed("公众只能通过网上信访提交。")
    return _register(actor, channel=channel, **details)


def _register(
    actor: User | None,
    *,
    channel: Channel,
    case_type: CaseType,
    title: str,
    content: str,
    petitioner_name: str,
    phone: str | None = None,
    id_number: str | None = None,
    address: str = "",
    received_on: dt.date | None = None,
    category_id: int | None = None,
    procedure: Procedure = Procedure.NORMAL,
    confidential: bool = False,
    people_count: int = 1,
    place: str = "",
    repeat_of_id: int | None = None,
    attachments: list[Upload] = (),
    postmarked_on: dt.date | None = None,
    caller_number: str = "",
    group_visit: bool = False,
    representatives: list[str] = (),
    new_facts: bool = False,
    procedure_reason: str = "",
    notify: bool = True,
) -> tuple[Case, str]:
    """The registration itself. ``attachments`` have been checked by ``attachments.check_uploads``; their files are
    written here. ``notify`` queues the SMS receipt when a phone number is known."""
    title = _required(title, "标题", TITLE_MAX)
    content = _required(content, "信访内容", CONTENT_MAX)
    phone, id_number = _contact(phone, id_number)
    address, place = _limited(address, "住址", 200), _limited(place, "问题发生地", 200)
    if not (phone or id_number):
        raise DomainError("请至少填写联系电话或身份证号，以便告知办理情况。")
    if people_count < 1:
        raise DomainError("来访人数至少为 1。")
    today = local_today()
    received_on = received_on or today
    if received_on > today:
        raise DomainError("收到日期不能晚于今天。")
    if category_id is not None and db.session.get(Category, category_id) is None:
        raise DomainError("所选内容分类不存在。")
    repeat_of = None
    if repeat_of_id is not None:
        repeat_of = db.session.get(Case, repeat_of_id)
        if repeat_of is None:
            raise DomainError("所选的原信访件不存在。")
        if repeat_of.review_level >= 2 and not new_facts:
            # 条例 art.36: after the re-review opinion the same facts and reasons are not taken up again.
            raise DomainError(
                f"原信访件 {repeat_of.tracking_code} 已复核终结，以同一事实和理由提出的信访不再受理"
                "（《信访工作条例》第三十六条）。如信访人提出了新的事实和理由，请勾选“有新的事实和理由”后登记。"
            )
    channel_details = _channel_details(
        channel, received_on, postmarked_on, caller_number, people_count, group_visit, representatives
    )

    petitioner = find_or_create_petitioner(petitioner_name, phone, id_number, address)
    query_code = codes.new_query_code()
    case = Case(
        tracking_code=_unique_tracking_code(today),
        query_code_hash=codes.hash_query_code(query_code),
        title=title,
        content=content,
        channel=channel,
        case_type=case_type,
        category_id=category_id,
        procedure=procedure,
        confidential=confidential or case_type is CaseType.ACCUSATION,
        people_count=people_count,
        place=place,
        petitioner=petitioner,
        repeat_of=repeat_of,
        registered_by_id=getattr(actor, "id", None),
        received_on=received_on,
        status=Status.REGISTERED,
        new_facts=bool(new_facts and repeat_of is not None),
        **channel_details,
        procedure_reason=_limited(procedure_reason, "适用简易办理的理由", 200) if procedure is Procedure.SIMPLE else "",
    )
    db.session.add(case)
    clock = _set_clock(case, "simple_accept" if procedure is Procedure.SIMPLE else "accept", received_on)
    case.accept_due = clock.due
    _event(
        case,
        actor,
        "register",
        title="登记",
        public=True,
        to_status=Status.REGISTERED,
        text=f"您的信访事项（{channel.label}）已于{received_on:%Y年%m月%d日}收到并登记，编号 {case.tracking_code}。"
        f"我们将在{clock.due:%Y年%m月%d日}前告知是否受理。",
    )
    stored = attachment_store.store(case, list(attachments), getattr(actor, "id", None))
    db.session.flush()
    if notify:
        sms.queue(
            phone,
            f"【{get_setting('office_name')}】您的信访事项已登记，编号{case.tracking_code}，"
            f"将于{clock.due:%m月%d日}前告知是否受理。凭编号和回执上的查询码可在网上查询办理进度。",
            case,
        )
    record(
        "case.register",
        actor,
        case,
        tracking_code=case.tracking_code,
        channel=channel.value,
        repeat_of=repeat_of.tracking_code if repeat_of else None,
        attachments=len(stored),
    )
    return case, query_code


def _channel_details(
    channel: Channel,
    received_on: dt.date,
    postmarked_on: dt.date | None,
    caller_number: str,
    people_count: int,
    group_visit: bool,
    representatives,
) -> dict:
    """The fields each channel has (a letter's postmark, a call's number, a visit's group); others are dropped."""
    details = {"postmarked_on": None, "caller_number": "", "group_visit": False, "representatives": []}
    if channel is Channel.LETTER and postmarked_on is not None:
        if postmarked_on > received_on:
            raise DomainError("邮戳日期不能晚于收信日期。")
        details["postmarked_on"] = postmarked_on
    if channel in (Channel.PHONE, Channel.FAX):
        number = identity.normalise_phone(caller_number)
        if number and identity.phone_problem(number):
            raise DomainError("来电号码格式不正确。")
        details["caller_number"] = number or ""
    if channel is Channel.VISIT:
        names = [n.strip() for n in representatives if n and n.strip()]
        limit = int(get_setting("max_representatives"))
        if len(names) > limit:
            raise DomainError(
                f"集体访推选的代表不得超过{limit}人（《信访工作条例》第十八条），现填写了{len(names)}人。"
            )
        if any(len(n) > 50 for n in names):
            raise DomainError("代表姓名不能超过50字。")
        if len(names) > people_count:
            raise DomainError("代表人数不能多于来访人数。")
        # 集体访: five or more people on the same matter.
        details["group_visit"] = bool(group_visit) or people_count >= 5
        details["representatives"] = names
    return details


def _unique_tracking_code(day: dt.date) -> str:
    while True:
        code = codes.new_tracking_code(day)
        if db.session.execute(db.select(Case.id).filter_by(tracking_code=code)).first() is None:
            return code


def open_reception_case(
    actor: User,
    *,
    leader: User,
    department_id: int,
    instruction: str,
    title: str,
    content: str,
    petitioner_name: str,
    phone: str | None = None,
    id_number: str | None = None,
    address: str = "",
    place: str = "",
    people_count: int = 1,
    representatives: list[str] = (),
    case_type: CaseType = CaseType.CLAIM,
    repeat_of_id: int | None = None,
    new_facts: bool = False,
    received_on: dt.date | None = None,
) -> tuple[Case, str]:
    """批示转办 at a reception: what the duty leader could not answer on the spot becomes a ``visit`` case that is
    registered, accepted and assigned at once, owned by that leader, with the leader's instruction on it. The duty
    leader (or a clerk writing the log for them) acts here in place of the petition office's separate steps."""
    if not (actor.has_role(Role.CLERK) or actor.id == leader.id) or not leader.has_role(Role.LEADER):
        raise NotAllowed("只有当班领导或信访部门登记员可以批示转办。")
    # The visit happened on the duty day; a log written up later must not start the clocks late.
    case, query_code = _register(
        actor,
        channel=Channel.VISIT,
        case_type=case_type,
        title=title,
        content=content,
        petitioner_name=petitioner_name,
        phone=phone,
        id_number=id_number,
        address=address,
        place=place,
        people_count=people_count,
        representatives=representatives,
        repeat_of_id=repeat_of_id,
        new_facts=new_facts,
        received_on=received_on,
        notify=False,
    )
    today = case.received_on
    case.decided_on = today
    clock = _set_clock(case, "handle", today)
    case.handle_due = clock.due
    _finish(
        case,
        actor,
        "accept",
        title="受理告知",
        public=True,
        text=f"领导接访时当场受理（{today:%Y年%m月%d日}），将在{clock.due:%Y年%m月%d日}前出具书面处理意见。",
    )
    instruction_row = Instruction(case=case, leader_id=leader.id, text=_required(instruction, "批示内容", 2000))
    db.session.add(instruction_row)
    _log(case, actor, "instruct", title="领导批示", public=False, text=instruction_row.text)
    _assign_to(case, actor, department_id, leader.id)
    sms.queue(
        case.petitioner.phone,
        f"【{get_setting('office_name')}】您在领导接访中反映的事项已当场受理并交"
        f"{case.department.name}办理，编号{case.tracking_code}，将于{clock.due:%m月%d日}前"
        "出具书面处理意见。凭编号和查询码可在网上查询办理进度。",
        case,
    )
    return case, query_code


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
    _begin(case, actor, "accept", expected_version)
    today = local_today()
    procedure = procedure or case.procedure
    if procedure is Procedure.SIMPLE:
        if case.repeat_of_id is not None:
            raise DomainError("重复信访不适用简易办理，请按普通程序受理。")
        case.procedure_reason = _required(reason or case.procedure_reason, "适用简易办理的理由", 200)
    case.procedure = procedure
    case.decided_on = today
    clock = _set_clock(case, "simple_handle" if case.procedure is Procedure.SIMPLE else "handle", today)
    case.handle_due = clock.due
    _finish(
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


def not_accept(
    case: Case, actor: User, *, route: NotAcceptedRoute, reason: str = "", expected_version: int | None = None
) -> Case:
    _begin(case, actor, "not_accept", expected_version)
    reason = reason.strip()
    case.not_accepted_route = route
    case.decision_note = reason
    case.decided_on = local_today()
    _set_clock(case, None)
    text = f"不予受理理由：{route.label}。{route.route_text}"
    if reason:
        text += f"说明：{reason}"
    _finish(case, actor, "not_accept", title="不予受理告知", public=True, text=text, data={"route": route.value})
    return case


def forward(case: Case, actor: User, *, authority: str, reason: str = "", expected_version: int | None = None) -> Case:
    _begin(case, actor, "forward", expected_version)
    case.forwarded_to = _required(authority, "转送机关", 100)
    case.decision_note = reason.strip()
    case.decided_on = local_today()
    _set_clock(case, None)
    _finish(
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
    expected_version: int | None = None,
) -> Case:
    _begin(case, actor, "assign", expected_version)
    return _assign_to(case, actor, department_id, owner_leader_id)


def _assign_to(case: Case, actor: User, department_id: int, owner_leader_id: int | None) -> Case:
    department = db.session.get(Department, department_id)
    if department is None or not department.active:
        raise DomainError("请选择有效的责任单位。")
    if department.kind not in (Kind.FUNCTIONAL, Kind.DISCIPLINE, Kind.LOCAL):
        raise DomainError(f"{department.name}不是可交办的责任单位。")
    if case.case_type is CaseType.ACCUSATION and department.kind is not Kind.DISCIPLINE:
        # 条例 art.30: accusations go to the discipline organ, never to the department complained against.
        raise DomainError("检举控告类信访件只能交纪检监察机关办理。")
    leader = None
    if owner_leader_id is not None:
        leader = db.session.get(User, owner_leader_id)
        if leader is None or not leader.has_role(Role.LEADER) or not leader.active:
            raise DomainError("包案领导必须是在岗的领导。")
    case.department = department
    case.owner_leader = leader
    case.assigned_on = local_today()
    _apply_checklist(case)
    _finish(
        case,
        actor,
        "assign",
        title="交办",
        public=True,
        text=f"已交{department.name}办理，办理期限至{case.due_date:%Y年%m月%d日}。",
        data={"department_id": department.id, "owner_leader_id": leader.id if leader else None},
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
            case.checklist.append(ChecklistItem(position=position, label=item.label, required=item.required))


def assign_handler(case: Case, actor: User, *, handler_id: int, expected_version: int | None = None) -> Case:
    """The department head picks who in the department handles the case."""
    _lock(case, expected_version)
    if not (actor.has_role(Role.DEPT_HEAD) and case.department_id == actor.department_id):
        raise NotAllowed("只有责任单位负责人可以指定承办人。")
    if not case.can_assign_handler(actor):
        raise DomainError(f"该信访件当前状态为“{case.status.label}”，不能指定承办人。")
    handler = db.session.get(User, handler_id)
    if (
        handler is None
        or not handler.active
        or not handler.has_role(Role.HANDLER)
        or handler.department_id != case.department_id
    ):
        raise DomainError("承办人必须是本单位在岗的承办人员。")
    case.handler = handler
    _log(
        case,
        actor,
        "assign_handler",
        title="指定承办人",
        public=False,
        text=f"指定{handler.name}承办。",
        handler=handler.username,
    )
    return case


def start(case: Case, actor: User, *, expected_version: int | None = None) -> Case:
    _begin(case, actor, "start", expected_version)
    if (
        case.handler_id is not None
        and actor.has_role(Role.HANDLER)
        and not actor.has_role(Role.DEPT_HEAD)
        and case.handler_id != actor.id
    ):
        raise NotAllowed(f"该信访件已指定由{case.handler.name}承办。")
    if case.handler_id is None and actor.has_role(Role.HANDLER):
        case.handler = actor
    _finish(
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
    _begin(case, actor, "draft", expected_version)
    text = _required(text, "处理意见", CONTENT_MAX)
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
    _finish(
        case,
        actor,
        "draft",
        title="提交处理意见书",
        public=False,
        text=f"第{version}版处理意见书待责任单位负责人署名。",
        data={"version": version},
    )
    return reply


def _pending_reply(case: Case, state: ReplyState) -> Reply:
    reply = case.current_reply
    if reply is None or reply.state is not state:
        raise DomainError("没有待处理的处理意见书。")
    return reply


def sign_reply(case: Case, actor: User, *, expected_version: int | None = None) -> Reply:
    _begin(case, actor, "sign", expected_version)
    reply = _pending_reply(case, ReplyState.DRAFT)
    reply.state = ReplyState.SIGNED
    reply.signed_by_id = actor.id
    reply.signer_name, reply.signer_title = actor.name, actor.title
    reply.signer_department = actor.department.name
    reply.signed_at = utcnow()
    _finish(
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
    _begin(case, actor, "return_draft", expected_version)
    reply = _pending_reply(case, ReplyState.DRAFT)
    reply.state = ReplyState.RETURNED
    reply.comment = _required(comment, "退回意见", 1000)
    _finish(
        case, actor, "return_draft", title="退回修改", public=False, text=reply.comment, data={"reply_id": reply.id}
    )
    return reply


def send_back(case: Case, actor: User, *, comment: str, expected_version: int | None = None) -> Reply:
    """退回重办: the petition office finds the signed reply perfunctory."""
    _begin(case, actor, "send_back", expected_version)
    reply = _pending_reply(case, ReplyState.SIGNED)
    comment = _required(comment, "退回重办意见", 1000)
    reply.state = ReplyState.SENT_BACK
    reply.comment = comment
    _finish(case, actor, "send_back", title="退回重办", public=False, text=comment, data={"reply_id": reply.id})
    return reply


def publish_reply(
    case: Case,
    actor: User,
    *,
    delivered_on: dt.date | None = None,
    method: str = "",
    expected_version: int | None = None,
) -> Reply:
    """Verify the signed reply and send it out; the review window counts from the delivery date."""
    _begin(case, actor, "publish", expected_version)
    reply = _pending_reply(case, ReplyState.SIGNED)
    today = local_today()
    delivered_on = _delivery_date(case, delivered_on, today)
    if delivered_on < local(reply.signed_at).date():
        raise DomainError(f"送达日期不能早于署名日期（{local(reply.signed_at):%Y年%m月%d日}）。")
    reply.state = ReplyState.PUBLISHED
    reply.published_at = utcnow()
    reply.delivered_on = delivered_on
    reply.delivery_method = method or ("网上送达" if case.channel is Channel.ONLINE else "直接送达")
    case.replied_on = case.replied_on or today
    case.delivered_on = delivered_on
    clock = _set_clock(case, "review_request", delivered_on)
    _finish(
        case,
        actor,
        "publish",
        title=reply.kind.label,
        public=True,
        text=f"{reply.signer_department}出具{reply.kind.label}（{reply.outcome.label}），"
        f"于{delivered_on:%Y年%m月%d日}送达。如不服，可在{clock.due:%Y年%m月%d日}前申请复查。",
        data={"reply_id": reply.id},
    )
    return reply


def _delivery_date(case: Case, delivered_on: dt.date | None, today: dt.date) -> dt.date:
    if case.channel is Channel.ONLINE or delivered_on is None:
        return today
    if delivered_on > today:
        raise DomainError("送达日期不能晚于今天。")
    return delivered_on


# --- reviews -------------------------------------------------------------------------------------------------
def review_kind(case: Case) -> str:
    """What the petitioner may ask for next: 复查 after the reply, 复核 after the review opinion."""
    return "复查" if case.review_level == 0 else "复核"


def review_refusal(case: Case, today: dt.date | None = None) -> str | None:
    """Why a review (or re-review) may not be requested now, in words for the petitioner; None when it may."""
    today = today or local_today()
    kind = review_kind(case)
    if case.review_level >= 2 or case.status is Status.FINAL:
        return "复核意见为终结意见（《信访工作条例》第三十六条），不能再申请复查或复核。"
    if case.status in (Status.UNDER_REVIEW, Status.UNDER_REREVIEW):
        return f"您已申请{'复查' if case.status is Status.UNDER_REVIEW else '复核'}，正在办理中，不能重复申请。"
    name = "request_review" if case.review_level == 0 else "request_rereview"
    if case.status not in TRANSITIONS[name].sources or case.delivered_on is None:
        return f"处理意见送达后才能申请{kind}。"
    if case.clock_rule in ("review_request", "rereview_request") and case.due_date and today > case.due_date:
        return f"申请{kind}的期限已于{case.due_date:%Y年%m月%d日}届满，不能再申请。"
    return None


def review_organ(case: Case) -> Department | None:
    """Who reviews: the level above the department that answered (复查), then the level above the reviewer (复核).
    None when the tree has no level above: the petition office then records the opinion."""
    answered_by = case.department if case.review_level == 0 else case.reviewing_department
    return answered_by.parent if answered_by is not None else None


def request_review(case: Case, actor: User | None, *, reason: str, expected_version: int | None = None) -> Case:
    _lock(case, expected_version)
    name = "request_review" if case.review_level == 0 else "request_rereview"
    today = local_today()
    refusal = review_refusal(case, today)  # a petitioner's words for why not, before the generic state check
    if refusal:
        raise DomainError(refusal)
    _check(case, actor, name)
    reason = _required(reason, "申请理由", 2000)
    rule = "review" if name == "request_review" else "rereview"
    case.reviewing_department = review_organ(case)
    clock = _set_clock(case, rule, today)
    kind = review_kind(case)
    _finish(
        case,
        actor,
        name,
        title=f"{kind}申请",
        public=True,
        text=f"已于{today:%Y年%m月%d日}收到{kind}申请，将在{clock.due:%Y年%m月%d日}前出具{kind}意见。",
        data={"reason": reason},
    )
    return case


def decide_review(
    case: Case,
    actor: User,
    *,
    outcome: Outcome,
    text: str,
    legal_basis: str = "",
    delivered_on: dt.date | None = None,
    expected_version: int | None = None,
) -> Reply:
    """The review (复查) or re-review (复核) opinion, signed by the reviewing office and delivered at once."""
    name = "decide_review" if case.status is Status.UNDER_REVIEW else "decide_rereview"
    _begin(case, actor, name, expected_version)  # the transition asks case.can_decide_review(actor)
    text = _required(text, "复查（复核）意见", CONTENT_MAX)
    kind = ReplyKind.REVIEW if name == "decide_review" else ReplyKind.REREVIEW
    today = local_today()
    delivered_on = _delivery_date(case, delivered_on, today)
    now = utcnow()
    reply = Reply(
        case=case,
        kind=kind,
        version=1 + sum(1 for r in case.replies if r.kind is kind),
        outcome=outcome,
        text=text,
        legal_basis=legal_basis.strip(),
        drafted_by_id=actor.id,
        state=ReplyState.PUBLISHED,
        signed_by_id=actor.id,
        signer_name=actor.name,
        signer_title=actor.title,
        signer_department=actor.department.name,
        signed_at=now,
        published_at=now,
        delivered_on=delivered_on,
        delivery_method="网上送达" if case.channel is Channel.ONLINE else "直接送达",
    )
    db.session.add(reply)
    case.delivered_on = delivered_on
    case.review_level += 1
    if kind is ReplyKind.REVIEW:
        clock = _set_clock(case, "rereview_request", delivered_on)
        tail = f"如不服，可在{clock.due:%Y年%m月%d日}前申请复核。"
    else:
        _set_clock(case, None)
        tail = "复核意见为终结意见。"
    _finish(
        case,
        actor,
        name,
        title=kind.label,
        public=True,
        text=f"出具{kind.label}（{outcome.label}），于{delivered_on:%Y年%m月%d日}送达。{tail}",
        data={"reply_id": reply.id},
    )
    return reply


def record_hearing(
    case: Case,
    actor: User,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    place: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Hearing:
    """听证 in a re-review: its days are added to the paused days of the re-review clock."""
    _lock(case, expected_version)
    if case.status is not Status.UNDER_REREVIEW:
        raise DomainError("只有复核中的信访件可以记录听证。")
    if not case.can_record_hearing(actor):
        raise NotAllowed("只有复核机关可以记录听证。")
    if ends_on < starts_on:
        raise DomainError("听证结束日期不能早于开始日期。")
    if starts_on < case.clock_start:
        raise DomainError("听证日期不能早于收到复核申请之日。")
    hearing = Hearing(
        case=case,
        starts_on=starts_on,
        ends_on=ends_on,
        place=_limited(place, "听证地点", 200),
        note=(note or "").strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(hearing)
    paused = (case.clock_paused_days or 0) + hearing.days
    clock = _set_clock(case, "rereview", case.clock_start, paused_days=paused)
    _log(
        case,
        actor,
        "hearing",
        title="听证",
        public=True,
        text=f"于{starts_on:%Y年%m月%d日}至{ends_on:%Y年%m月%d日}举行听证，听证所需时间不计入复核期限，"
        f"复核期限顺延至{clock.due:%Y年%m月%d日}。",
        days=hearing.days,
        due=clock.due.isoformat(),
    )
    return hearing


# --- handling inside the department ------------------------------------------------------------------------------
def add_note(case: Case, actor: User, *, text: str) -> Note:
    """An investigation note (调查记录); internal."""
    _require_role(case, actor, Role.HANDLER, Role.DEPT_HEAD, Role.CLERK, message="您不能为该信访件添加调查记录。")
    if not case.can_add_note(actor):
        raise DomainError("该信访件已办结，不能再添加调查记录。")
    note = Note(case=case, author_id=actor.id, text=_required(text, "调查记录", 5000))
    db.session.add(note)
    _log(case, actor, "note", title="调查记录", public=False, text=note.text)
    return note


EXTENDABLE = (Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_SIGNATURE)
MAX_EXTENSION_DAYS = 30


def request_extension(
    case: Case, actor: User, *, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    """The handler asks for more time: at most 30 days, once (条例 art.34)."""
    _lock(case, expected_version)
    if not (actor.has_role(Role.HANDLER, Role.DEPT_HEAD) and case.department_id == actor.department_id):
        raise NotAllowed("只有责任单位的承办人员可以申请延期。")
    if case.extended or any(e.state is ExtensionState.APPROVED for e in case.extensions):
        raise DomainError("该信访件已延期一次，不能再次延期（《信访工作条例》第三十四条）。")
    if case.status not in EXTENDABLE or case.clock_rule not in ("handle", "simple_handle"):
        raise DomainError(f"该信访件当前状态为“{case.status.label}”，不能申请延期。")
    if case.pending_extension is not None:
        raise DomainError("已有待审批的延期申请。")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(f"延长期限应为1至{MAX_EXTENSION_DAYS}日。")
    request = ExtensionRequest(
        case=case,
        days=days,
        reason=_required(reason, "延期理由", 1000),
        requested_by_id=actor.id,
        original_due=case.handle_due,
    )
    db.session.add(request)
    case.version += 1  # a pending request is part of the case's state: later decisions must have seen it
    _log(
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
    _lock(case, expected_version)
    request = case.pending_extension
    if request is None:
        raise DomainError("没有待审批的延期申请。")
    if not case.can_decide_extension(actor):
        raise NotAllowed("只有责任单位负责人或包案领导可以审批延期。")
    if approve and case.clock_rule not in ("handle", "simple_handle"):
        raise DomainError("该信访件已不在办理期限内，不能延期。")
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    request.decision_note = (note or "").strip()
    if not approve:
        request.state = ExtensionState.REFUSED
        case.version += 1
        _log(
            case, actor, "refuse_extension", title="延期未获批准", public=False, text=request.decision_note or "未批准"
        )
        return request
    # 条例 art.34 lengthens the handling period: the extra days follow the original deadline.
    clock = _set_clock(case, "extend", case.due_date, length=request.days)
    request.state, request.new_due = ExtensionState.APPROVED, clock.due
    case.extended, case.handle_due = True, clock.due
    _log(
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


def rehandle(case: Case, actor: User, *, text: str, expected_version: int | None = None) -> Instruction:
    """A leader orders a draft or signed reply handled again (批示重办); the instruction goes on the thread."""
    _begin(case, actor, "rehandle", expected_version)
    instruction = Instruction(case=case, leader_id=actor.id, text=_required(text, "批示内容", 2000), rehandle=True)
    db.session.add(instruction)
    reply = case.current_reply
    if reply is not None and reply.state in (ReplyState.DRAFT, ReplyState.SIGNED):
        reply.state = ReplyState.SENT_BACK
        reply.comment = instruction.text
    _finish(case, actor, "rehandle", title="领导批示重办", public=False, text=instruction.text)
    return instruction


# --- mark-off and what it depends on -------------------------------------------------------------------------
def mark_off_blockers(case: Case) -> list[str]:
    """Why ``case`` cannot be marked off yet (DESIGN §5); empty when it can."""
    blockers = []
    if case.delivered_on is None:
        blockers.append("答复尚未送达")
    open_items = [i.label for i in case.checklist if i.required and not i.done]
    if open_items:
        blockers.append("清单事项未勾销：" + "、".join(open_items))
    if case.status in (Status.UNDER_REVIEW, Status.UNDER_REREVIEW):
        blockers.append("复查（复核）正在进行")
    if case.evaluation is None and not case.follow_ups:
        blockers.append("尚无满意度评价，也未回访")
    if case.evaluation is not None and case.evaluation.blocks_mark_off:
        blockers.append("信访人评价不满意，须由督查人员说明可以销号的理由")
    return blockers


def mark_off(case: Case, actor: User, *, note: str = "", expected_version: int | None = None) -> Case:
    _begin(case, actor, "mark_off", expected_version)
    blockers = mark_off_blockers(case)
    if blockers:
        raise DomainError("暂不能销号：" + "；".join(blockers) + "。")
    case.closed_on = local_today()
    # Marking off never takes away the petitioner's rights: a running review window stays on the case.
    _finish(case, actor, "mark_off", title="销号", public=False, text=note.strip() or "已办结销号。")
    return case


def evaluation_window(case: Case):
    """The evaluation window (a setting, counted from delivery), or None before the reply is delivered."""
    if case.delivered_on is None:
        return None
    return deadline("evaluate", case.delivered_on, length=int(get_setting("evaluation_window_days")))


def evaluation_refusal(case: Case, today: dt.date | None = None, window=None) -> str | None:
    """Why the petitioner may not rate the case now; None when they may. ``window``: the evaluation window when the
    caller has already computed it."""
    if case.evaluation is not None:
        return "该信访件已评价过，不能重复评价。"
    if case.delivered_on is None or case.status not in (Status.REPLIED, Status.CLOSED, Status.FINAL):
        return "处理意见送达后才能评价。"
    window = window or evaluation_window(case)
    if (today or local_today()) > window.due:
        return f"评价期限已于{window.due:%Y年%m月%d日}届满。"
    return None


def record_evaluation(case: Case, *, acceptance: Rating, handling: Rating, comment: str = "") -> Evaluation:
    """The petitioner's rating, once, inside the evaluation window; 不满意 puts the case under supervision."""
    _lock(case)
    refusal = evaluation_refusal(case)
    if refusal:
        raise DomainError(refusal)
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("评价意见不能超过1000字。")
    evaluation = Evaluation(case=case, acceptance=acceptance, handling=handling, comment=comment)
    db.session.add(evaluation)
    if evaluation.unsatisfied:
        case.supervised = True
    _log(
        case,
        None,
        "evaluate",
        title="满意度评价",
        public=True,
        text=f"受理：{acceptance.label}；办理：{handling.label}。",
        acceptance=acceptance.value,
        handling=handling.value,
    )
    return evaluation


def record_follow_up(
    case: Case, actor: User, *, method: str, satisfaction: Rating | None = None, notes: str = ""
) -> FollowUp:
    _require_role(case, actor, Role.CLERK, message="只有信访部门可以记录回访。")
    if case.delivered_on is None:
        raise DomainError("答复送达后才能回访。")
    follow_up = FollowUp(
        case=case,
        method=_required(method, "回访方式", 20),
        satisfaction=satisfaction,
        notes=notes.strip(),
        by_id=actor.id,
    )
    db.session.add(follow_up)
    _log(
        case,
        actor,
        "follow_up",
        title="回访",
        public=False,
        method=method,
        text=f"{method}回访" + (f"，{satisfaction.label}" if satisfaction else "") + (f"：{notes}" if notes else ""),
    )
    return follow_up


def add_instruction(case: Case, actor: User, *, text: str, rehandle: bool = False) -> Instruction:
    """批示: a leader may add a round at any stage."""
    _require_role(case, actor, Role.LEADER, message="只有领导可以作出批示。")
    instruction = Instruction(case=case, leader_id=actor.id, text=_required(text, "批示内容", 2000), rehandle=rehandle)
    db.session.add(instruction)
    _log(case, actor, "instruct", title="领导批示", public=False, text=instruction.text, rehandle=rehandle)
    return instruction


def tick_checklist_item(item: ChecklistItem, actor: User, *, done: bool) -> ChecklistItem:
    case = item.case
    _require_role(case, actor, Role.CLERK, Role.HANDLER, Role.DEPT_HEAD, message="您不能勾销该信访件的清单事项。")
    if case.status in (Status.NOT_ACCEPTED, Status.FORWARDED, Status.CLOSED):
        raise DomainError("该信访件已办结，清单不能再修改。")
    item.done_at, item.done_by_id = (utcnow(), actor.id) if done else (None, None)
    _log(
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


def supervise(case: Case, actor: User, *, note: str) -> Case:
    """督办: a supervisor puts a stuck or overdue case under supervision."""
    _require_role(case, actor, Role.SUPERVISOR, message="只有督查人员可以督办。")
    if not case.is_open:
        raise DomainError("该信访件已办结，无需督办。")
    note = _required(note, "督办意见", 1000)
    case.supervised = True
    _log(case, actor, "supervise", title="督办", public=False, text=note)
    return case


def clear_unsatisfied(case: Case, actor: User, *, reason: str) -> Evaluation:
    """A supervisor records why a case rated 不满意 may still be marked off (DESIGN §5)."""
    _require_role(case, actor, Role.SUPERVISOR, message="只有督查人员可以说明不满意件的销号理由。")
    evaluation = case.evaluation
    if evaluation is None or not evaluation.blocks_mark_off:
        raise DomainError("该信访件没有待说明的不满意评价。")
    evaluation.override_reason = _required(reason, "销号理由", 1000)
    evaluation.override_by_id, evaluation.override_at = actor.id, utcnow()
    _log(case, actor, "clear_unsatisfied", title="不满意件销号说明", public=False, text=evaluation.override_reason)
    return evaluation
