"""Reception duty: the queries behind the public roster (the staff roster's changes are in ``roster``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy.orm import aliased, contains_eager, lazyload

from portal.accounts.models import User
from portal.duty.models import DutySlot
from portal.extensions import db

ROSTER_WEEKS = 8  # the public roster shows this week and the seven after it
MAX_RANGE_DAYS = 92  # the API answers at most a quarter at a time


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def roster_window(start: dt.date, weeks: int = ROSTER_WEEKS) -> tuple[dt.date, dt.date]:
    """``start`` up to the Sunday ``weeks`` calendar weeks on (``start``'s own week counts as the first)."""
    try:
        return start, week_start(start) + dt.timedelta(weeks=weeks, days=-1)
    except OverflowError:  # the API lets a caller start in December 9999
        return start, dt.date.max


def capped_end(start: dt.date, end: dt.date) -> dt.date:
    """``end``, or the last day of the longest range the API answers from ``start`` if ``end`` lies beyond it."""
    span = dt.timedelta(days=MAX_RANGE_DAYS - 1)
    return end if start > dt.date.max - span else min(end, start + span)


def published_slots(start: dt.date, end: dt.date, *, leader_id: int | None = None) -> list[DutySlot]:
    """Published slots from ``start`` to ``end`` (both included), cancelled ones too, in roster order: day, then
    morning / afternoon / whole day, then leader. One query, leader and department (and the leader first on duty,
    after a swap) loaded with it."""
    original = aliased(User)
    query = (
        db.select(DutySlot)
        .join(DutySlot.leader)
        .join(User.department)
        .outerjoin(original, DutySlot.original_leader)
        .options(
            contains_eager(DutySlot.leader).contains_eager(User.department),
            contains_eager(DutySlot.original_leader.of_type(original)),
            # roles are not shown; skip their selectin query
            lazyload(DutySlot.leader, User.role_rows),
            lazyload(DutySlot.original_leader.of_type(original), original.role_rows),
        )
        .where(DutySlot.published.is_(True), DutySlot.day >= start, DutySlot.day <= end)
        .order_by(DutySlot.day, DutySlot.period_rank(), User.name, DutySlot.id)
    )
    if leader_id is not None:
        query = query.where(DutySlot.leader_id == leader_id)
    return list(db.session.scalars(query))


@dataclass
class RosterWeek:
    """One Monday-to-Sunday block of the roster."""

    start: dt.date
    slots: list[DutySlot] = field(default_factory=list)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def label(self) -> str:
        """``11月30日（周一）至12月6日（周日）``; with the years only when the week spans two of them."""
        start, end = self.start, self.end
        if start.year == end.year:
            return f"{start.month}月{start.day}日（周一）至{end.month}月{end.day}日（周日）"
        return f"{start.year}年{start.month}月{start.day}日（周一）至{end.year}年{end.month}月{end.day}日（周日）"


def group_by_week(slots: list[DutySlot]) -> list[RosterWeek]:
    """Slots in roster order, grouped into the weeks that have any (empty weeks are left out)."""
    return [
        RosterWeek(start=monday, slots=list(week))
        for monday, week in groupby(slots, key=lambda slot: week_start(slot.day))
    ]


def slot_as_json(slot: DutySlot) -> dict:
    """A published slot as the public API shows it (see ``OPENAPI_PATHS`` in ``portal.duty.views``)."""
    leader = slot.leader
    return {
        "id": slot.id,
        "date": slot.day.isoformat(),
        "weekday": slot.weekday_label,
        "period": slot.period.value,
        "period_label": slot.period.label,
        "start": f"{slot.period.start:%H:%M}",
        "end": f"{slot.period.end:%H:%M}",
        "leader": leader.name,
        "title": leader.title or "",
        "department": leader.department.name,
        "topics": slot.topics or "",
        "place": slot.place,
        "form": slot.form.value,
        "form_label": slot.form.label,
        "cancelled": slot.cancelled,
        "original_leader": slot.original_leader.name if slot.original_leader is not None else None,
    }
