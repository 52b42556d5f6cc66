"""The steps every case service takes: lock the row and check the version, ask the lifecycle whether the actor
may act, write the timeline event and the audit row, tick the checklist items the event stands for, set the clock.
Services flush, never commit."""

from __future__ import annotations

import datetime as dt

from portal.accounts.models import User
from portal.audit.services import record
from portal.cases.lifecycle import ACTIONS, Refusal, Status
from portal.cases.models import Case, CaseEvent, Channel
from portal.cases.signals import event_written
from portal.deadlines.services import deadline
from portal.errors import DomainError, NotAllowed, StaleCase
from portal.extensions import db
from portal.localtime import utcnow


def lock(case: Case, expected_version: int | None = None) -> None:
    """Lock the case's row for the rest of the transaction and read it afresh (PostgreSQL; SQLite serialises writers
    anyway): two people acting at once queue up, and the second is checked against the first one's result."""
    if case.id is not None:
        db.session.flush()
        db.session.refresh(case, with_for_update={"of": Case})
    if expected_version is not None and case.version != expected_version:
        raise StaleCase()


def refuse(refusal: Refusal | None) -> None:
    """Raise the error a refusal stands for: 403 when the person may not act at all, 422 when the case may not."""
    if refusal is not None:
        raise (NotAllowed if refusal.forbidden else DomainError)(refusal.message)


def begin(case: Case, actor: User | None, name: str, expected_version: int | None = None):
    """Lock ``case`` and check that ``actor`` may take action ``name`` on it now; return the action."""
    lock(case, expected_version)
    refuse(case.refusal(name, actor))
    return ACTIONS[name]


def finish(
    case: Case, actor: User | None, name: str, *, title: str, text: str = "", public: bool, data: dict | None = None
) -> CaseEvent:
    """Move ``case`` to the transition's target and write the event and the audit row."""
    transition = ACTIONS[name]
    before = case.status
    case.status = transition.target
    written = event(
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
    return written


def event(
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
    notice: dict | None = None,
) -> CaseEvent:
    """A timeline entry. The checklist items that mirror ``action`` (署名, 书面答复, 回访) are ticked by it.
    ``notice``: what the receivers of ``event_written`` may use and nothing stores (a new query code)."""
    written = CaseEvent(
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
    db.session.add(written)
    for item in case.checklist:
        if item.mirrors == action and not item.done:
            item.done_at, item.done_by_id, item.done_event = written.at, written.actor_id, written
    event_written.send(case, actor=actor, event=written, notice=notice or {})
    return written


def log(
    case: Case,
    actor: User | None,
    action: str,
    *,
    title: str,
    text: str = "",
    public: bool,
    data: dict | None = None,
    notice: dict | None = None,
    **audit,
) -> CaseEvent:
    """An action that records something on the case without moving it: timeline event, then audit row. The case's
    version moves on too, so a form opened before it (a 销号 form before the last tick) is stale."""
    written = event(case, actor, action, title=title, text=text, public=public, data=data, notice=notice)
    touch(case)
    db.session.flush()
    record(f"case.{action}", actor, case, tracking_code=case.tracking_code, **audit)
    return written


def touch(case: Case) -> None:
    """Count a change recorded beside the case (a note, a tick, a pending request) as a change of the case."""
    if case.id is not None:
        case.version += 1


def set_clock(
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
    clock = deadline(
        case.clock_rule, case.clock_start, length=case.clock_length, paused_days=case.clock_paused_days or 0
    )
    # A petitioner's window keeps the date already told when a calendar correction would shorten it (clocks.py).
    return clock.keep(case.due_date) if case.clock_is_window else clock


def delivery_date(case: Case, delivered_on: dt.date | None, today: dt.date) -> dt.date:
    if case.channel is Channel.ONLINE or delivered_on is None:
        return today
    if delivered_on > today:
        raise DomainError("送达日期不能晚于今天。")
    return delivered_on
