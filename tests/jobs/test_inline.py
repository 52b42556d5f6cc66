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


def test_the_request_runs_the_committed_jobs(app, client, use_sender):
    use_sender(app, RecordingSender)

    @app.get("/_test_queue_sms")
    def _queue_sms():
        sms.queue("13900000003", "请求里排队的短信", None)
        db.session.commit()
        return "ok"

    assert client.get("/_test_queue_sms").status_code == 200
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
