"""Time for the portal: stored as naive UTC, shown and counted in China Standard Time.

``as_of`` replays actions on an earlier day (demo data, tests): legal periods then count from that day.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from contextvars import ContextVar

CST = dt.timezone(dt.timedelta(hours=8), "CST")
_as_of: ContextVar[dt.datetime | None] = ContextVar("as_of", default=None)


def now() -> dt.datetime:
    """The current moment, aware, in China Standard Time."""
    return _as_of.get() or dt.datetime.now(CST)


def utcnow() -> dt.datetime:
    """Naive UTC, as stored in every timestamp column."""
    return now().astimezone(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today in China: legal periods are counted in local days."""
    return now().date()


@contextlib.contextmanager
def as_of(moment: dt.datetime | dt.date):
    """Act as if it were ``moment`` (a date means 10:00 that day, China time)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(10, 0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CST)
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)


def local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(CST)
