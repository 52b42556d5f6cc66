"""A cache for the staff dashboard's aggregates, so that a page over a year of a million cases is a lookup.

Measured on PostgreSQL with a million cases (on the shared 2-core development machine): one GROUP BY over a year
takes 4–9 s cold, far beyond a page's 300 ms. So a page never waits for one it can avoid:

- every result is kept for ``FRESH`` seconds under a key of its parameters (dimension, span, scope, the day the
  clocks are judged on — so nothing outlives midnight), and the page says when its numbers were taken;
- the worker's periodic ``warm_dashboard`` job recomputes the default views (this year, every dimension, the whole
  county) every ``FRESH`` seconds, so the first page of the day and every page after find them ready.

A number may thus be up to ``FRESH`` seconds older than the case list it links to, which is live; the page says
so. A span nobody asked for before costs one cold computation, then is cached like the rest. Results live in Redis
when REDIS_URL is set (shared by every instance), otherwise in this process.
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from redis.exceptions import RedisError

from portal.localtime import now

log = logging.getLogger("portal.stats")

FRESH = 300  # seconds a result is served; the warm job runs as often
LOCAL_SIZE = 256
PREFIX = "portal:stats:"

_lock = threading.Lock()
_local: OrderedDict[str, tuple[float, tuple[dt.datetime, object]]] = OrderedDict()


def _redis():
    from portal.jobs.queue import connection

    return connection()


def _enabled() -> bool:
    enabled = current_app.config.get("STATS_CACHE")
    return enabled if enabled is not None else not current_app.testing


def _key(parts: tuple) -> str:
    return PREFIX + ":".join(str(p) for p in parts)


def _get(key: str):
    redis = _redis()
    if redis is not None:
        try:
            hit = redis.get(key)
        except RedisError:
            log.warning("stats cache: Redis unavailable, computing afresh")
            return None
        return pickle.loads(hit) if hit is not None else None  # our own Redis, written only by _put
    with _lock:
        hit = _local.get(key)
        if hit is None or hit[0] <= time.monotonic():
            return None
        _local.move_to_end(key)
        return hit[1]


def _put(key: str, entry: tuple[dt.datetime, object]) -> None:
    redis = _redis()
    if redis is not None:
        try:
            redis.set(key, pickle.dumps(entry), ex=FRESH)
        except RedisError:
            log.warning("stats cache: could not store a result")
        return
    with _lock:
        _local[key] = (time.monotonic() + FRESH, entry)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)


def cached(parts: tuple, compute: Callable[[], object]) -> tuple[object, dt.datetime]:
    """(``compute()``'s result for the key ``parts``, when it was computed); served from the cache while fresh."""
    if not _enabled():
        return compute(), now()
    key = _key(parts)
    entry = _get(key)
    if entry is None:
        entry = (now(), compute())
        _put(key, entry)
    taken, value = entry
    return value, taken


def refresh(parts: tuple, compute: Callable[[], object]) -> None:
    """Compute and store now, whatever is cached (the warm job)."""
    _put(_key(parts), (now(), compute()))


def clear() -> None:
    with _lock:
        _local.clear()
