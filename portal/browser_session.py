"""Where the browser session's contents live: in Redis when REDIS_URL is set (production), else in the signed
cookie Flask keeps by default (``make run``, the tests).

With Redis (Flask-Session's store) the cookie carries only a random id, and what the session holds — the staff
session's id (``portal.accounts.sessions``), the CSRF token, the registration form tokens, the public lookup grant —
is kept server-side, shared by every worker and instance, and gone from the server at logout; a signed cookie can be
replayed until it expires, a Redis entry cannot once deleted. ``staff_sessions`` in the database stays the authority
for who is signed in (listing and ending sessions, timeouts, the audit trail): Redis holds the browser session, the
database the sign-in.

``SESSION_STORE``: ``redis`` or ``cookie``; empty (the default) picks ``redis`` when REDIS_URL is set.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, session

KEY_PREFIX = "portal:session:"


def store(config) -> str:
    """The session store these settings choose: "redis" or "cookie"."""
    chosen = str(config.get("SESSION_STORE") or "").strip().lower()
    if not chosen:
        return "redis" if config.get("REDIS_URL") else "cookie"
    return chosen


def init_app(app: Flask) -> None:
    chosen = store(app.config)
    if chosen == "cookie":
        return
    if chosen != "redis":
        raise RuntimeError(f"SESSION_STORE must be redis or cookie, not {chosen!r}")
    if not app.config.get("REDIS_URL"):
        raise RuntimeError("SESSION_STORE=redis needs REDIS_URL")
    from flask_session.redis import RedisSessionInterface
    from redis import Redis

    # The Redis entry lives as long as a staff session may (SESSION_ABSOLUTE_HOURS) from the last request that
    # changed the session — sign-in writes it, so it outlives the staff session it carries — and a request that
    # changed nothing writes nothing back (no Redis write and no re-serialising per page view: issue 18). The cookie
    # itself is a browser-session cookie (closing the browser forgets it), as with the signed cookie.
    app.permanent_session_lifetime = dt.timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.session_interface = RedisSessionInterface(
        app,
        client=Redis.from_url(app.config["REDIS_URL"]),
        key_prefix=KEY_PREFIX,
        permanent=False,
        sid_length=32,
        serialization_format="msgpack",
    )


def rotate() -> None:
    """Give the browser session a new id (at sign-in: an id known before it — planted or seen — is worth nothing
    after). Call before clearing the session: Flask-Session rotates only a session with contents. The signed cookie
    needs nothing: its contents are cleared and re-signed."""
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)
