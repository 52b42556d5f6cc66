"""The only place an agent's matter changes: the five steps (信访五步法), the office's messages to the agent, the
agents' rating of departments and complaints against an agent. Flush, never commit; every step is dated, audited
and on the matter's timeline."""

from __future__ import annotations

import datetime as dt
import hashlib

from portal.accounts.models import Role, User
from portal.agents.models import (
    AGENT_CHANNELS,
    TEXT_MAX,
    TITLE_MAX,
    TRANSITIONS,
    AgentMatter,
    DepartmentRating,
    MatterEvent,
    MatterFile,
    OfficeMessage,
    can_message_agent,
    period_label,
    period_of,
    township_of,
)
from portal.audit.services import record
from portal.cases import attachments as sealed_files
from portal.cases import services as cases
from portal.cases.accused import CadreLevel
from portal.cases.attachments import Upload
from portal.cases.models import Case, CaseType, Channel, Rating
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import today as local_today
from portal.org.models import Department, Level
from portal.protection import rotation
from portal.validation import contact, limited, required


def _day(day: dt.date | None, label: str, not_before: dt.date | None = None) -> dt.date:
    day = day or local_today()
    if day > local_today():
        raise DomainError(f"{label}不能晚于今天。")
    if not_before is not None and day < not_before:
        raise DomainError(f"{label}不能早于{not_before:%Y年%m月%d日}。")
    return day


def _event(matter: AgentMatter, actor: User, action: str, on: dt.date, title: str, text: str = "") -> None:
    """The timeline entry of a step; the caller writes the step's audit row."""
    matter.events.append(MatterEvent(on=on, actor_id=actor.id, action=action, title=title, text=text))
    db.session.flush()


def _step(matter: AgentMatter, actor: User, action: str) -> None:
    """Refuse the step (403 for someone who may not work the matter, 422 for the wrong stage); changes nothing."""
    if refusal := matter.refusal(action, actor):
        raise (NotAllowed if not matter.can_act(actor) else DomainError)(refusal)


def _advance(matter: AgentMatter, action: str) -> None:
    matter.stage = TRANSITIONS[action][1]


