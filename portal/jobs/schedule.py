"""The worker (``flask jobs worker`` / ``make worker``): an RQ worker that also runs RQ's scheduler (the retries'
back-off), and, in a child process, RQ's cron scheduler enqueuing the periodic jobs. Run the cron part once per
installation (`--no-cron` on any further worker): two would enqueue every periodic job twice (harmless — the sweep
gives each reminder once and the seal takes a lock — but wasted)."""

from __future__ import annotations

import logging
import multiprocessing

from flask import current_app

from portal.jobs.queue import QUEUE_NAME, connection

log = logging.getLogger("portal.jobs")


def periodic(config) -> list[dict]:
    """The periodic jobs: the clock sweep daily, the audit seal every minute, the anchor hourly, the outbox catch-up
    every ten minutes, the reports daily (each publishes only on its day: Monday, the 1st and 16th, every other
    1st), the staff dashboard's default views every five minutes (portal.stats.cache). Cron expressions are in UTC
    (RQ's clock)."""
    from portal.jobs import tasks

    return [
        {"func": tasks.clock_sweep, "cron": config["SWEEP_CRON"], "name": "clock_sweep", "job_timeout": 1800},
        {"func": tasks.audit_seal, "interval": 60, "name": "audit_seal"},
        {"func": tasks.audit_anchor, "cron": "5 * * * *", "name": "audit_anchor"},
        {"func": tasks.sms_catch_up, "interval": 600, "name": "sms_catch_up"},
        {"func": tasks.publish_due_reports, "cron": config["REPORTS_CRON"], "name": "publish_due_reports"},
        {"func": tasks.warm_dashboard, "interval": 300, "name": "warm_dashboard", "job_timeout": 600},
    ]


def _run_cron(url: str, jobs: list[dict]) -> None:
    from redis import Redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis.from_url(url), name="portal-cron")
    for job in jobs:
        scheduler.register(queue_name=QUEUE_NAME, **job)
    scheduler.start()


def run_worker(with_cron: bool = True, burst: bool = False) -> None:
    from rq import Queue, SimpleWorker

    from portal.jobs import tasks

    redis = connection()
    if redis is None:
        raise RuntimeError("REDIS_URL is not set: without Redis jobs run inline and no worker is needed")
    cron = None
    if with_cron and not burst:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of this process is shared
        cron = context.Process(
            target=_run_cron, args=(current_app.config["REDIS_URL"], periodic(current_app.config)), daemon=True
        )
        cron.start()
    tasks.in_worker = True
    try:
        # SimpleWorker runs each job in this process, inside the worker's app (portal.jobs.tasks): no fork that
        # would share database connections.
        SimpleWorker([Queue(QUEUE_NAME, connection=redis)], connection=redis).work(with_scheduler=True, burst=burst)
    finally:
        if cron is not None:
            cron.terminate()
            cron.join(5)
