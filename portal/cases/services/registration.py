"""Registration: a petition from any channel becomes a case with its tracking and query codes, the petitioner is
recognised, earlier cases are found, and a leader's reception can turn a visit into an assigned case at once."""

from __future__ import annotations

import datetime as dt

from portal import validation
from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.cases import attachments as attachment_store
from portal.cases import codes
from portal.cases.attachments import Upload
from portal.cases.models import (
    ADDRESS_MAX,
    CONTENT_MAX,
    TITLE_MAX,
    Case,
    CaseType,
    Category,
    Channel,
    Instruction,
    Petitioner,
    Procedure,
    Status,
    simple_procedure_refusal,
)
from portal.cases.services import query_codes, steps
from portal.cases.services.transitions import assign_to, merge_into_open_case
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import today as local_today
from portal.org.models import Department
from portal.protection import matches
from portal.settings.models import get_setting
from portal.validation import contact, limited, normalise_id_number, normalise_phone, phone_problem, required

# --- registration --------------------------------------------------------------------------------------------
ANONYMOUS_NAME = "匿名"


class IdentityConflict(DomainError):
    """The ID number given belongs to a petitioner of another name: the clerk must say whether it is the same
    person before anything is saved."""

    def __init__(self, known: Petitioner, name: str):
        super().__init__(
            f"身份证号 {known.masked_id_number} 已登记为信访人“{known.masked_name}”，与所填姓名“{name}”不一致。"
            "请核实后选择“同一人”（登记到原信访人名下）或“不是同一人”（另建信访人）。"
        )
        self.known = known

    status_code = 409


def _matches(phone: str | None, id_number: str | None, *, name: str | None = None) -> list[Petitioner]:
    """Known petitioners with this ID number, or this phone (and ``name``, when given); ID number matches first."""
    found = []
    if id_number:
        found += db.session.execute(
            db.select(Petitioner)
            .where(matches(Petitioner.id_number_index, "id_number", id_number))
            .order_by(Petitioner.id)
        ).scalars()
    if phone:
        stmt = db.select(Petitioner).where(matches(Petitioner.phone_index, "phone", phone)).order_by(Petitioner.id)
        if name is not None:
            stmt = stmt.filter_by(name=name)
        found += [p for p in db.session.execute(stmt).scalars() if p not in found]
    return found


def find_or_create_petitioner(
    name: str,
    phone: str | None,
    id_number: str | None,
    address: str = "",
    *,
    claimed: bool = False,
    same_person: bool | None = None,
) -> tuple[Petitioner, bool]:
    """The petitioner a case is registered to, and whether a known petitioner may be the same person and waits for
    a clerk to say so. Nothing here ever changes a known petitioner: their details change only by a clerk's edit.

    ``claimed``: the details are the petitioner's own claim (an online submission), proving nobody's identity, so
    a new petitioner is made and a match is only a suggestion for the clerk. Otherwise (the petition office
    registering) the person is recognised by ID number, then by phone and name; an ID number known under another
    name raises ``IdentityConflict`` unless ``same_person`` answers it (True: that petitioner, False: a new one)."""
    name = required(name, "信访人姓名", 50)
    phone, id_number = contact(phone, id_number)
    if claimed:
        petitioner = Petitioner(name=name, phone=phone, id_number=id_number, address=address or "")
        db.session.add(petitioner)
        return petitioner, bool(_matches(phone, id_number))
    known = None
    if id_number:
        known = next(iter(_matches(None, id_number)), None)
        if known is not None and known.name != name:
            if same_person is None:
                raise IdentityConflict(known, name)
            known = known if same_person else None
        elif known is None and phone:
            known = next(iter(_matches(phone, None, name=name)), None)
    elif phone:
        known = next(iter(_matches(phone, None, name=name)), None)
    if known is not None:
        return known, False
    petitioner = Petitioner(name=name, phone=phone, id_number=id_number, address=address or "")
    db.session.add(petitioner)
    return petitioner, False


def identity_suggestions(case: Case) -> list[Petitioner]:
    """Known petitioners who may be the person behind ``case`` (same ID number or phone), for the clerk to confirm
    or keep apart; empty once the clerk has answered."""
    if not case.identity_unconfirmed:
        return []
    given = case.petitioner
    return [p for p in _matches(given.phone, given.id_number) if p.id != given.id]


def related_cases(case: Case, viewer: User, limit: int = 10) -> list[Case]:
    """The case it repeats, the cases that repeat it, and the petitioner's other cases that ``viewer`` may read;
    newest first. A sealed case is never linked for someone outside its seal (条例 art.30)."""
    stmt = (
        db.select(Case)
        .where(
            Case.id != case.id,
            Case.visible_to(viewer),
            db.or_(
                Case.petitioner_id == case.petitioner_id,
                Case.repeat_of_id == case.id,
                Case.id == (case.repeat_of_id or -1),
            ),
        )
        .order_by(Case.received_on.desc(), Case.id.desc())
        .limit(limit)
    )
    return [c for c in db.session.execute(stmt).scalars() if c.can_read(viewer)]


