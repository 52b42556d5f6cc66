"""Without Redis, a job runs inline once its transaction commits, at the end of the request; never after a
rollback."""

from portal.extensions import db
from portal.jobs import queue
from portal.sms import services as sms
from portal.sms.models import SmsMessage, SmsState
from tests.jobs.conftest import BrokenSender, RecordingSender


def test_a_job_waits_for_the_commit_and_runs_after_the_request(ctx, use_sender):
    use_sender(ctx, RecordingSender)
    message = sms.queue("13900000001", "通知", None)
    assert db.session.info.get(queue.PENDING)
    assert not db.session.info.get(queue.READY)
    db.session.commit()
    assert len(db.session.info[queue.READY]) == 1
    queue.run_ready()
    assert RecordingSender.sent == [("13900000001", "通知")]
    assert db.session.get(SmsMessage, message.id).state is SmsState.SENT


def test_a_rolled_back_transaction_queues_nothing(ctx, use_sender):
    use_sender(ctx, RecordingSender)
    sms.queue("13900000002", "通知", None)
    db.session.rollback()
    db.session.commit()
    assert not db.session.info.get(queue.READY)
    assert db.session.execute(db.select(SmsMessage)).first() is None


def test_the_request_runs_the_committed_jobs(app, use_sender):
    use_sender(app, RecordingSender)
    with app.test_request_context("/staff/cases/new", method="POST"):
        sms.queue("13900000003", "请求里排队的短信", None)
        db.session.commit()
        assert RecordingSender.sent == []  # not before the view is done
        app.process_response(app.response_class("ok"))  # the after_request hooks, as at the end of every request
    assert RecordingSender.sent == [("13900000003", "请求里排队的短信")]


def test_an_inline_failure_keeps_the_message_for_the_next_run(ctx, use_sender):
    use_sender(ctx, BrokenSender)
    message_id = sms.queue("13900000004", "通知", None).id
    db.session.commit()
    queue.run_ready()  # logged, not raised
    message = db.session.get(SmsMessage, message_id)
    assert (message.state, message.attempts) == (SmsState.QUEUED, 1)
    use_sender(ctx, RecordingSender)
    assert sms.deliver_queued() == (1, 0)  # `flask sms send` delivers what waits


def test_in_the_worker_each_job_ends_with_a_fresh_session(ctx, use_sender, monkeypatch):
    from portal.jobs import tasks

    use_sender(ctx, RecordingSender)
    message = sms.queue("13900000005", "通知", None)
    db.session.commit()
    db.session.info.pop(queue.READY, None)
    monkeypatch.setattr(tasks, "in_worker", True)
    session_before = db.session()
    assert tasks.send_sms(message.id) == "sent"
    assert db.session() is not session_before  # a failed transaction could not leak into the next job
