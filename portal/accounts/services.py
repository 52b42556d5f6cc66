"""Sign-in (password, then a second factor), lockout, passwords and user creation; every outcome is audited.

Whatever stopped a sign-in at the password step — no such user, a disabled or locked account, a wrong password — the
person sees ``SIGN_IN_REFUSED`` and the server did the same work (one password hash checked), so neither the
message nor the time tells which it was.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app

from portal.accounts import factors, passwords
from portal.accounts.models import Role, User, UserFactor
from portal.audit.services import record
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import utcnow
from portal.masking import mask_phone
from portal.org.models import Department
from portal.validation import normalise_phone, printable

SIGN_IN_REFUSED = "用户名或密码不正确，或账号已被锁定。请核对后重试；多次失败后账号将暂时锁定，可联系安全管理员解锁。"
_EPOCH = dt.datetime(1970, 1, 1)


# --- sign-in ---------------------------------------------------------------------------------------------------
def authenticate(username: str, password: str) -> User | None:
    """The user when the password step passes, else None (audited; wrong passwords count towards the lockout).
    A user returned here is not signed in yet: ``complete_sign_in`` does that after the second factor."""
    username = username.strip()
    user = db.session.execute(_locked(db.select(User).filter_by(username=username))).scalar_one_or_none()
    if user is None:
        passwords.verify_dummy(password)
        _refused(None, username, "unknown_user")
        return None
    correct = user.check_password(password)  # checked whatever follows, so every refusal costs the same
    now = utcnow()
    if not user.active:
        _refused(user, username, "disabled")
    elif user.locked(now):
        _refused(user, username, "locked")
    elif not correct:
        _count_failure(user, now, "password")
    else:
        return user
    return None


def verify_second_factor(user: User, response: str) -> str | None:
    """How ``user`` passed the second step ("totp", … or "recovery_code"), or None (audited, counted towards the
    lockout like a wrong password). Refused outright when the account was disabled or locked meanwhile."""
    db.session.execute(_locked(db.select(User).filter_by(id=user.id)).execution_options(populate_existing=True))
    now = utcnow()
    if not user.active or user.locked(now):
        _refused(user, user.username, "locked" if user.active else "disabled", step="second_factor")
        return None
    factor = db.session.execute(db.select(UserFactor).filter_by(user_id=user.id).with_for_update()).scalar_one_or_none()
    if factor is not None and factors.of(factor).verify(factor, response):
        return factor.kind
    if factors.use_recovery_code(user, response):
        return "recovery_code"
    _count_failure(user, now, "second_factor")
    return None


def _locked(query):
    # The row lock serialises concurrent attempts on one account, so no failure goes uncounted. Only the users row:
    # PostgreSQL refuses FOR UPDATE on the outer-joined department.
    return query.with_for_update(of=User)


def may_continue(user: User) -> bool:
    """A half-signed-in user may still take the next step: active, not locked."""
    return user.active and not user.locked(utcnow())


def complete_sign_in(user: User, factor: str | None) -> None:
    """Both steps passed (``factor`` None when none is required and none is enrolled)."""
    user.recent_failures = None
    record("auth.login", user, user, factor=factor or "none", success=True)
    db.session.flush()


def _refused(user: User | None, username: str, reason: str, **detail) -> None:
    record(
        "auth.login_failed",
        None,
        user,
        actor_name=f"（登录失败）{username[:50]}",
        reason=reason,
        success=False,
        **detail,
    )
    db.session.flush()


def _count_failure(user: User, now: dt.datetime, step: str) -> None:
    """Count a failed step; the LOGIN_MAX_FAILURES-th inside LOGIN_FAILURE_WINDOW_MINUTES locks the account."""
    config = current_app.config
    seconds = int((now - _EPOCH).total_seconds())
    window_start = seconds - config["LOGIN_FAILURE_WINDOW_MINUTES"] * 60
    failures = [t for t in (user.recent_failures or []) if t > window_start] + [seconds]
    _refused(user, user.username, "wrong_" + step, failures=len(failures))
    if len(failures) >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + dt.timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
        user.recent_failures = None
        record(
            "auth.locked",
            None,
            user,
            actor_name="系统",
            failures=len(failures),
            until=user.locked_until.isoformat(timespec="seconds"),
            success=True,
        )
    else:
        user.recent_failures = failures
    db.session.flush()


def unlock(user: User, actor: User | None) -> None:
    """End a lockout early (the security administrator; ``actor`` None: the command line on the server)."""
    if actor is not None and not actor.can_unlock(user):
        raise NotAllowed("只有安全管理员可以解锁他人的账号。")
    was_locked = user.locked(utcnow())
    user.locked_until = None
    user.recent_failures = None
    record("user.unlock", actor, user, actor_name=None if actor else "命令行", was_locked=was_locked, success=True)
    db.session.flush()


# --- second factor enrolment -----------------------------------------------------------------------------------
def confirm_enrolment(user: User, kind: str, state: str, response: str) -> list[str] | None:
    """Store ``user``'s new second factor when ``response`` proves it works, replacing any earlier one; returns the
    new recovery codes (shown this once), or None when the response was wrong."""
    factor = factors.REGISTRY[kind].confirm(user, state, response)
    if factor is None:
        record("auth.factor_enrol_failed", user, user, kind=kind, success=False)
        db.session.flush()
        return None
    if user.factor is not None:
        db.session.delete(user.factor)
        db.session.flush()
    user.factor = factor
    db.session.flush()
    codes = factors.new_recovery_codes(user)
    record("auth.factor_enrolled", user, user, kind=kind, success=True)
    return codes


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    """New recovery codes for ``user`` (the old ones stop working), after the password is typed again."""
    if user.factor is None:
        raise DomainError("尚未设置两步验证，无需恢复码。")
    if not user.check_password(password):
        record("auth.recovery_codes_failed", user, user, success=False)
        db.session.flush()
        raise DomainError("密码不正确。")
    codes = factors.new_recovery_codes(user)
    record("auth.recovery_codes", user, user, success=True)
    return codes


def remove_second_factor(user: User, actor: User | None) -> None:
    """A person lost their phone and their recovery codes: the security administrator (after checking who asks)
    removes the factor; the next sign-in enrols a new one. ``actor`` None: the command line on the server."""
    if actor is not None and not actor.can_manage_accounts:
        raise NotAllowed("只有安全管理员可以重置他人的两步验证。")
    if actor is not None and actor.id == user.id:
        raise DomainError("不能重置自己的两步验证：请由另一位安全管理员操作。")
    if user.factor is None:
        raise DomainError("该账户尚未设置两步验证。")
    kind = user.factor.kind
    factors.forget(user)
    record("user.factor_reset", actor, user, actor_name=None if actor else "命令行", kind=kind, success=True)
    db.session.flush()


# --- the person's own reminder number ------------------------------------------------------------------------
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def set_reminder_phone(user: User, raw: str | None) -> bool:
    """The person's own mobile number for the daily sweep's SMS reminders (empty: none, 我的待办 only). True when it
    changed. A landline cannot take an SMS, so only a mobile number is accepted."""
    phone = normalise_phone(printable((raw or "").strip(), "手机号"))
    if phone is not None and not MOBILE.match(phone):
        raise DomainError("手机号格式不正确：请填写11位手机号码（短信提醒不能发到固定电话）。")
    if phone == user.reminder_phone:
        return False
    before = user.reminder_phone
    user.reminder_phone = phone
    record(
        "user.reminder_phone",
        user,
        user,
        before=mask_phone(before) if before else "",
        after=mask_phone(phone) if phone else "",
        success=True,
    )
    db.session.flush()
    return True


# --- passwords -------------------------------------------------------------------------------------------------
def change_password(user: User, current: str, new: str) -> None:
    """The person's own change: the current password, then a new one under the policy."""
    if not user.check_password(current):
        record("user.password_change_failed", user, user, success=False)
        db.session.flush()
        raise DomainError("当前密码不正确。")
    if new == current:
        raise DomainError("新密码不能与当前密码相同。")
    user.set_password(new)
    user.demo_account = False  # the demo password is gone: expiry applies from now on
    record("user.password_change", user, user, success=True)
    db.session.flush()


