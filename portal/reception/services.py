"""Reception logs (DESIGN §6): open a duty slot's log, add entries — answered on the spot, or instructed and
transferred as a case (批示转办) — submit and lock, correct after the lock; the JF numbers (from
``portal.numbering``, so an entry is never refused for want of one); what a leader's "My duty" page shows of them.
Every change writes an audit row; functions flush, never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case as when
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import numbering, validation
from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.cases import services as case_services
from portal.cases.lifecycle import OPEN
from portal.cases.models import Case, CaseType, Rating, Status
from portal.duty.models import DutySlot
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import today as local_today
from portal.localtime import utcnow
from portal.reception.models import Handling, ReceptionCorrection, ReceptionEntry, ReceptionLog, may_keep
from portal.settings.models import get_setting
from portal.validation import limited, required

NAME_MAX = validation.NAME_MAX
MATTER_MAX = case_services.CONTENT_MAX  # a transferred matter becomes the case's content
TITLE_MAX = case_services.TITLE_MAX
ANSWER_MAX = 5000
INSTRUCTION_MAX = 2000
TEXT_MAX = 2000  # the log's summary, a correction
MAX_PEOPLE = 10000
NUMBER_SCOPE = "reception"  # the JF numbers' counter in number_sequences, one per year
LOCKED = "该接访日志已提交锁定，不能再添加或修改登记；如有错漏，请在日志下方添加更正说明。"


@dataclass(frozen=True)
class Visitor:
    """One visitor or group, as typed: plain values, checked by ``add_entry`` / ``edit_entry``."""

    name: str
    matter: str
    phone: str | None = None
    id_number: str | None = None
    address: str = ""
    place: str = ""
    people_count: int = 1
    representatives: tuple[str, ...] = ()


# --- reading ---------------------------------------------------------------------------------------------------
def log_for(slot: DutySlot) -> ReceptionLog | None:
    """The slot's log with its entries, their cases and the corrections; None before its first use."""
    return db.session.execute(
        db.select(ReceptionLog)
        .where(ReceptionLog.slot_id == slot.id)
        .options(
            selectinload(ReceptionLog.entries).selectinload(ReceptionEntry.case),
            selectinload(ReceptionLog.entries).selectinload(ReceptionEntry.department),
            selectinload(ReceptionLog.corrections).selectinload(ReceptionCorrection.created_by),
        )
    ).scalar_one_or_none()


def format_number(year: int, value: int) -> str:
    """``JF2026-0001``; after ``JF2026-9999`` comes ``JF2026-10000``."""
    return f"JF{year}-{value:04d}"


def allocate_number(year: int) -> str:
    """The next reception number of ``year`` across all logs, taken in the current transaction: people logging at
    the same moment queue for it, and a rolled-back entry gives its number back."""
    return format_number(year, numbering.allocate(NUMBER_SCOPE, year))


@dataclass(frozen=True)
class SlotRow:
    """A duty slot on the reception list, with its log (None before first use) and how many entries it has."""

    slot: DutySlot
    log: ReceptionLog | None
    entries: int

    @property
    def state(self) -> str:
        if self.log is None:
            return "未填写"
        return "已提交" if self.log.locked else "填写中"


def recent_slots(user: User, today: dt.date, days: int = 30) -> list[SlotRow]:
    """Today's slots and those of the last ``days`` days, newest first: a clerk sees every leader's, a leader his
    own. Cancelled slots are left out (nobody received)."""
    counts = (
        db.select(ReceptionEntry.log_id, func.count(ReceptionEntry.id).label("n"))
        .group_by(ReceptionEntry.log_id)
        .subquery()
    )
    stmt = (
        db.select(DutySlot, ReceptionLog, func.coalesce(counts.c.n, 0))
        .outerjoin(ReceptionLog, ReceptionLog.slot_id == DutySlot.id)
        .outerjoin(counts, counts.c.log_id == ReceptionLog.id)
        .where(DutySlot.day <= today, DutySlot.day >= today - dt.timedelta(days=days), DutySlot.cancelled.is_(False))
        .order_by(DutySlot.day.desc(), DutySlot.period_rank(), DutySlot.id)
    )
    if not user.has_role(Role.CLERK):
        stmt = stmt.where(DutySlot.leader_id == user.id)
    return [SlotRow(slot, log, n) for slot, log, n in db.session.execute(stmt)]


# --- writing ---------------------------------------------------------------------------------------------------
def _check_keeper(slot: DutySlot, actor: User) -> None:
    if not may_keep(slot, actor):
        raise NotAllowed("只有当班领导或信访部门登记员可以填写该接访日志。")


