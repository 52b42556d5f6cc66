"""Aggregates kept for a few minutes: the public statistics and the ledger counts cost a scan of the cases, so a
page computes them at most once per ``seconds`` and says when it did (``Cached.at``). In Redis when REDIS_URL is
set, so every worker and instance shares one copy; otherwise in this process. ``seconds`` 0 computes every time
(the tests' default: they change data and read it back at once)."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
PREFIX = "portal:cache:"
_LOCAL: dict[str, tuple[float, object]] = {}
_LOCK = threading.Lock()
WAIT_SECONDS = 60  # how long a worker waits for another one's value before computing it itself
_MAX_LOCAL = 2048  # keys kept in this process (per-user ledger counts); the oldest go first


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    at: dt.datetime  # when it was computed (UTC, naive like the rest of the app)
    seconds: int  # how long it is kept


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _redis():
    from portal.jobs.queue import connection  # the one Redis connection of the app (None without REDIS_URL)

    return connection()


def cached(key: str, seconds: int, compute: Callable[[], T]) -> Cached[T]:
    """``compute()``'s value kept under ``key`` for ``seconds``; the stored value when it is younger than that."""
    if seconds <= 0:
        return Cached(compute(), _utcnow(), 0)
    redis = _redis()
    if redis is not None:
        try:
            raw = redis.get(PREFIX + key)
            if raw is not None:
                return pickle.loads(raw)
            # One worker computes; the others wait for its value instead of all scanning the cases at once.
            if not redis.set(PREFIX + key + ":computing", 1, nx=True, ex=WAIT_SECONDS):
                deadline = time.monotonic() + WAIT_SECONDS
                while time.monotonic() < deadline:
                    time.sleep(0.1)
                    raw = redis.get(PREFIX + key)
                    if raw is not None:
                        return pickle.loads(raw)
        except Exception:  # a cache that is down must not take the page with it
            log.warning("cache read failed for %s", key, exc_info=True)
            redis = None
    else:
        with _LOCK:
            hit = _LOCAL.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
    entry = Cached(compute(), _utcnow(), seconds)
    if redis is not None:
        try:
            redis.set(PREFIX + key, pickle.dumps(entry), ex=seconds)
            redis.delete(PREFIX + key + ":computing")
        except Exception:
            log.warning("cache write failed for %s", key, exc_info=True)
    else:
        with _LOCK:
            if len(_LOCAL) >= _MAX_LOCAL:
                _LOCAL.pop(next(iter(_LOCAL)))
            _LOCAL[key] = (time.monotonic() + seconds, entry)
    return entry


def forget_local() -> None:
    """Drop this process's copies (tests)."""
    with _LOCK:
        _LOCAL.clear()


# --- kept for one transaction -----------------------------------------------------------------------------------
# What a page asks for several times and that changes rarely (the settings table, the calendar's overrides): read
# once per transaction of the session's unit of work, forgotten when that transaction ends and when a flush writes
# a row of one of the tables it was read from, so a change is read back at once within its own transaction too.
_TRANSACTION_KEYS: dict[str, tuple[type, ...]] = {}


def in_transaction(session, key: str, models: tuple[type, ...], compute: Callable[[], T]) -> T:
    """``compute()``'s value kept in ``session`` under ``key`` until the transaction ends or a flush writes one of
    ``models``."""
    _TRANSACTION_KEYS.setdefault(key, models)
    info = session.info
    if key not in info:
        info[key] = compute()
    return info[key]


def _forget_flushed(session, _context) -> None:
    held = [key for key in _TRANSACTION_KEYS if key in session.info]
    if not held:
        return
    written = {type(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    for key in held:
        if any(issubclass(kind, _TRANSACTION_KEYS[key]) for kind in written):
            session.info.pop(key, None)


def _forget_at_end(session, transaction) -> None:
    if transaction.parent is None:
        for key in _TRANSACTION_KEYS:
            session.info.pop(key, None)


def _listen() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    event.listen(Session, "after_flush", _forget_flushed)
    event.listen(Session, "after_transaction_end", _forget_at_end)


_listen()
