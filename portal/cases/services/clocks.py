"""Recomputing the due dates stored on cases after the working-day calendar changed: an admin's override saved or
removed, chinesecalendar upgraded with a new year's data, the State Council's notice entered as overrides.

Every date the clock stored is computed again from its start: the acceptance due date (``accept_due``), the handling
due date (``handle_due``, with an approved extension on top of the recomputed original date, and the extension
request's ``original_due``/``new_due``), and the running clock (``clock_start`` of an extension, ``due_date``). Staff
clocks move either way. A window the petitioner has already been told (复查/复核 request, DESIGN §4, and the
evaluation window stored at delivery as ``evaluation_due``) keeps the later of the stored and the recomputed date.
Each case that moved gets one audit row with every old and new date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.audit.services import record
from portal.cases.models import Case, ExtensionState
from portal.deadlines.clock import WINDOW_RULES, WorkCalendar, compute
from portal.deadlines.services import work_calendar
from portal.extensions import db
from portal.settings.models import get_setting

ACCEPT_RULES = ("accept", "simple_accept")
HANDLE_RULES = ("handle", "simple_handle")


@dataclass(frozen=True)
class Move:
    """One stored date that a recompute changed (``kept``: the later date already told was kept)."""

    case: Case
    field: str
    old: dt.date | None
    new: dt.date | None
    kept: bool = False


def recompute_clocks(
    actor: User | None = None, *, since: dt.date | None = None, calendar: WorkCalendar | None = None
) -> list[Move]:
    """Recompute the stored due dates with ``calendar`` (default: the stored one); flush, never commit.

    ``since``: only one day changed, so only the clocks still running on it can move — a period is decided by the
    days up to its stored due date, so cases whose stored dates all lie before ``since`` are left alone.
    """
    calendar = calendar or work_calendar()
    dates = (Case.due_date, Case.accept_due, Case.handle_due, Case.evaluation_due)
    if since is None:
        stored = db.or_(*(d.is_not(None) for d in dates))
    else:
        stored = db.or_(*(d >= since for d in dates))
    query = db.select(Case).where(stored).options(selectinload(Case.extensions)).order_by(Case.id)
    cases = db.session.execute(query).unique().scalars().all()
    evaluation_days = int(get_setting("evaluation_window_days"))
    moves: list[Move] = []
    for case in cases:
        moved = _recompute(case, calendar, evaluation_days)
        if moved:
            kept = "（保留已告知的较晚日期）"
            detail = {m.field: f"{_iso(m.old)} → {_iso(m.new)}{kept if m.kept else ''}" for m in moved}
            record("case.clock_recomputed", actor, case, tracking_code=case.tracking_code, **detail)
            moves += moved
    db.session.flush()
    return moves


def _recompute(case: Case, calendar: WorkCalendar, evaluation_days: int) -> list[Move]:
    moves: list[Move] = []

    def put(obj, name: str, new: dt.date | None, label: str | None = None, *, kept: bool = False) -> None:
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            moves.append(Move(case, label or name, old, new, kept))

    if case.delivered_on is not None:
        # Told at delivery: never shortened. A case delivered before the column existed gets its date stored here.
        evaluation = compute("evaluate", case.delivered_on, calendar, length=evaluation_days).keep(case.evaluation_due)
        put(case, "evaluation_due", evaluation.due, kept=evaluation.recomputed is not None)

    rule = case.clock_rule
    if case.accept_due is not None:
        accept_rule = rule if rule in ACCEPT_RULES else _accept_rule(case)
        put(case, "accept_due", compute(accept_rule, case.received_on, calendar).due)

    base = None  # the handling due date before any extension
    approved = next((e for e in case.extensions if e.state is ExtensionState.APPROVED), None)
    if case.handle_due is not None and case.decided_on is not None:
        if rule in HANDLE_RULES:
            base = compute(rule, case.clock_start, calendar).due
        else:
            base = compute(_handle_rule(case, approved), case.decided_on, calendar).due
        handle_due = base
        if approved is not None:
            handle_due = compute("extend", base, calendar, length=approved.days).due
            put(approved, "original_due", base, "extension.original_due")
            put(approved, "new_due", handle_due, "extension.new_due")
        put(case, "handle_due", handle_due)
        for request in case.extensions:
            if request.state is ExtensionState.REQUESTED:
                put(request, "original_due", base, "extension.original_due")

    if rule is not None and case.clock_start is not None:
        start = base if rule == "extend" and base is not None else case.clock_start
        put(case, "clock_start", start)
        clock = compute(rule, start, calendar, length=case.clock_length, paused_days=case.clock_paused_days or 0)
        if rule in WINDOW_RULES:
            kept = clock.keep(case.due_date)
            put(case, "due_date", kept.due, kept=kept.recomputed is not None)
        else:
            put(case, "due_date", clock.due)
    return moves


def _accept_rule(case: Case) -> str:
    """Which acceptance rule set ``accept_due`` once the clock has moved on. The case's procedure may have changed
    at acceptance, so the stored date tells: 15 days never end before the 15th day, 3 working days always do."""
    return "accept" if (case.accept_due - case.received_on).days >= 15 else "simple_accept"


def _handle_rule(case: Case, approved) -> str:
    """Which handling rule set the original handling due date: 60 days, or 10 working days (never a month)."""
    original = approved.original_due if approved is not None and approved.original_due else case.handle_due
    return "handle" if (original - case.decided_on).days >= 30 else "simple_handle"


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "无"