def open_log(slot: DutySlot, actor: User) -> ReceptionLog:
    """The slot's log, created on first use. Only for a slot that took place (today or earlier, not cancelled)."""
    _check_keeper(slot, actor)
    log = log_for(slot)
    if log is not None:
        return log
    _check_took_place(slot)
    log = ReceptionLog(slot_id=slot.id, leader_id=slot.leader_id, summary="")
    try:
        with db.session.begin_nested():
            db.session.add(log)
    except IntegrityError:
        # Someone opened the same log a moment ago (slot_id is unique): use theirs.
        existing = log_for(slot)
        if existing is None:
            raise
        return existing
    # Tell the roster, below us: from now on the slot's leader and time are settled.
    slot.logged_at = utcnow()
    record("reception.open_log", actor, log, slot_id=slot.id, day=slot.day.isoformat(), leader=slot.leader.username)
    return log


def _check_took_place(slot: DutySlot) -> None:
    if slot.cancelled:
        raise DomainError("该接访安排已取消，不能填写接访日志。")
    if slot.day > local_today():
        raise DomainError(f"接访日（{slot.day:%Y年%m月%d日}）尚未到，不能填写接访日志。")


def _writable_log(slot: DutySlot, actor: User) -> ReceptionLog | None:
    """The existing log (None before first use) after the checks every write makes — who, the slot took place,
    not locked — and before anything is written."""
    _check_keeper(slot, actor)
    log = log_for(slot)
    if log is None:
        _check_took_place(slot)
    elif log.locked:
        raise DomainError(LOCKED)
    return log


def add_entry(
    slot: DutySlot,
    actor: User,
    visitor: Visitor,
    *,
    handling: Handling,
    answer: str = "",
    satisfaction: Rating | None = None,
    department_id: int | None = None,
    instruction: str = "",
    case_type: CaseType = CaseType.CLAIM,
    title: str = "",
    repeat_of_id: int | None = None,
    new_facts: bool = False,
) -> tuple[ReceptionEntry, str | None]:
    """Record one visitor or group. 当场答复 keeps the answer and the visitor's satisfaction; 批示转办 opens a
    ``visit`` case assigned to the department, owned by the duty leader, with the instruction on it. Returns the
    entry and, for a transfer, the case's query code (to be shown once, never stored)."""
    log = _writable_log(slot, actor)
    values = _checked(visitor, contact_required=handling is Handling.TRANSFERRED)
    case = query_code = None
    if handling is Handling.ANSWERED:
        answer = required(answer, "答复内容", ANSWER_MAX)
    else:
        if not department_id:
            raise DomainError("批示转办请选择责任单位。")
        instruction = required(instruction, "批示内容", INSTRUCTION_MAX)
        title = limited(title, "事项标题", TITLE_MAX) or _title_from(values["matter"])
        satisfaction = None  # asked when the case is answered, not at the desk
        # The case before the log: the case service may still refuse (the caller then rolls back), and on SQLite
        # the savepoint in open_log nests properly only inside a transaction that has already written.
        case, query_code = case_services.open_reception_case(
            actor,
            leader=slot.leader,
            department_id=department_id,
            instruction=instruction,
            title=title,
            content=values["matter"],
            petitioner_name=values["name"],
            phone=values["phone"],
            id_number=values["id_number"],
            address=values["address"],
            place=values["place"],
            people_count=values["people_count"],
            representatives=values["representatives"],
            case_type=case_type,
            repeat_of_id=repeat_of_id,
            new_facts=new_facts,
            received_on=slot.day,
        )
        answer = instruction
    log = log or open_log(slot, actor)
    log.leader_id = slot.leader_id  # the leader who received, also when a swap came after the log was opened
    entry = ReceptionEntry(
        log_id=log.id,
        # Numbered last, just before the entry is written: the counter stays locked until the caller commits.
        number=allocate_number(slot.day.year),
        handling=handling,
        answer=answer,
        satisfaction=satisfaction,
        # A transfer merged into the open case on the same matter (并案) went where that case is handled.
        department_id=(case.repeat_of if case.status is Status.MERGED else case).department_id if case else None,
        case_id=case.id if case else None,
        created_by_id=actor.id,
        **values,
    )
    log.entries.append(entry)
    db.session.flush()
    record(
        "reception.add_entry",
        actor,
        entry,
        number=entry.number,
        log_id=log.id,
        handling=handling.value,
        tracking_code=case.tracking_code if case else None,
        repeat_of=case.repeat_of.tracking_code if case and case.repeat_of else None,
    )
    return entry, query_code


def edit_entry(
    entry: ReceptionEntry, actor: User, visitor: Visitor, *, answer: str, satisfaction: Rating | None = None
) -> ReceptionEntry:
    """Correct an on-the-spot entry while the log is open; a transfer is corrected on its case."""
    log = entry.log
    _check_keeper(log.slot, actor)
    if log.locked:
        raise DomainError(LOCKED)
    if entry.handling is not Handling.ANSWERED:
        raise DomainError(f"{entry.number} 已批示转办为信访件，请在信访件中更正，或在日志提交后添加更正说明。")
    values = _checked(visitor, contact_required=False)
    values["answer"] = required(answer, "答复内容", ANSWER_MAX)
    values["satisfaction"] = satisfaction
    changed = sorted(k for k, v in values.items() if getattr(entry, k) != v)
    for key in changed:
        setattr(entry, key, values[key])
    db.session.flush()
    record("reception.edit_entry", actor, entry, number=entry.number, log_id=log.id, changed=",".join(changed))
    return entry