def earlier_cases(
    phone: str | None = None, id_number: str | None = None, *, viewer: User | None = None, limit: int = 10
) -> list[Case]:
    """Cases of the petitioner with this ID number or phone, newest first: the basis of repeat detection. With
    ``viewer`` (every page), only the cases that person may read: a sealed case stays hidden from the accused."""
    conditions = []
    phone, id_number = normalise_phone(phone), normalise_id_number(id_number)
    if id_number:
        conditions.append(matches(Petitioner.id_number_index, "id_number", id_number))
    if phone:
        conditions.append(matches(Petitioner.phone_index, "phone", phone))
    if not conditions:
        return []
    stmt = (
        db.select(Case)
        .join(Case.petitioner)
        .where(db.or_(*conditions), Case.visible_to(viewer) if viewer is not None else db.true())
        .order_by(Case.received_on.desc(), Case.id.desc())
        .limit(limit)
    )
    found = db.session.execute(stmt).scalars()
    return [c for c in found if viewer is None or c.can_read(viewer)]


def register_case(actor: User | None, *, channel: Channel, **details) -> tuple[Case, str]:
    """Register a petition from any channel; return the case and its query code (shown once, never stored).
    The petition office registers every channel, the public only online; ``details`` are those of ``_register``."""
    if actor is not None and not actor.can_register_cases:
        raise NotAllowed("只有信访登记员可以登记信访件。")
    if actor is None and channel is not Channel.ONLINE:
        raise NotAllowed("公众只能通过网上信访提交。")
    return _register(actor, channel=channel, **details)


