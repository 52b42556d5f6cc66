"""The jobs themselves. Each takes plain arguments (ids), runs in an app context — the request's when inline, the
worker's own otherwise — and commits its own work."""

from __future__ import annotations

import contextlib
import logging

from flask import has_app_context

from portal.extensions import db
from portal.localtime import utcnow

log = logging.getLogger("portal.jobs")
# Back-off before each retry of an SMS the gateway refused: a minute, then ten (three attempts in all, the outbox's
# MAX_ATTEMPTS; after that the job waits on the administrator's page for a retry).
SMS_RETRY = (60, 600)
_worker_app = None
# Set by the worker (portal.jobs.schedule): each job then ends with a fresh session, so one job's failed
# transaction or stale objects never reach the next.
in_worker = False


@contextlib.contextmanager
def _context():
    if has_app_context():  # inline in the request that queued the job, or in `flask jobs worker`'s own app
        try:
            yield
        finally:
            if in_worker:
                db.session.remove()
        return
    global _worker_app
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def send_sms(message_id: int) -> str:
    """Send one message of the outbox; raise when the gateway fails, so that RQ retries it with back-off."""
    from portal.sms.services import send_one

    with _context():
        return send_one(message_id)


def sms_catch_up() -> int:
    """Queue again the outbox messages left 待发送 (Redis was down when they were queued, a job was lost)."""
    from portal.jobs.queue import enqueue
    from portal.sms.services import stale_queued

    with _context():
        ids = stale_queued()
        for message_id in ids:
            enqueue("portal.jobs.tasks.send_sms", message_id, retry=SMS_RETRY)
        db.session.commit()
        return len(ids)


def render_document(document_id: int) -> bool:
    """Render a written notice's PDF from its frozen HTML (once; a document that has its PDF keeps it)."""
    from portal.documents.models import Document
    from portal.documents.services import render_pdf

    with _context():
        doc = db.session.get(Document, document_id)
        if doc is None:
            return False
        render_pdf(doc)
        db.session.commit()
        return True


def clock_sweep() -> dict:
    from portal.jobs.sweep import sweep

    with _context():
        return _recorded("clock_sweep", sweep)


def publish_due_reports() -> dict:
    """The reports whose day it is (portal.reports.builders.due_on), published once: safe to run twice."""
    from portal.localtime import today
    from portal.reports.services import publish_due

    with _context():
        return _recorded("publish_due_reports", lambda: {"published": publish_due(today())})


def warm_dashboard() -> int:
    """Recompute the staff dashboard's default views into the cache (portal.stats.cache), every few minutes."""
    from portal.localtime import today
    from portal.stats.dashboard import warm

    with _context():
        return warm(today())


def produce_report(kind: str, start: str, end: str, user_id: int | None) -> str:
    """One report a supervisor asked for (any period): published under the next number, or the one already
    published for that period."""
    import datetime as dt

    from portal.accounts.models import User
    from portal.reports.models import ReportKind
    from portal.reports.services import publish

    with _context():
        actor = db.session.get(User, user_id) if user_id is not None else None
        report, _ = publish(ReportKind(kind), dt.date.fromisoformat(start), dt.date.fromisoformat(end), actor)
        db.session.commit()
        return report.number


def audit_seal() -> int:
    from portal.audit import chain

    with _context():
        return chain.seal()


def audit_anchor() -> dict | None:
    from portal.audit import chain

    with _context():
        return chain.anchor()


def _recorded(name: str, work):
    """Run ``work`` and leave a JobRun row saying whether it succeeded (with its counts)."""
    from portal.jobs.models import JobRun

    run = JobRun(name=name)
    try:
        detail = work()
    except Exception:
        db.session.rollback()
        db.session.add(JobRun(name=name, ok=False, finished_at=utcnow()))
        db.session.commit()
        raise
    run.ok, run.finished_at, run.detail = True, utcnow(), detail
    db.session.add(run)
    db.session.commit()
    return detail
