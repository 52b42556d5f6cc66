"""The case counts kept up to date (issue 18): per month of receipt, assigned department, registering clerk, channel
and case type, the numerators and denominators of ``portal.stats.indicators.Counts``, so that the statistics of
whole months are a sum over a few thousand rows instead of a GROUP BY over every case of the period (seconds at a
million cases).

Kept exact at every flush: before it, the contribution of each case about to change (a watched column of the case,
or its evaluation) is read from the database as it stands; after it, the contribution as it now stands; the
difference is added to the rows in the same transaction (an UPSERT of increments: concurrent transactions add up; a
case written by two at once is refused by its optimistic lock). So the kept counts commit or roll back (a savepoint
too) with the change, and are never staler than the cases, even inside the transaction that changes them.

What depends on the day the clocks are judged on is kept by key, not by count: ``accept_open_due`` is the
acceptance due date of a case not yet decided (``NO_DATE`` otherwise), ``handle_open_due`` the handling due date of
one not yet replied to, so “clock ended or done” is ``decided + received where accept_open_due < today``. The
acceptance step's office is the registering clerk's department, looked up when read (a clerk who moves office moves
the counts, as the live rule does). What depends on the period — 一次性化解 excludes a closed case followed by a repeat
received in the period — is kept as “closed, never reviewed” and the few repeated ones are subtracted when read
(``portal.stats.indicators``). Written through the ORM only: a bulk writer of cases (the benchmark's seed) calls
``rebuild`` at the end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import case as when
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.cases.models import Case, CaseType, Channel, Evaluation, Rating, Status
from portal.extensions import db, enum_column

NONE = 0  # department_id / registered_by_id of a case that has none (a key column cannot be NULL in an UPSERT)
NO_DATE = dt.date(9999, 12, 31)  # no running clock: never before any day
KEY_COLUMNS = (
    "month",
    "department_id",
    "registered_by_id",
    "channel",
    "case_type",
    "accept_open_due",
    "handle_open_due",
)
COUNT_COLUMNS = (
    "received",
    "repeat",
    "skipped_level",
    "decided",
    "decided_in_time",
    "replied",
    "replied_in_time",
    "delivered",
    "evaluated",
    "acceptance_satisfied",
    "handling_satisfied",
    "closed",
    "closed_no_review",
)
# The case's columns a kept count reads: a change of any other leaves the counts alone.
WATCHED = (
    "received_on",
    "department_id",
    "registered_by_id",
    "channel",
    "case_type",
    "decided_on",
    "accept_due",
    "replied_on",
    "handle_due",
    "delivered_on",
    "status",
    "review_level",
    "repeat_of_id",
    "skipped_level",
)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY)
_WATCHED_ATTRIBUTES = (*WATCHED, *(r.key for r in inspect(Case).relationships if r.direction.name == "MANYTOONE"))
_OLD = "kept_counts_before"  # session.info: case id → its contribution before the flush under way


class CaseCount(db.Model):
    __tablename__ = "case_counts"

    month: Mapped[dt.date] = mapped_column(primary_key=True)  # the first day of the month the cases were received
    department_id: Mapped[int] = mapped_column(primary_key=True)  # assigned department; NONE: not assigned
    registered_by_id: Mapped[int] = mapped_column(primary_key=True)  # the clerk; NONE: came in online
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), primary_key=True)
    case_type: Mapped[CaseType] = mapped_column(enum_column(CaseType), primary_key=True)
    accept_open_due: Mapped[dt.date] = mapped_column(primary_key=True)
    handle_open_due: Mapped[dt.date] = mapped_column(primary_key=True)
    received: Mapped[int] = mapped_column(default=0)
    repeat: Mapped[int] = mapped_column(default=0)
    skipped_level: Mapped[int] = mapped_column(default=0)
    decided: Mapped[int] = mapped_column(default=0)
    decided_in_time: Mapped[int] = mapped_column(default=0)
    replied: Mapped[int] = mapped_column(default=0)
    replied_in_time: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[int] = mapped_column(default=0)
    evaluated: Mapped[int] = mapped_column(default=0)
    acceptance_satisfied: Mapped[int] = mapped_column(default=0)
    handling_satisfied: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    closed_no_review: Mapped[int] = mapped_column(default=0)


# --- one case's contribution ------------------------------------------------------------------------------------
def _contributions(connection, ids) -> dict[int, tuple[tuple, tuple[int, ...]]]:
    """{case id: (its key, its counts)} as the database holds them now (absent: no such case)."""
    c, e = Case.__table__.c, Evaluation.__table__.c
    found = {}
    ids = sorted(ids)
    for chunk in range(0, len(ids), 500):
        rows = connection.execute(
            select(
                c.id,
                c.received_on,
                c.department_id,
                c.registered_by_id,
                c.channel,
                c.case_type,
                c.decided_on,
                c.accept_due,
                c.replied_on,
                c.handle_due,
                c.delivered_on,
                c.status,
                c.review_level,
                c.repeat_of_id,
                c.skipped_level,
                e.id.label("evaluation_id"),
                e.acceptance,
                e.handling,
            )
            .select_from(Case.__table__.outerjoin(Evaluation.__table__, e.case_id == c.id))
            .where(c.id.in_(ids[chunk : chunk + 500]))
        )
        for r in rows:
            found[r.id] = _contribution(r)
    return found


def _contribution(r) -> tuple[tuple, tuple[int, ...]]:
    """The same rules as ``portal.stats.indicators.conditions``, for one case (SQL's NULL comparisons are false)."""
    decided, replied, closed = r.decided_on is not None, r.replied_on is not None, r.status == Status.CLOSED
    key = (
        r.received_on.replace(day=1),
        r.department_id or NONE,
        r.registered_by_id or NONE,
        Channel(r.channel),
        CaseType(r.case_type),
        r.accept_due if not decided and r.accept_due is not None else NO_DATE,
        r.handle_due if not replied and r.handle_due is not None else NO_DATE,
    )
    values = (
        1,
        int(r.repeat_of_id is not None),
        int(bool(r.skipped_level)),
        int(decided),
        int(decided and r.accept_due is not None and r.decided_on <= r.accept_due),
        int(replied),
        int(replied and r.handle_due is not None and r.replied_on <= r.handle_due),
        int(r.delivered_on is not None),
        int(r.evaluation_id is not None),
        int(r.acceptance in SATISFIED),
        int(r.handling in SATISFIED),
        int(closed),
        int(closed and r.review_level == 0),
    )
    return key, values


# --- kept at every commit -----------------------------------------------------------------------------------------
def _touched(session: Session) -> set[int]:
    ids = set()
    for obj in session.dirty:
        if isinstance(obj, Case):
            # A column set through its relationship (case.department = …) changes only during the flush: any
            # change of one watched or of a relationship counts.
            state = inspect(obj)
            if obj.id is not None and any(state.attrs[n].history.has_changes() for n in _WATCHED_ATTRIBUTES):
                ids.add(obj.id)
        elif isinstance(obj, Evaluation):
            ids.add(obj.case_id)
    for obj in session.deleted:
        if isinstance(obj, Case):
            ids.add(obj.id)
        elif isinstance(obj, Evaluation):
            ids.add(obj.case_id)
    for obj in session.new:
        if isinstance(obj, Evaluation):
            case_id = obj.case_id
            if case_id is None and obj.case is not None:
                case_id = obj.case.id
            ids.add(case_id)
    ids.discard(None)
    return ids


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:
    touched = _touched(session)
    found = _contributions(session.connection(), touched) if touched else {}
    session.info[_OLD] = {case_id: found.get(case_id) for case_id in touched}


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    before = session.info.pop(_OLD, None) or {}
    for obj in session.new:
        if isinstance(obj, Case):
            before.setdefault(obj.id, None)  # it was not there before this flush
    if not before:
        return
    connection = session.connection()
    after = _contributions(connection, before.keys())
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNT_COLUMNS))
    for case_id, old in before.items():
        for found, sign in ((old, -1), (after.get(case_id), 1)):
            if found is not None:
                key, values = found
                delta = deltas[key]
                for i, v in enumerate(values):
                    delta[i] += sign * v
    add(connection, {k: d for k, d in deltas.items() if any(d)})