def register_on_behalf(actor: User, *, channel: Channel, received_on: dt.date, **details) -> tuple[Case, str]:
    """The grassroots network registers a matter as a case on the villager's behalf: a petition agent's 代言代访
    (the agent recorded as 代理人) or a screening cadre's dispute that could not be settled locally. The villager is
    the petitioner; the channel and the day they brought it are kept. ``details`` are those of ``_register``; the
    caller (portal.agents, portal.screening) has checked that the actor holds the matter."""
    if not (actor.is_agent or actor.files_screening):
        raise NotAllowed("只有信访代理员、矛盾纠纷排查员可以代为登记信访件。")
    case, query_code = _register(actor, channel=channel, received_on=received_on, **details)
    if actor.is_agent:
        case.agent_id = actor.id
        text = f"本事项由{actor.department.name}信访代理员{actor.name}受信访人委托代为提出。"
    else:
        text = f"本事项经{actor.department.name}矛盾纠纷排查发现，未能就地化解，转信访部门登记。"
    steps.log(case, actor, "grassroots_register", title="基层代为提出", public=True, text=text, by=actor.username)
    return case, query_code


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
    place_area_id: int | None = None,
    repeat_of_id: int | None = None,
    attachments: list[Upload] = (),
    postmarked_on: dt.date | None = None,
    caller_number: str = "",
    group_visit: bool = False,
    representatives: list[str] = (),
    new_facts: bool = False,
    procedure_reason: str = "",
    skipped_level: bool = False,
    proper_level: str = "",
    query_code_by: str = "receipt",
    anonymous: bool = False,
    same_person: bool | None = None,
) -> tuple[Case, str]:
    """The registration itself. ``attachments`` have been checked by ``attachments.check_uploads``; their files are
        written here. ``query_code_by``: how the query code is given — on the receipt (shown once, to print or hand
    over), or in the first SMS (the receipt then shows it masked). ``anonymous``: an accusation
        without a name or contact (匿名检举控告), accepted and labelled so. ``same_person`` answers an
        ``IdentityConflict`` of an earlier attempt."""
    title = required(title, "标题", TITLE_MAX)
    content = required(content, "信访内容", CONTENT_MAX)
    if anonymous and case_type is not CaseType.ACCUSATION:
        raise DomainError("只有检举控告类信访件可以匿名。")
    phone, id_number = (None, None) if anonymous else contact(phone, id_number)
    address, place = "" if anonymous else limited(address, "住址", ADDRESS_MAX), limited(place, "问题发生地", 200)
    if not (phone or id_number or anonymous):
        raise DomainError("请至少填写联系电话或身份证号，以便告知办理情况。")
    if query_code_by not in (query_codes.RECEIPT, query_codes.SMS):
        raise DomainError("请选择告知查询码的方式。")
    if query_code_by == query_codes.SMS and not phone:
        raise DomainError("以短信告知查询码，须填写信访人的手机号码；没有手机号码的，请在登记回执上告知查询码。")
    if people_count < 1:
        raise DomainError("来访人数至少为 1。")
    today = local_today()
    received_on = received_on or today
    if received_on > today:
        raise DomainError("收到日期不能晚于今天。")
    if category_id is not None and db.session.get(Category, category_id) is None:
        raise DomainError("所选内容分类不存在。")
    if place_area_id is not None:
        area = db.session.get(Department, place_area_id)
        if area is None or not area.active or not area.is_place_area:
            raise DomainError("所选问题属地不存在，请从乡镇（街道）、村（社区）中选择。")
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
    if procedure is Procedure.SIMPLE and (
        refusal := simple_procedure_refusal(
            case_type, channel_details["group_visit"], people_count, repeat_of is not None
        )
    ):
        raise DomainError(refusal)

    if anonymous:
        # Nobody to recognise, and nobody else's record to attach an accusation to.
        petitioner, unconfirmed = Petitioner(name=ANONYMOUS_NAME, address=""), False
        db.session.add(petitioner)
    else:
        petitioner, unconfirmed = find_or_create_petitioner(
            petitioner_name, phone, id_number, address, claimed=actor is None, same_person=same_person
        )
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
        place_area_id=place_area_id,
        petitioner=petitioner,
        anonymous=anonymous,
        identity_unconfirmed=unconfirmed,
        contact_phone=phone,
        contact_id_number=id_number,
        contact_address=address or None,
        repeat_of=repeat_of,
        registered_by_id=getattr(actor, "id", None),
        received_on=received_on,
        status=Status.REGISTERED,
        new_facts=bool(new_facts and repeat_of is not None),
        skipped_level=skipped_level,
        proper_level=limited(proper_level, "应当受理的机关", 100) if skipped_level else "",
        **channel_details,
        procedure_reason=limited(procedure_reason, "适用简易办理的理由", 200) if procedure is Procedure.SIMPLE else "",
    )
    db.session.add(case)
    clock = steps.set_clock(case, "simple_accept" if procedure is Procedure.SIMPLE else "accept", received_on)
    case.accept_due = clock.due
    steps.event(
        case,
        actor,
        "register",
        title="登记",
        public=True,
        to_status=Status.REGISTERED,
        text=f"您的信访事项（{channel.label}）已于{received_on:%Y年%m月%d日}收到并登记，编号 {case.tracking_code}。"
        f"我们将在{clock.due:%Y年%m月%d日}前告知是否受理。",
        data={"query_code_by": query_code_by},
        # The first SMS carries the code when the clerk chose so (a caller has no receipt); nothing stores it.
        notice={"query_code": query_code} if query_code_by == query_codes.SMS else None,
    )
    stored = attachment_store.store(case, list(attachments), getattr(actor, "id", None))
    db.session.flush()
    record(
        "case.register",
        actor,
        case,
        tracking_code=case.tracking_code,
        channel=channel.value,
        repeat_of=repeat_of.tracking_code if repeat_of else None,
        attachments=len(stored),
        anonymous=anonymous,
        identity_unconfirmed=unconfirmed,
        query_code_by=query_code_by,
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
        number = normalise_phone(caller_number)
        if number and phone_problem(number):
            raise DomainError("来电号码格式不正确。")
        details["caller_number"] = number or ""
    if channel is Channel.VISIT:
        names = validation.representatives(
            representatives, people_count=people_count, limit=int(get_setting("max_representatives"))
        )
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
    leader (or a clerk writing the log for them) acts here in place of the petition office's separate steps.

    A repeat of a case still being handled, without new facts, is not accepted a second time: like the clerk's
    ``merge`` it is merged into the open case (并案), the leader's instruction goes on that case, and the petitioner is
    told where the matter stands. With new facts it is a new case, linked to the earlier one."""
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
    )
    if (into := case.merges_into) is not None:
        return _merge_at_reception(case, query_code, actor, leader, into, instruction, department_id)
    today = case.received_on
    case.decided_on = today
    clock = steps.set_clock(case, "handle", today)
    case.handle_due = clock.due
    steps.finish(
        case,
        actor,
        "accept",
        title="受理告知",
        public=True,
        text=f"领导接访时当场受理（{today:%Y年%m月%d日}），将在{clock.due:%Y年%m月%d日}前出具书面处理意见。",
    )
    instruction_row = Instruction(case=case, leader_id=leader.id, text=required(instruction, "批示内容", 2000))
    db.session.add(instruction_row)
    steps.log(case, actor, "instruct", title="领导批示", public=False, text=instruction_row.text)
    assign_to(case, actor, department_id, leader.id)
    # The petitioner hears of it by the notices (portal.notifications): one SMS, 受理告知, for the steps taken here.
    return case, query_code


def _merge_at_reception(
    case: Case,
    query_code: str,
    actor: User,
    leader: User,
    into: Case,
    instruction: str,
    department_id: int,
) -> tuple[Case, str]:
    """批示转办 of a matter already being handled: 并案 into the open case, the instruction on it (a further round)."""
    chosen = db.session.get(Department, department_id)
    text = required(instruction, "批示内容", 2000)
    merge_into_open_case(
        case,
        actor,
        note="领导接访批示转办时，同一事项正在办理，并入原件"
        + (f"（接访时拟交{chosen.name}）" if chosen is not None and chosen.id != into.department_id else ""),
    )
    db.session.add(Instruction(case=into, leader_id=leader.id, text=text))
    steps.log(into, actor, "instruct", title="领导批示", public=False, text=f"（领导接访 {case.tracking_code}）{text}")
    # The petitioner hears of it by the notices (portal.notifications): the 并案告知 SMS names the open case.
    return case, query_code
