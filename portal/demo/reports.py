"""Published reports for the demo county's recent periods: the last four weekly summaries, the last two
half-monthly supervision circulars and the last two bi-monthly circulars, each published the day it was due (as the
job queue would have), numbered in order."""

from __future__ import annotations

import datetime as dt

from portal.localtime import as_of
from portal.reports.builders import due_on, last_complete
from portal.reports.models import ReportKind
from portal.reports.services import publish

HOW_MANY = {ReportKind.WEEKLY: 4, ReportKind.HALF_MONTHLY: 2, ReportKind.BI_MONTHLY: 2}


def make_reports(today: dt.date) -> int:
    """Publish the recent periods of each kind, oldest first; returns how many were published."""
    wanted = []
    for kind, count in HOW_MANY.items():
        day = today
        for _ in range(count):
            period = last_complete(kind, day)
            wanted.append((period.end + dt.timedelta(days=1), kind, period))
            day = period.start
    made = 0
    for due, kind, period in sorted(wanted, key=lambda w: (w[0], w[1].value)):
        # The day after the period is the day it is due (a weekly summary on Monday, …).
        assert (kind, period) in due_on(due)
        with as_of(due):
            _, new = publish(kind, period.start, period.end)
        made += new
    return made