def add(connection, deltas: dict[tuple, list[int]]) -> None:
    """Add ``deltas`` ({key: counts}) to the kept rows, in key order (two commits never wait on each other in a
    circle)."""
    if not deltas:
        return
    table = CaseCount.__table__
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for key in sorted(deltas, key=lambda k: tuple(str(p) for p in k)):
        stmt = insert(table).values(**dict(zip(KEY_COLUMNS, key, strict=True)))
        stmt = stmt.values(**dict(zip(COUNT_COLUMNS, deltas[key], strict=True)))
        stmt = stmt.on_conflict_do_update(
            index_elements=list(KEY_COLUMNS), set_={c: table.c[c] + stmt.excluded[c] for c in COUNT_COLUMNS}
        )
        connection.execute(stmt)


# --- computed afresh --------------------------------------------------------------------------------------------
def _month_of(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.cast(func.date_trunc("month", column), db.Date)
    return func.strftime("%Y-%m-01", column)


def fresh_select():
    """The kept rows computed from the cases, as one GROUP BY (``rebuild`` and the tests' check)."""
    satisfied = [s.value for s in SATISFIED]
    c, e = Case.__table__.c, Evaluation.__table__.c

    def flag(condition):
        return func.sum(when((condition, 1), else_=0))

    decided, replied = c.decided_on.is_not(None), c.replied_on.is_not(None)
    closed = c.status == Status.CLOSED
    no_date = db.literal(NO_DATE, db.Date)
    keys = [
        _month_of(c.received_on),
        func.coalesce(c.department_id, NONE),
        func.coalesce(c.registered_by_id, NONE),
        c.channel,
        c.case_type,
        when((db.and_(c.decided_on.is_(None), c.accept_due.is_not(None)), c.accept_due), else_=no_date),
        when((db.and_(c.replied_on.is_(None), c.handle_due.is_not(None)), c.handle_due), else_=no_date),
    ]
    counts = [
        func.count(c.id),
        flag(c.repeat_of_id.is_not(None)),
        flag(c.skipped_level.is_(True)),
        flag(decided),
        flag(db.and_(decided, c.decided_on <= c.accept_due)),
        flag(replied),
        flag(db.and_(replied, c.replied_on <= c.handle_due)),
        flag(c.delivered_on.is_not(None)),
        flag(e.id.is_not(None)),
        flag(e.acceptance.in_(satisfied)),
        flag(e.handling.in_(satisfied)),
        flag(closed),
        flag(db.and_(closed, c.review_level == 0)),
    ]
    named = zip((*keys, *counts), (*KEY_COLUMNS, *COUNT_COLUMNS), strict=True)
    return (
        select(*(v.label(name) for v, name in named))
        .select_from(Case.__table__.outerjoin(Evaluation.__table__, e.case_id == c.id))
        .group_by(*keys)
    )


def rebuild() -> None:
    """Recompute every kept row from the cases (after a bulk write that bypassed the ORM); the caller commits."""
    table = CaseCount.__table__
    db.session.execute(table.delete())
    db.session.execute(table.insert().from_select([*KEY_COLUMNS, *COUNT_COLUMNS], fresh_select()))
