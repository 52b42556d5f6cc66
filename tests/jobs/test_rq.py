"""With REDIS_URL: the SMS job is queued on RQ after the commit, sent once by a worker, retried with back-off when the
gateway fails, and a job that failed for good is listed for the system administrator, who may retry it."""

import pytest
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry

from portal.extensions import db
from portal.jobs import queue
from portal.jobs.failed import failed_jobs
from portal.jobs.tasks import SMS_RETRY
from portal.sms import services as sms
from portal.sms.models import SmsMessage, SmsState
from tests.jobs.conftest import BrokenSender, RecordingSender


@pytest.fixture
def app_config(app_config, redis_url):
    return {**app_config, "REDIS_URL": redis_url}


def _work(app):
    redis = queue.connection()
    SimpleWorker([Queue(queue.QUEUE_NAME, connection=redis)], connection=redis).work(burst=True)


def test_the_job_is_queued_after_the_commit_and_sent_once(ctx, use_sender):
    use_sender(ctx, RecordingSender)
    message_id = sms.queue("13900000011", "通知", None).id
    assert queue.rq_queue().count == 0  # not before the commit
    db.session.commit()
    assert queue.rq_queue().count == 1
    _work(ctx)
    _work(ctx)
    assert RecordingSender.sent == [("13900000011", "通知")]
    assert db.session.get(SmsMessage, message_id).state is SmsState.SENT
    # A duplicate job (the catch-up, a retry) finds it sent and sends nothing.
    queue.submit(queue.Request("portal.jobs.tasks.send_sms", (message_id,)))
    _work(ctx)
    assert len(RecordingSender.sent) == 1


def test_a_gateway_failure_is_retried_with_back_off(ctx, use_sender):
    use_sender(ctx, BrokenSender)
    message_id = sms.queue("13900000012", "通知", None).id
    db.session.commit()
    _work(ctx)
    db.session.expire_all()
    message = db.session.get(SmsMessage, message_id)
    assert (message.state, message.attempts) == (SmsState.QUEUED, 1)
    scheduled = ScheduledJobRegistry(queue=queue.rq_queue())
    assert scheduled.count == 1  # waiting out the first back-off
    job = queue.rq_queue().fetch_job(scheduled.get_job_ids()[0])
    assert job.retries_left == len(SMS_RETRY) - 1
    assert "13900000012" not in str(job.args)  # the job carries an id, never the number


def _failed_job(ctx, use_sender):
    use_sender(ctx, BrokenSender)
    message = sms.queue("13900000013", "通知", None)
    db.session.flush()
    message.attempts = sms.MAX_ATTEMPTS - 1
    db.session.commit()
    db.session.info.pop(queue.PENDING, None)
    queue.rq_queue().empty()
    queue.submit(queue.Request("portal.jobs.tasks.send_sms", (message.id,)))  # no retries left
    _work(ctx)
    return message.id


def test_a_job_that_failed_for_good_is_kept_and_listed(ctx, use_sender):
    message_id = _failed_job(ctx, use_sender)
    jobs = failed_jobs()
    assert [(j.label, j.error) for j in jobs] == [("发送短信", "GatewayError")]
    db.session.expire_all()
    assert db.session.get(SmsMessage, message_id).state is SmsState.FAILED  # still in the outbox


def test_the_administrator_retries_a_failed_job(app, client, login, use_sender):
    with app.app_context():
        message_id = _failed_job(app, use_sender)
        job_id = failed_jobs()[0].id
    use_sender(app, RecordingSender)
    login("admin")
    page = client.get("/staff/admin/jobs/")
    assert page.status_code == 200 and "发送短信" in page.get_data(as_text=True)
    assert "13900000013" not in page.get_data(as_text=True)
    response = client.post(f"/staff/admin/jobs/{job_id}/retry")
    assert response.status_code == 303
    with app.app_context():
        assert failed_jobs() == []
        _work(app)
        assert db.session.get(SmsMessage, message_id).state is SmsState.SENT
    assert RecordingSender.sent == [("13900000013", "通知")]


@pytest.mark.parametrize("role", ["clerk", "auditor", "supervisor", "handler"])
def test_only_the_system_administrator_sees_failed_jobs(client, login, role):
    login(role)
    assert client.get("/staff/admin/jobs/").status_code == 403
    assert client.post("/staff/admin/jobs/x/retry").status_code == 403
