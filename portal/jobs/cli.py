"""``flask --app wsgi jobs worker | sweep | status``."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from portal.extensions import db


@click.group("jobs", cls=AppGroup)
def jobs() -> None:
    """Background jobs: the worker, the clock sweep, the queue's state."""


@jobs.command("worker")
@click.option("--cron/--no-cron", default=True, help="Also enqueue the periodic jobs (run this in one worker only).")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for checks and tests).")
def worker_command(cron: bool, burst: bool) -> None:
    """Run a worker on REDIS_URL (with the retry scheduler and, unless --no-cron, the periodic jobs)."""
    from portal.jobs.schedule import run_worker

    try:
        run_worker(with_cron=cron, burst=burst)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


@jobs.command("sweep")
def sweep_command() -> None:
    """Run the clock sweep now (it also runs daily from the worker): due-soon and overdue reminders."""
    from portal.jobs.tasks import clock_sweep

    click.echo(json.dumps(clock_sweep(), ensure_ascii=False))


@jobs.command("status")
def status_command() -> None:
    """Print the queue depth, the failed jobs and the last successful sweep."""
    from portal.ops.health import job_status

    click.echo(json.dumps(job_status(), ensure_ascii=False, default=str))
    db.session.remove()
