"""Deadlines as the rest of the portal asks for them: the pure clock plus the calendar stored in the database."""

from __future__ import annotations

import datetime as dt

from portal.audit.services import record
from portal.caching import in_transaction
from portal.deadlines.clock import Deadline, WorkCalendar, add_working_days, compute
from portal.deadlines.models import CalendarOverride
from portal.extensions import db


def work_calendar() -> WorkCalendar:
    """The calendar with the administrator's overrides, read once per transaction (``in_transaction``)."""
    return in_transaction(db.session, "deadlines.calendar", (CalendarOverride,), _load_calendar)


def _load_calendar() -> WorkCalendar:
    rows = db.session.execute(db.select(CalendarOverride)).scalars()
    return WorkCalendar({r.day: (r.is_workday, r.note) for r in rows})


def deadline(rule: str, start: dt.date, **kwargs) -> Deadline:
    return compute(rule, start, work_calendar(), **kwargs)


def working_days_ahead(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` on the stored calendar (the end of a 临期 window)."""
    return add_working_days(start, n, work_calendar())


def set_override(day: dt.date, is_workday: bool, note: str, actor=None) -> CalendarOverride:
    row = db.session.execute(db.select(CalendarOverride).filter_by(day=day)).scalar_one_or_none()
    if row is None:
        row = CalendarOverride(day=day, is_workday=is_workday, note=note, created_by_id=getattr(actor, "id", None))
        db.session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    db.session.flush()
    record("calendar.override", actor, row, day=day.isoformat(), is_workday=is_workday, note=note)
    return row


def remove_override(day: dt.date, actor=None) -> None:
    row = db.session.execute(db.select(CalendarOverride).filter_by(day=day)).scalar_one_or_none()
    if row is not None:
        record("calendar.override_removed", actor, row, day=day.isoformat())
        db.session.delete(row)
        db.session.flush()
