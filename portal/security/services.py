"""The security administrator's changes to accounts: create, roles, disable and enable, unlock, reset the password.
Each asks ``actor.can_manage_accounts`` (as the pages do), refuses what 三员分立 forbids, and is audited; unlock and
reset are the sign-in area's own services."""

from __future__ import annotations

from portal.accounts import passwords, sessions
from portal.accounts import services as accounts
from portal.accounts.models import Role, User, scope_violation, separation_violation
from portal.audit.services import record
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.org.models import Department
from portal.validation import printable, required


def _check(actor: User) -> None:
    if not actor.can_manage_accounts:
        raise NotAllowed("只有安全管理员可以管理账户。")


def create_account(
    actor: User, *, username: str, name: str, title: str, department: Department, roles, password: str | None
) -> tuple[User, str | None]:
    """A new account with an initial password that must be changed at the first sign-in; with no ``password`` a
    temporary one is generated. Returns the account and the generated password (to show once), or None."""
    _check(actor)
    generated = None if password else passwords.generate(username.strip())
    roles = {Role(r) for r in roles}
    if message := separation_violation(roles) or scope_violation(roles, department):
        raise DomainError(message)
    name = printable(required(name, "姓名", 50), "姓名")
    title = printable((title or "").strip(), "职务")
    try:
        user = accounts.create_user(
            username=username.strip(),
            password=password or generated,
            name=name,
            department=department,
            roles=roles,
            title=title,
            actor=actor,
        )
    except ValueError as error:  # the roles setter (WeakPassword is a DomainError already)
        raise DomainError(str(error)) from None
    return user, generated


def change_roles(user: User, roles, actor: User) -> None:
    _check(actor)
    roles = {Role(r) for r in roles}
    if not roles:
        raise DomainError("请至少选择一个角色。")
    if message := separation_violation(roles) or scope_violation(roles, user.department):
        raise DomainError(message)
    if user.id == actor.id and Role.SECURITY_ADMIN not in roles:
        raise DomainError("不能取消自己的安全管理员角色：请由另一位安全管理员操作。")
    before = user.roles
    if before == roles:
        return
    user.roles = roles
    # Powers change at once: a session signed in under the old roles does not carry them on.
    ended = sessions.end_all(user, sessions.EndReason.BY_SECURITY_ADMIN) if user.id != actor.id else 0
    record(
        "user.roles",
        actor,
        user,
        before=",".join(sorted(before)),
        after=",".join(sorted(roles)),
        sessions_ended=ended,
        success=True,
    )
    db.session.flush()


def set_active(user: User, active: bool, actor: User) -> None:
    """Disable (every session of the account ends at once) or enable an account."""
    _check(actor)
    if user.id == actor.id:
        raise DomainError("不能停用或启用自己的账户。")
    if user.active == active:
        return
    user.active = active
    ended = 0 if active else sessions.end_all(user, sessions.EndReason.DISABLED)
    record("user.enable" if active else "user.disable", actor, user, sessions_ended=ended, success=True)
    db.session.flush()


def unlock(user: User, actor: User) -> None:
    _check(actor)
    if not actor.can_unlock(user):
        raise DomainError("不能解锁自己的账户：请由另一位安全管理员操作。")
    accounts.unlock(user, actor)


def remove_second_factor(user: User, actor: User) -> None:
    """The factor is gone and every session of ``user`` ends: whoever holds the lost phone has nothing left."""
    _check(actor)
    accounts.remove_second_factor(user, actor)
    sessions.end_all(user, sessions.EndReason.BY_SECURITY_ADMIN)


def reset_password(user: User, actor: User) -> str:
    """A temporary password, shown to the security administrator once; changed at the next sign-in."""
    _check(actor)
    return accounts.reset_password(user, actor)
