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


def test_a_person_with_a_reminder_number_gets_one_sms_a_day_with_counts_and_nothing_about_the_case(world):
    from portal.accounts import services as accounts
    from portal.sms.models import SmsMessage

    _case_due(world, 1), _case_due(world, -2)
    accounts.set_reminder_phone(world.clerk, "138 0013 8000")
    db.session.commit()
    counts = clock_sweep()
    texts = db.session.execute(db.select(SmsMessage).where(SmsMessage.case_id.is_(None))).scalars().all()
    to_clerk = [m for m in texts if m.phone == "13800138000"]
    assert len(to_clerk) == 1 and counts["sms"] == len(texts)
    assert "1件临近办理期限" in to_clerk[0].text and "1件已超期" in to_clerk[0].text
    assert "张三" not in to_clerk[0].text and "电梯" not in to_clerk[0].text  # no petitioner, no matter
    clock_sweep()  # nothing new to remind of: no second message
    staff_texts = db.select(db.func.count(SmsMessage.id)).where(SmsMessage.case_id.is_(None))
    assert db.session.execute(staff_texts).scalar_one() == len(texts)


def test_without_a_reminder_number_the_sweep_sends_no_sms_to_staff(world):
    from portal.sms.models import SmsMessage

    _case_due(world, -1)
    assert clock_sweep()["sms"] == 0
    assert db.session.execute(db.select(SmsMessage).where(SmsMessage.case_id.is_(None))).first() is None
