"""Queueing a job: onto RQ when REDIS_URL is set, else run inline. Either way only after the transaction that asked
for it commits — a worker must find the rows the job is about, and a rolled-back request must queue nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from portal.extensions import db

QUEUE_NAME = "portal"
PENDING = "portal.jobs.pending"  # asked for in the open transaction
READY = "portal.jobs.ready"  # committed, to run inline at the end of the request
log = logging.getLogger("portal.jobs")

# What each job is called on the administrator's page (the page shows no arguments).
LABELS = {
    "portal.jobs.tasks.send_sms": "发送短信",
    "portal.jobs.tasks.clock_sweep": "期限巡检（到期提醒）",
    "portal.jobs.tasks.audit_seal": "审计日志封存",
    "portal.jobs.tasks.audit_anchor": "审计链锚定",
    "portal.jobs.tasks.sms_catch_up": "补发待发短信",
    "portal.jobs.tasks.render_document": "生成文书PDF",
    "portal.jobs.tasks.publish_due_reports": "定期发布工作通报",
    "portal.jobs.tasks.produce_report": "生成工作通报",
    "portal.jobs.tasks.warm_dashboard": "预先统计指标看板",
}


@dataclass
class Request:
    func: str
    args: tuple = ()
    retry: tuple[int, ...] = ()  # back-off in seconds before each retry
    job_timeout: int = 300
    meta: dict = field(default_factory=dict)


@lru_cache(maxsize=8)
def _connection(url: str):
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def connection():
    """The Redis connection, or None when jobs run inline."""
    url = current_app.config.get("REDIS_URL", "")
    return _connection(url) if url else None


def rq_queue():
    from rq import Queue

    redis = connection()
    return None if redis is None else Queue(QUEUE_NAME, connection=redis)


def enqueue(func: str, *args, retry: tuple[int, ...] = (), job_timeout: int = 300) -> None:
    """Queue ``func`` (an import path in portal.jobs.tasks) for after the current transaction commits."""
    db.session.info.setdefault(PENDING, []).append(Request(func, args, retry, job_timeout))


def submit(request: Request) -> None:
    """Hand one job to RQ, or run it now when there is no Redis."""
    queue = rq_queue()
    if queue is None:
        run_inline(request)
        return
    from rq import Retry

    queue.enqueue(
        request.func,
        *request.args,
        retry=Retry(max=len(request.retry), interval=list(request.retry)) if request.retry else None,
        job_timeout=request.job_timeout,
        failure_ttl=90 * 24 * 3600,  # failed jobs wait for the administrator's retry for 90 days
        description=LABELS.get(request.func, request.func),
    )


def run_inline(request: Request) -> None:
    # Inline, a failure is logged and not retried here; what the job was about stays in the database (an SMS stays
    # 待发送 in the outbox for `flask sms send`), so nothing is lost.
    try:
        import_string(request.func)(*request.args)
    except Exception:
        log.exception("inline job %s failed", request.func)
        db.session.rollback()


def run_ready() -> None:
    """Run the jobs committed during this request (inline mode); called after the view."""
    ready = db.session.info.pop(READY, [])
    for request in ready:
        run_inline(request)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if not pending:
        return
    # No SQL may run here: RQ only talks to Redis; inline jobs wait for the end of the request (run_ready).
    if current_app.config.get("REDIS_URL"):
        for request in pending:
            try:
                submit(request)
            except Exception:  # Redis down: the outbox keeps the message and the catch-up job sends it later
                log.exception("could not queue %s", request.func)
    else:
        session.info.setdefault(READY, []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def init_app(app) -> None:
    @app.after_request
    def _run_inline_jobs(response):
        if db.session.info.get(READY):
            run_ready()
        return response
