"""A cache for the staff dashboard's aggregates, so that a page over a year of a million cases costs a lookup.

Why a cache and not a precomputed table: the indicators depend on the day the clocks are judged on and on every
later step of a case, so a daily table would be wrong by the afternoon. Instead each result is kept under a key that
carries a *generation*, and the generation moves on whenever a transaction that changed a case (or an evaluation,
which the satisfaction rates read) commits: the next page computes afresh once, every page after reads the cache.
The generation and the results live in Redis when REDIS_URL is set (shared by every instance), otherwise in this
process. A bulk UPDATE written past the ORM (a calendar recompute) is not seen by the listener: the TTL bounds how
long such a result can stay, and the key also carries the day, so nothing outlives midnight.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("portal.stats")

TTL = 600  # seconds
LOCAL_SIZE = 256
GENERATION_KEY = "portal:stats:generation"
DIRTY = "portal.stats.dirty"
# The tables whose rows the indicators read; a change to any of them makes every cached result old.
WATCHED = frozenset({"cases", "evaluations"})

_lock = threading.Lock()
_local: OrderedDict[str, tuple[float, object]] = OrderedDict()
_local_generation = 0


def _redis():
    from portal.jobs.queue import connection

    try:
        return connection()
    except RuntimeError:  # no app
        return None


def generation() -> int:
    redis = _redis()
    if redis is not None:
        try:
            return int(redis.get(GENERATION_KEY) or 0)
        except RedisError:  # Redis down: compute every time rather than serve an old number
            log.warning("stats cache: Redis unavailable, computing afresh")
            return -1
    return _local_generation


def bump() -> None:
    """Every cached result is old from now on."""
    global _local_generation
    with _lock:
        _local_generation += 1
        _local.clear()
    redis = _redis()
    if redis is not None:
        try:
            redis.incr(GENERATION_KEY)
        except RedisError:
            log.warning("stats cache: could not advance the generation in Redis")


def cached(parts: tuple, compute: Callable[[], object]) -> object:
    """``compute()``'s result for the key ``parts`` (plain values: names, dates, ids), cached for the current
    generation."""
    enabled = current_app.config.get("STATS_CACHE")
    if not (enabled if enabled is not None else not current_app.testing):
        return compute()
    gen = generation()
    if gen < 0:
        return compute()
    key = "portal:stats:" + ":".join(str(p) for p in (gen, *parts))
    redis = _redis()
    if redis is not None:
        try:
            hit = redis.get(key)
        except RedisError:
            return compute()
        if hit is not None:
            return pickle.loads(hit)  # our own Redis, written only below
        value = compute()
        try:
            redis.set(key, pickle.dumps(value), ex=TTL)
        except RedisError:
            log.warning("stats cache: could not store a result")
        return value
    now = time.monotonic()
    with _lock:
        hit = _local.get(key)
        if hit is not None and hit[0] > now:
            _local.move_to_end(key)
            return hit[1]
    value = compute()
    with _lock:
        _local[key] = (now + TTL, value)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)
    return value


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in WATCHED:
            session.info[DIRTY] = True
            return


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(DIRTY, False):
        bump()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(DIRTY, None)
