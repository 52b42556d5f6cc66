"""The daily clock sweep: for every person who holds a step of a case — the case is in one of their queues of
我的待办 (portal.work.queues) — a reminder when the staff deadline is near (SWEEP_DUE_SOON_DAYS) or has passed.
Each reminder is given once per person, case, kind and due date, so running the sweep twice gives nothing twice. A
person who gave a reminder number on their account page also gets one SMS a day summing up the new reminders."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from portal.accounts.models import User
from portal.audit.services import record
from portal.cases.models import OPEN, Case
from portal.extensions import db
from portal.jobs.models import Reminder, ReminderKind
from portal.localtime import today as local_today
from portal.notifications import catalogue
from portal.notifications import services as notices
from portal.settings.models import get_setting
from portal.sms import services as sms


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
    people = texts = 0
    users = db.session.execute(db.select(User).where(User.active.is_(True)).order_by(User.id)).scalars().all()
    for user in users:
        if not user.works_cases:
            continue
        given = {ReminderKind.DUE_SOON: 0, ReminderKind.OVERDUE: 0}
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
                given[kind] += 1
        if any(given.values()):
            people += 1
            texts += _text_reminder(user, given)
    record("jobs.sweep", None, None, actor_name="系统", people=people, sms=texts, **counts)
    db.session.flush()
    return {"people": people, "sms": texts, **counts}


def _text_reminder(user: User, given: dict) -> int:
    """One SMS to a person who gave a reminder number, summing up what this sweep reminded them of: counts only —
    no petitioner, no case — since a text message can be read by anyone holding the phone. 1 if queued, else 0."""
    if not user.reminder_phone:
        return 0
    parts = []
    if given[ReminderKind.DUE_SOON]:
        parts.append(f"{given[ReminderKind.DUE_SOON]}件临近办理期限")
    if given[ReminderKind.OVERDUE]:
        parts.append(f"{given[ReminderKind.OVERDUE]}件已超期")
    kind = catalogue.KINDS["staff_reminder"]
    values = {"机关": get_setting("office_name"), "姓名": user.name, "待办": "、".join(parts)}
    sms.queue(user.reminder_phone, catalogue.render(notices.text_of(kind), values))
    return 1


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
