"""The daily clock sweep: reminders to the people whose queue holds the case, once, shown in 我的待办; its runs are
recorded for /healthz."""

import datetime as dt

from portal.cases.models import Status
from portal.extensions import db
from portal.jobs.models import JobRun, Reminder, ReminderKind
from portal.jobs.sweep import reminders_for
from portal.jobs.tasks import clock_sweep
from portal.localtime import today
from tests import factories


def _case_due(world, days: int):
    case = factories.make_case(world, Status.REGISTERED)
    case.due_date = today() + dt.timedelta(days=days)
    db.session.commit()
    return case


def _reminders():
    return {(r.user_id, r.case_id, r.kind) for r in db.session.execute(db.select(Reminder)).scalars()}


def test_due_soon_and_overdue_cases_remind_the_clerk_who_holds_the_step(world):
    soon, late, later = _case_due(world, 1), _case_due(world, -2), _case_due(world, 30)
    counts = clock_sweep()
    assert counts["due_soon"] >= 1 and counts["overdue"] >= 1
    given = _reminders()
    assert (world.clerk.id, soon.id, ReminderKind.DUE_SOON) in given
    assert (world.clerk.id, late.id, ReminderKind.OVERDUE) in given
    assert not any(case_id == later.id for _, case_id, _ in given)
    # The handler holds no step of a case that is only registered.
    assert not any(user_id == world.handler.id for user_id, _, _ in given)


def test_a_second_sweep_gives_nothing_twice_and_each_run_is_recorded(world):
    _case_due(world, 0)
    clock_sweep()
    before = _reminders()
    again = clock_sweep()
    assert again["due_soon"] == 0 and again["overdue"] == 0
    assert _reminders() == before
    runs = db.session.execute(db.select(JobRun).where(JobRun.name == "clock_sweep")).scalars().all()
    assert len(runs) == 2 and all(r.ok for r in runs)
    assert JobRun.last_success("clock_sweep") is not None


def test_a_reminder_goes_when_the_deadline_moves(world):
    case = _case_due(world, 1)
    clock_sweep()
    assert [r.case_id for r in reminders_for(world.clerk)] == [case.id]
    case.due_date = today() + dt.timedelta(days=20)  # e.g. an extension was granted
    db.session.commit()
    assert reminders_for(world.clerk) == []


def test_my_work_page_shows_the_reminders(app, client, login, seed):
    def prepare(world):
        case = factories.make_case(world, Status.REGISTERED, commit=False)
        case.due_date = today() - dt.timedelta(days=1)
        db.session.flush()
        return case.tracking_code

    code = seed(prepare)
    with app.app_context():
        clock_sweep()
    login("clerk")
    page = client.get("/staff/work/").get_data(as_text=True)
    assert "期限提醒" in page and "已超期" in page and code in page