def submit_log(slot: DutySlot, actor: User, *, summary: str = "") -> ReceptionLog:
    """提交并锁定: from now on entries are neither added nor edited; corrections go on separately.
    A duty with no visitors is submitted too: the log then records that nobody came."""
    log = _writable_log(slot, actor)
    summary = limited(summary, "接访小结", TEXT_MAX)
    log = log or open_log(slot, actor)
    log.summary = summary or log.summary
    log.submitted_at, log.submitted_by_id = utcnow(), actor.id
    db.session.flush()
    record("reception.submit_log", actor, log, slot_id=slot.id, entries=len(log.entries))
    return log


def add_correction(log: ReceptionLog, actor: User, *, text: str, entry_id: int | None = None) -> ReceptionCorrection:
    """A correction to a submitted log; the original entries stay exactly as they were."""
    _check_keeper(log.slot, actor)
    if not log.locked:
        raise DomainError("接访日志尚未提交，请直接修改登记内容。")
    if entry_id and not any(e.id == entry_id for e in log.entries):
        raise DomainError("所选登记不在本接访日志中。")
    correction = ReceptionCorrection(
        log_id=log.id, entry_id=entry_id or None, created_by_id=actor.id, text=required(text, "更正内容", TEXT_MAX)
    )
    log.corrections.append(correction)
    db.session.flush()
    record(
        "reception.correct",
        actor,
        correction,
        log_id=log.id,
        number=next((e.number for e in log.entries if e.id == entry_id), None),
    )
    return correction


# --- My duty ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BornCase:
    """A case opened at one of the leader's receptions, with the entry it came from."""

    entry: ReceptionEntry
    case: Case
    slot_id: int  # the slot whose log the entry is on


def reception_summary(leader: User, today: dt.date, limit: int = 20) -> dict:
    """What ``duty/_mine_reception.html`` shows on the leader's My duty page:

    - ``reception_today``: the leader's slots today, each a ``SlotRow`` (slot, log or None, entries);
    - ``reception_cases``: cases born at the leader's receptions, open ones first by due date, then the rest
      newest first, at most ``limit`` — each a ``BornCase`` (entry, case, slot_id);
    - ``reception_cases_total`` / ``reception_cases_open``: how many there are in all / still open.
    """
    today_rows = [row for row in recent_slots(leader, today, days=0) if row.slot.leader_id == leader.id]
    mine = (ReceptionLog.leader_id == leader.id, ReceptionEntry.case_id.is_not(None))
    is_open = Case.status.in_(sorted(OPEN))
    rows = db.session.execute(
        db.select(ReceptionEntry, Case, ReceptionLog.slot_id)
        .join(ReceptionEntry.log)
        .join(Case, Case.id == ReceptionEntry.case_id)
        .where(*mine)
        .order_by(
            when((is_open, 0), else_=1),
            when((is_open, Case.due_date), else_=None),
            Case.received_on.desc(),
            Case.id.desc(),
        )
        .limit(limit)
    ).all()
    total, still_open = db.session.execute(
        db.select(func.count(Case.id), func.coalesce(func.sum(when((is_open, 1), else_=0)), 0))
        .select_from(ReceptionEntry)
        .join(ReceptionEntry.log)
        .join(Case, Case.id == ReceptionEntry.case_id)
        .where(*mine)
    ).one()
    return {
        "reception_today": today_rows,
        "reception_cases": [BornCase(entry, case, slot_id) for entry, case, slot_id in rows],
        "reception_cases_total": total,
        "reception_cases_open": still_open,
    }


# --- checks ----------------------------------------------------------------------------------------------------
def _checked(visitor: Visitor, *, contact_required: bool) -> dict:
    """The visitor's fields, trimmed and checked; a DomainError names the first problem."""
    name = required(visitor.name, "来访人姓名", NAME_MAX)
    phone, id_number = validation.contact(visitor.phone, visitor.id_number)
    if contact_required and not (phone or id_number):
        raise DomainError("批示转办须至少填写联系电话或身份证号，以便告知办理情况。")
    people_count = validation.people_count(visitor.people_count, maximum=MAX_PEOPLE)
    names = validation.representatives(
        visitor.representatives, people_count=people_count, limit=int(get_setting("max_representatives"))
    )
    return {
        "name": name,
        "phone": phone,
        "id_number": id_number,
        "address": limited(visitor.address, "住址", 200),
        "place": limited(visitor.place, "问题发生地", 200),
        "matter": required(visitor.matter, "反映事项", MATTER_MAX),
        "people_count": people_count,
        "representatives": names,
    }


def _title_from(matter: str, length: int = 30) -> str:
    """A case title from the matter's first line, when none was typed."""
    first = matter.strip().splitlines()[0].strip()
    return first if len(first) <= length else first[: length - 1] + "…"
