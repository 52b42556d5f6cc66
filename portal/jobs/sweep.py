"""The daily clock sweep: for every person who holds a step of a case — the case is in one of their queues of
我的待办 (portal.work.queues) — a reminder when the staff deadline is near (SWEEP_DUE_SOON_DAYS) or has passed.
Each reminder is given once per person, case, kind and due date, so running the sweep twice gives nothing twice."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from portal.accounts.models import User
from portal.audit.services import record
from portal.cases.models import OPEN, Case
from portal.extensions import db
from portal.jobs.models import Reminder, ReminderKind
from portal.localtime import today as local_today


def sweep(today: dt.date | None = None) -> dict:
    """Give the reminders due today (flush and commit are the caller's); return the counts."""
    from portal.work.queues import queue_actions, statement  # the work area shows reminders_for: no import cycle

    today = today or local_today()
    soon = today + dt.timedelta(days=current_app.config["SWEEP_DUE_SOON_DAYS"])
    existing = set(
        db.session.execute(
            db.select(Reminder.user_id, Reminder.case_id, Reminder.kind, Reminder.due_date).where(
                Reminder.due_date >= today - dt.timedelta(days=366)
            )
        ).all()
    )
    counts = {ReminderKind.DUE_SOON.value: 0, ReminderKind.OVERDUE.value: 0}
    people = 0
    users = db.session.execute(db.select(User).where(User.active.is_(True)).order_by(User.id)).scalars().all()
    for user in users:
        if not user.works_cases:
            continue
        reminded = False
        for action in queue_actions(user):
            stmt = statement(action, user).where(
                Case.due_date.is_not(None), Case.due_date <= soon, Case.staff_clock(), Case.status.in_(sorted(OPEN))
            )
            for case_id, due in db.session.execute(stmt.with_only_columns(Case.id, Case.due_date)).all():
                kind = ReminderKind.OVERDUE if due < today else ReminderKind.DUE_SOON
                key = (user.id, case_id, kind, due)
                if key in existing:
                    continue
                existing.add(key)
                db.session.add(Reminder(user_id=user.id, case_id=case_id, kind=kind, due_date=due))
                counts[kind.value] += 1
                reminded = True
        people += reminded
    record("jobs.sweep", None, None, actor_name="系统", people=people, **counts)
    db.session.flush()
    return {"people": people, **counts}


def reminders_for(user: User, limit: int = 20) -> list[Reminder]:
    """``user``'s reminders still true: the case is open, visible to them and still due on the reminded date."""
    return list(
        db.session.execute(
            db.select(Reminder)
            .join(Case, Case.id == Reminder.case_id)
            .where(
                Reminder.user_id == user.id,
                Case.due_date == Reminder.due_date,
                Case.status.in_(sorted(OPEN)),
                Case.visible_to(user),
            )
            .order_by(Reminder.due_date, Reminder.id)
            .limit(limit)
        ).scalars()
    )
