"""Jobs that failed after their retries (RQ's failed-job registry), as the administrator's page shows them: the job's
name, when, the kind of error — never its arguments or traceback, which may carry personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.audit.services import record
from portal.errors import DomainError
from portal.jobs.queue import LABELS, connection, rq_queue


@dataclass(frozen=True)
class FailedJob:
    id: str
    label: str
    failed_at: dt.datetime | None
    error: str


def _error_kind(job) -> str:
    result = job.latest_result()
    text = (getattr(result, "exc_string", "") or "").strip().splitlines()
    last = text[-1] if text else ""
    return last.split(":", 1)[0].rsplit(".", 1)[-1][:80] or "未知错误"


def failed_jobs(limit: int = 100) -> list[FailedJob]:
    queue = rq_queue()
    if queue is None:
        return []
    from rq.job import Job

    ids = queue.failed_job_registry.get_job_ids(0, limit - 1)
    jobs = [job for job in Job.fetch_many(ids, connection=connection()) if job is not None]
    return [FailedJob(job.id, LABELS.get(job.func_name, job.func_name), job.ended_at, _error_kind(job)) for job in jobs]


def failed_count() -> int:
    queue = rq_queue()
    return 0 if queue is None else queue.failed_job_registry.count


def retry(job_id: str, actor) -> None:
    """Put a failed job back on the queue (flush only: the audit row commits with the view)."""
    queue = rq_queue()
    if queue is None or job_id not in queue.failed_job_registry.get_job_ids():
        raise DomainError("该任务不在失败列表中，可能已重试或已过期。")
    from rq.job import Job

    job = Job.fetch(job_id, connection=connection())
    queue.failed_job_registry.requeue(job)
    record("jobs.retry", actor, None, job=LABELS.get(job.func_name, job.func_name), job_id=job_id)
