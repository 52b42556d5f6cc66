"""``/healthz`` for a load balancer: the database, Redis (when configured), the job queue's depth and failed jobs,
the last successful clock sweep. JSON, 200 when the instance can serve, else 503. No authentication, so nothing in it
names a person, a case or a host, and a failing check says only that it failed (the log has the reason)."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app, jsonify

from portal.extensions import db, limiter
from portal.localtime import utcnow
from portal.ops import bp

log = logging.getLogger("portal.health")
SWEEP_STALE_HOURS = 26  # a daily job, plus slack


def _database() -> bool:
    try:
        db.session.execute(db.text("SELECT 1"))
        return True
    except Exception:
        log.exception("health: database check failed")
        db.session.rollback()
        return False


def job_status() -> dict:
    from portal.jobs.failed import failed_count
    from portal.jobs.models import JobRun
    from portal.jobs.queue import rq_queue

    status: dict = {"mode": "inline"}
    queue = rq_queue()
    if queue is not None:
        status = {"mode": "rq", "depth": queue.count, "failed": failed_count()}
    last = JobRun.last_success("clock_sweep")
    when = last.finished_at if last else None
    status["last_sweep"] = when.isoformat(timespec="seconds") + "Z" if when else None
    status["sweep_stale"] = when is None or utcnow() - when > dt.timedelta(hours=SWEEP_STALE_HOURS)
    return status


@bp.get("/healthz")
@limiter.exempt
def healthz():
    checks: dict = {"database": "ok" if _database() else "fail"}
    healthy = checks["database"] == "ok"
    if current_app.config.get("REDIS_URL"):
        from portal.jobs.queue import connection

        try:
            connection().ping()
            checks["redis"] = "ok"
        except Exception:
            log.exception("health: redis check failed")
            checks["redis"] = "fail"
            healthy = False
    else:
        checks["redis"] = "not configured"
    if healthy:
        try:
            checks["jobs"] = job_status()
        except Exception:
            log.exception("health: job status failed")
            checks["jobs"] = "fail"
            healthy = False
    response = jsonify(status="ok" if healthy else "fail", checks=checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
