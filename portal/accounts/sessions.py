"""Staff sessions on the server: the ``staff_sessions`` table is the authority for who is signed in.

The browser's (signed) Flask session carries only a random session id; the table keeps its hash, so every worker and
instance agrees on which sessions are live, logout ends one for real, and a security administrator can end anyone's.
A session lapses after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after sign-in. There is no
remember cookie: closing the browser or lapsing means signing in again.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import ForeignKey, String, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from portal import browser_session
from portal.accounts.models import User
from portal.audit.services import record
from portal.errors import NotAllowed
from portal.extensions import db, enum_column
from portal.localtime import utcnow

# The key in the browser's Flask session that holds the raw session id.
SESSION_KEY = "_staff_sid"
# last_seen_at is written at most this often, so a busy page does not write on every request.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


class EndReason(enum.StrEnum):
    LOGOUT = "logout"
    IDLE = "idle"
    ABSOLUTE = "absolute"
    BY_USER = "by_user"
    BY_SECURITY_ADMIN = "by_security_admin"
    DISABLED = "disabled"

    @property
    def label(self) -> str:
        return END_REASON_LABELS[self]


END_REASON_LABELS = {
    EndReason.LOGOUT: "退出登录",
    EndReason.IDLE: "长时间未操作",
    EndReason.ABSOLUTE: "超过最长登录时间",
    EndReason.BY_USER: "本人结束",
    EndReason.BY_SECURITY_ADMIN: "安全管理员结束",
    EndReason.DISABLED: "账户已停用",
}
# The lapses after which what a person was posting is kept for them (portal.security.stash).
TIMEOUTS = frozenset({EndReason.IDLE, EndReason.ABSOLUTE})


class StaffSession(db.Model):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random id in the cookie: a copy of the table does not hand out live sessions.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    end_reason: Mapped[EndReason | None] = mapped_column(enum_column(EndReason, length=20))
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship(lazy="joined")

    def lapse(self, now: dt.datetime) -> EndReason | None:
        """Why this session is over by now (timeouts included, even before they were written down), or None."""
        if self.end_reason is not None:
            return self.end_reason
        if now - self.created_at >= absolute_timeout():
            return EndReason.ABSOLUTE
        if now - self.last_seen_at >= idle_timeout():
            return EndReason.IDLE
        return None

    @property
    def live(self) -> bool:
        return self.lapse(utcnow()) is None

    @property
    def expires_at(self) -> dt.datetime:
        """When it lapses if nothing more happens."""
        return min(self.created_at + absolute_timeout(), self.last_seen_at + idle_timeout())

    @property
    def is_current(self) -> bool:
        token = session.get(SESSION_KEY)
        return bool(token) and _hash(token) == self.token_hash

    def can_end(self, user) -> bool:
        """A person ends their own sessions; the security administrator anyone's."""
        return user.is_authenticated and (user.id == self.user_id or user.can_manage_sessions)


def idle_timeout() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def absolute_timeout() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- the web layer: sign-in, the user loader, logout -------------------------------------------------------------
# These read the request and the browser session on purpose: they are the session layer, called only by views.
def start(user: User) -> StaffSession:
    """Sign ``user`` in on a new server session, once sign-in has fully succeeded (every factor checked).

    Rotates: whatever the browser session held before (an attacker's planted id included) is cleared and a new id
    issued. Flushes; the caller commits.
    """
    browser_session.rotate()
    session.clear()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = StaffSession(
        token_hash=_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        ip=(request.remote_addr or "")[:45],
        user_agent=request.headers.get("User-Agent", "")[:255],
    )
    db.session.add(row)
    db.session.flush()
    login_user(user, remember=False)  # never a remember cookie: the server session is the only way in
    session[SESSION_KEY] = token
    return row


def end() -> None:
    """Log out: the current server session ends for good (a replayed cookie is refused), the browser's is cleared.
    Flushes; the caller commits."""
    row = current()
    if row is not None and row.ended_at is None:
        _close(row, EndReason.LOGOUT)
        db.session.flush()
    logout_user()
    browser_session.rotate()  # the server-side entry the cookie named is deleted, not just emptied
    session.clear()


def current() -> StaffSession | None:
    """The server session the browser's cookie names, live or not."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return None
    return db.session.execute(db.select(StaffSession).filter_by(token_hash=_hash(token))).scalar_one_or_none()


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only while the session row the cookie names is live."""
    row = current()
    if row is None or str(row.user_id) != user_id:
        return None
    now = utcnow()
    reason = row.lapse(now)
    if reason is None and not row.user.active:
        reason = EndReason.DISABLED
    if reason is not None:
        if row.ended_at is None:
            _write_apart(row, ended_at=now, end_reason=reason)
        g.lapsed_session = row
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        _write_apart(row, last_seen_at=now)
    return row.user


def lapsed() -> StaffSession | None:
    """The session this request's cookie named if it had just timed out (idle or absolute), else None."""
    row = getattr(g, "lapsed_session", None)
    return row if row is not None and row.end_reason in TIMEOUTS else None


def _write_apart(row: StaffSession, **values) -> None:
    # Outside the request's unit of work: a GET never commits, and a view that rolls back must not undo "seen" or
    # "ended". The loader runs before any view work (portal.security hooks load the user first), so nothing of the
    # request holds a lock that this would wait for.
    with db.engine.begin() as connection:
        connection.execute(update(StaffSession).where(StaffSession.id == row.id).values(**values))
    for key, value in values.items():
        set_committed_value(row, key, value)  # what the database now holds, without a second write at flush


def _close(row: StaffSession, reason: EndReason) -> None:
    row.ended_at = utcnow()
    row.end_reason = reason


# --- services: seeing and ending sessions ----------------------------------------------------------------------
def live_query(user: User | None = None):
    """Live sessions (of ``user``, or everyone's), newest first, as one SQL form of ``StaffSession.live``."""
    now = utcnow()
    stmt = (
        db.select(StaffSession)
        .where(
            StaffSession.ended_at.is_(None),
            StaffSession.created_at > now - absolute_timeout(),
            StaffSession.last_seen_at > now - idle_timeout(),
        )
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
    )
    if user is not None:
        stmt = stmt.where(StaffSession.user_id == user.id)
    return stmt


def end_session(row: StaffSession, actor: User) -> None:
    """End one session: the person's own, or anyone's for the security administrator. Audited."""
    if not row.can_end(actor):
        raise NotAllowed("您无权结束他人的登录会话。")
    if row.ended_at is not None:
        return
    reason = EndReason.BY_USER if actor.id == row.user_id else EndReason.BY_SECURITY_ADMIN
    _close(row, reason)
    record("session.end", actor, row.user, session_id=row.id, reason=reason.value)
    db.session.flush()


def end_all(user: User, reason: EndReason) -> int:
    """End every open session of ``user`` (e.g. when the account is disabled); returns how many. Flushes."""
    rows = db.session.execute(
        db.select(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
    ).scalars()
    count = 0
    for row in rows:
        _close(row, reason)
        count += 1
    db.session.flush()
    return count
