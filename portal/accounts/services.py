"""Sign-in and user management; every outcome is audited."""

from __future__ import annotations

from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.errors import DomainError
from portal.extensions import db
from portal.org.models import Department


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None; success and failure are both audited."""
    user = db.session.execute(db.select(User).filter_by(username=username.strip())).scalar_one_or_none()
    if user is None or not user.active or not user.check_password(password):
        record("auth.login_failed", None, user, actor_name=f"（登录失败）{username.strip()[:50]}")
        db.session.flush()
        return None
    record("auth.login", user, user)
    db.session.flush()
    return user


def create_user(
    *,
    username: str,
    password: str,
    name: str,
    department: Department,
    roles,
    title: str = "",
    actor: User | None = None,
) -> User:
    if db.session.execute(db.select(User.id).filter_by(username=username)).first():
        raise DomainError(f"用户名 {username} 已存在。")
    user = User(username=username, name=name, title=title, department=department)
    try:
        user.roles = [Role(r) for r in roles]
        user.set_password(password)
    except ValueError as error:
        raise DomainError(str(error)) from None
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        actor,
        user,
        actor_name=None if actor else "命令行",
        username=username,
        roles=",".join(sorted(user.roles)),
    )
    return user