def reset_password(user: User, actor: User | None) -> str:
    """A generated temporary password for ``user``, to be changed at the next sign-in; also ends a lockout.
    For the security administrator (``actor`` None: the command line on the server)."""
    if actor is not None and not actor.can_manage_accounts:
        raise NotAllowed("只有安全管理员可以重置密码。")
    if actor is not None and actor.id == user.id:
        raise DomainError("请通过“修改密码”更改自己的密码。")
    temporary = passwords.generate(user.username)
    user.demo_account = False
    user.set_password(temporary, temporary=True)
    user.locked_until = None
    user.recent_failures = None
    record("user.password_reset", actor, user, actor_name=None if actor else "命令行", success=True)
    db.session.flush()
    return temporary


def create_user(
    *,
    username: str,
    password: str,
    name: str,
    department: Department,
    roles,
    title: str = "",
    actor: User | None = None,
    demo_account: bool = False,
) -> User:
    """A new account; its password is initial (changed at the first sign-in) unless it is a demo account."""
    if db.session.execute(db.select(User.id).filter_by(username=username)).first():
        raise DomainError(f"用户名 {username} 已存在。")
    user = User(username=username, name=name, title=title, department=department, demo_account=demo_account)
    try:
        user.roles = [Role(r) for r in roles]
    except ValueError as error:
        raise DomainError(str(error)) from None
    user.set_password(password, temporary=True)
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        actor,
        user,
        actor_name=None if actor else "命令行",
        username=username,
        roles=",".join(sorted(user.roles)),
        success=True,
    )
    return user