def _keep(matter: AgentMatter, actor: User, purpose: str, upload: Upload) -> MatterFile:
    row = MatterFile(
        purpose=purpose,
        original_name=upload.name,
        stored_name=sealed_files.write_sealed(upload),
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    matter.files.append(row)
    return row


# --- 1 登记备案 ------------------------------------------------------------------------------------------------
def register_matter(
    actor: User,
    *,
    name: str,
    phone: str | None,
    id_number: str | None = None,
    address: str = "",
    channel: Channel = Channel.VISIT,
    received_on: dt.date | None = None,
    case_type: CaseType = CaseType.CLAIM,
    title: str,
    content: str,
    place: str = "",
    accuses_local_cadres: bool = False,
) -> AgentMatter:
    """Record a villager's matter in the agent's area. One that accuses the village's own cadres is held by the
    township above, so that another agent (or the township) carries it, never the accused's colleagues."""
    if not actor.is_agent:
        raise NotAllowed("只有信访代理员可以登记代理事项。")
    if channel not in AGENT_CHANNELS:
        raise DomainError("请选择来访、来电或来信。")
    phone, id_number = contact(phone, id_number)
    if not (phone or id_number):
        raise DomainError("请至少填写信访人的联系电话或身份证号，以便反馈结果。")
    area = actor.department
    if accuses_local_cadres and area.level is not Level.TOWNSHIP:
        area = township_of(area)
        if area is None:
            raise DomainError("找不到本村所属的乡镇，无法移交。")
    matter = AgentMatter(
        area=area,
        registered_by_id=actor.id,
        name=required(name, "信访人姓名", 50),
        phone=phone,
        id_number=id_number,
        address=limited(address, "住址", 200),
        channel=channel,
        received_on=_day(received_on, "收到日期"),
        case_type=case_type,
        title=required(title, "事项标题", TITLE_MAX),
        content=required(content, "反映内容", TEXT_MAX),
        place=limited(place, "问题发生地", 200),
        accuses_local_cadres=bool(accuses_local_cadres),
    )
    db.session.add(matter)
    db.session.flush()
    text = f"{matter.channel.label}，{matter.received_on:%Y年%m月%d日}收到。"
    if area.id != actor.department_id:
        text += f"反映本村干部，移交{area.name}的信访代理员办理。"
    _event(matter, actor, "register", matter.received_on, "登记备案", text)
    record("agent.register", actor, matter, stage=matter.stage.value, on=matter.received_on.isoformat())
    return matter


# --- 2 委托 ------------------------------------------------------------------------------------------------------
def record_commitment(actor: User, matter: AgentMatter, *, signed_on: dt.date | None, scan: Upload | None) -> None:
    """委托: the 双向承诺书 both sides signed, its scan kept sealed."""
    if scan is None:
        raise DomainError("请上传双方签字的《群众信访双向承诺书》扫描件。")
    _step(matter, actor, "commit")
    matter.committed_on = _day(signed_on, "签订日期", matter.received_on)
    _keep(matter, actor, "commitment", scan)
    _advance(matter, "commit")
    _event(matter, actor, "commit", matter.committed_on, "委托", "双方签订《群众信访双向承诺书》，扫描件已存档。")
    record("agent.commit", actor, matter, stage=matter.stage.value, on=matter.committed_on.isoformat())


# --- 3a 本级调处 ---------------------------------------------------------------------------------------------------
def record_mediation(
    actor: User,
    matter: AgentMatter,
    *,
    mediated_on: dt.date | None,
    parties: str,
    outcome: str,
    agreement_text: str = "",
    agreement_scan: Upload | None = None,
    villager_confirmed: bool = False,
) -> None:
    """本级调处: settled at the agent's level, with the parties, the outcome, the agreement and the villager's
    confirmation that it is settled."""
    _step(matter, actor, "mediate")
    if not villager_confirmed:
        raise DomainError("请先请信访人确认调处结果（勾选“信访人已确认”）。")
    if not (agreement_text or "").strip() and agreement_scan is None:
        raise DomainError("请填写调解协议内容或上传协议扫描件。")
    matter.mediated_on = _day(mediated_on, "调处日期", matter.committed_on)
    matter.mediation_parties = required(parties, "调处参与方", 200)
    matter.mediation_outcome = required(outcome, "调处结果", TEXT_MAX)
    matter.agreement_text = limited(agreement_text, "协议内容", TEXT_MAX)
    matter.villager_confirmed = True
    if agreement_scan is not None:
        _keep(matter, actor, "agreement", agreement_scan)
    _advance(matter, "mediate")
    _event(matter, actor, "mediate", matter.mediated_on, "本级调处", f"{matter.mediation_outcome}（信访人已确认）")
    record("agent.mediate", actor, matter, stage=matter.stage.value, on=matter.mediated_on.isoformat())


# --- 3b 代言代访 ---------------------------------------------------------------------------------------------------
def carry_up(actor: User, matter: AgentMatter) -> tuple[Case, str]:
    """Register the matter as a case on the villager's behalf; return the case and its query code (for the
    villager's receipt, shown once)."""
    _step(matter, actor, "carry_up")
    case, query_code = cases.register_on_behalf(
        actor,
        channel=matter.channel,
        received_on=matter.received_on,
        case_type=matter.case_type,
        title=matter.title,
        content=matter.content,
        petitioner_name=matter.name,
        phone=matter.phone,
        id_number=matter.id_number,
        address=matter.address,
        place=matter.place,
    )
    matter.case = case
    matter.carried_up_on = local_today()
    _advance(matter, "carry_up")
    _event(
        matter, actor, "carry_up", matter.carried_up_on, "代言代访", f"已代为提出，信访件编号 {case.tracking_code}。"
    )
    record("agent.carry_up", actor, matter, stage=matter.stage.value, on=matter.carried_up_on.isoformat())
    return case, query_code


# --- 4 反馈结果 ----------------------------------------------------------------------------------------------------
def record_feedback(
    actor: User,
    matter: AgentMatter,
    *,
    fed_back_on: dt.date | None,
    text: str,
    rating: Rating | None,
    comment: str = "",
) -> None:
    """反馈结果: what the agent told the villager, and the villager's rating of the agent (评议)."""
    _step(matter, actor, "feedback")
    if rating is None:
        raise DomainError("请记录信访人对代理员的评议（满意、基本满意或不满意）。")
    matter.fed_back_on = _day(fed_back_on, "反馈日期", matter.mediated_on or matter.carried_up_on)
    matter.feedback_text = required(text, "反馈内容", TEXT_MAX)
    matter.villager_rating = rating
    matter.villager_comment = limited(comment, "评议意见", 500)
    _advance(matter, "feedback")
    _event(
        matter,
        actor,
        "feedback",
        matter.fed_back_on,
        "反馈结果",
        f"{matter.feedback_text}（信访人评议：{rating.label}）",
    )
    record("agent.feedback", actor, matter, stage=matter.stage.value, on=matter.fed_back_on.isoformat())


# --- 5 回访巩固 ----------------------------------------------------------------------------------------------------
def record_follow_up(
    actor: User, matter: AgentMatter, *, followed_up_on: dt.date | None, text: str, new_risk: str = ""
) -> None:
    _step(matter, actor, "follow_up")
    matter.followed_up_on = _day(followed_up_on, "回访日期", matter.fed_back_on)
    matter.follow_up_text = required(text, "回访情况", TEXT_MAX)
    matter.new_risk = limited(new_risk, "新的信访隐患", 500)
    note = matter.follow_up_text + (f"；发现新的隐患：{matter.new_risk}" if matter.new_risk else "")
    _advance(matter, "follow_up")
    _event(matter, actor, "follow_up", matter.followed_up_on, "回访巩固", note)
    record("agent.follow_up", actor, matter, stage=matter.stage.value, on=matter.followed_up_on.isoformat())


# --- the office writes to the agent -----------------------------------------------------------------------------
def message_agent(actor: User, case: Case, text: str) -> OfficeMessage:
    if not can_message_agent(case, actor):
        raise NotAllowed("只有能阅办此件的工作人员可以告知代理人。")
    message = OfficeMessage(case=case, author_id=actor.id, text=required(text, "告知内容", 2000))
    db.session.add(message)
    db.session.flush()
    record("agent.message", actor, case, tracking_code=case.tracking_code, agent_id=case.agent_id)
    return message


# --- 形象测评 -------------------------------------------------------------------------------------------------------
def rateable_departments(agent: User) -> list[Department]:
    """The departments that handled cases this agent carried up."""
    stmt = (
        db.select(Department)
        .where(Department.id.in_(db.select(Case.department_id).where(Case.agent_id == agent.id)))
        .order_by(Department.name)
    )
    return list(db.session.execute(stmt).scalars())


def rate_department(
    actor: User, department_id: int, rating: Rating, comment: str = "", day: dt.date | None = None
) -> DepartmentRating:
    """One rating per agent, department and half-year."""
    if not actor.is_agent:
        raise NotAllowed("只有信访代理员参加部门单位信访工作形象测评。")
    if department_id not in {d.id for d in rateable_departments(actor)}:
        raise DomainError("只能测评办理过您代理事项的部门单位。")
    period = period_of(day or local_today())
    exists = db.session.execute(
        db.select(DepartmentRating.id).filter_by(agent_id=actor.id, department_id=department_id, period=period)
    ).first()
    if exists:
        raise DomainError(f"您已测评过该单位{period_label(period)}的信访工作。")
    row = DepartmentRating(
        agent_id=actor.id,
        department_id=department_id,
        period=period,
        rating=rating,
        comment=limited(comment, "测评意见", 500),
    )
    db.session.add(row)
    db.session.flush()
    record("agent.rate_department", actor, row, department_id=department_id, period=period, rating=rating.value)
    return row


# --- complaints against an agent (投诉) --------------------------------------------------------------------------
def register_complaint(
    actor: User,
    agent: User,
    *,
    channel: Channel,
    title: str,
    content: str,
    petitioner_name: str,
    phone: str | None,
    id_number: str | None = None,
) -> tuple[Case, str]:
    """A complaint against an agent is a petition like any other: registered by the petition office, the agent
    recorded as the person complained against (so the case is sealed from them), accepted and assigned to the
    agent's township."""
    if not actor.has_role(Role.CLERK):
        raise NotAllowed("投诉由信访部门登记。")
    if not agent.is_agent:
        raise DomainError("被投诉人不是信访代理员。")
    township = township_of(agent.department)
    if township is None:
        raise DomainError("找不到该代理员所属的乡镇。")
    case, query_code = cases.register_case(
        actor,
        channel=channel,
        case_type=CaseType.CLAIM,
        title=title,
        content=content,
        petitioner_name=petitioner_name,
        phone=phone,
        id_number=id_number,
        place=agent.department.name,
    )
    cases.record_accused(
        case,
        actor,
        username=agent.username,
        post=f"{agent.department.name}信访代理员",
        cadre_level=CadreLevel.VILLAGE if agent.department.level is not Level.TOWNSHIP else CadreLevel.TOWNSHIP,
    )
    cases.accept(case, actor, note="投诉信访代理员，交所属乡镇办理。")
    cases.assign(case, actor, department_id=township.id)
    record("agent.complaint", actor, case, tracking_code=case.tracking_code, agent_id=agent.id)
    return case, query_code


def _reseal_matter_files(ring, *, dry_run: bool = False) -> dict[str, int]:
    """``flask keys rotate``: the agents' scans are sealed like the cases' attachments and rotate with them."""
    names = db.session.execute(db.select(MatterFile.stored_name).order_by(MatterFile.id)).scalars()
    counts = sealed_files.reseal_stored(names, ring, dry_run=dry_run)
    return {f"agent {what}": n for what, n in counts.items()}  # beside, not over, the attachments' counts


rotation.register_files("agent matter files", _reseal_matter_files)
