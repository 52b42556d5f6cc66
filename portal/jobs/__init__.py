"""Background work (issue 13): RQ on Redis when REDIS_URL is set, the same jobs run inline in the request that
queued them when it is not (``make run`` needs nothing else). SMS delivery with retries and back-off, the daily clock
sweep (due-soon and overdue reminders in 我的待办), and the periodic audit seal and anchor; failed jobs are listed for
the system administrator with a retry."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/staff/admin/jobs")

from portal.jobs import models, views  # noqa: E402,F401
