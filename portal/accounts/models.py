"""Staff users and their roles (DESIGN §1)."""

from __future__ import annotations

import datetime as dt
import enum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts import passwords
from portal.extensions import db, enum_column
from portal.localtime import utcnow
from portal.masking import mask_phone
from portal.org.models import Department
from portal.protection import EncryptedString


class Role(enum.StrEnum):
    CLERK = "clerk"
    LEADER = "leader"
    DEPT_HEAD = "dept_head"
    HANDLER = "handler"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SECURITY_ADMIN = "security_admin"
    AUDITOR = "auditor"
    AGENT = "agent"
    SCREENING = "screening"
    ORG_DEPT = "org_dept"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CLERK: "信访登记员",
    Role.LEADER: "领导",
    Role.DEPT_HEAD: "责任单位负责人",
    Role.HANDLER: "承办人",
    Role.SUPERVISOR: "督查",
    Role.ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDITOR: "审计管理员",
    Role.AGENT: "信访代理员",
    Role.SCREENING: "矛盾纠纷排查员",
    Role.ORG_DEPT: "组织部门",
}

# Roles that work on case content; the three administrators are kept apart from them (separation of duties).
CASE_ROLES = frozenset({Role.CLERK, Role.LEADER, Role.DEPT_HEAD, Role.HANDLER, Role.SUPERVISOR})
# Roles that see only their own department's cases.
DEPARTMENT_SCOPED = frozenset({Role.DEPT_HEAD, Role.HANDLER})
# 三员分立: each of these is held alone — never two of them, never one of them with a case role.
SEPARATED = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
SEPARATION_MESSAGE = "三员分立：系统管理员、安全管理员、审计管理员只能单独担任，不能互相兼任或兼任办案角色。"
# The grassroots network (DESIGN §9): case-free roles scoped to a township, village or group; they see only their
# own matters and reports, so they are never held with a case role (which would open the case lists).
GRASSROOTS = frozenset({Role.AGENT, Role.SCREENING})
GRASSROOTS_MESSAGE = "信访代理员、矛盾纠纷排查员不办理信访件，不能兼任办案角色。"
# 组织部门 reads leaders' performance files and never a case: a case role beside it would open the case lists.
ORG_DEPT_MESSAGE = "组织部门只查阅领导干部实绩档案，不办理信访件，不能兼任办案角色。"
# Where each grassroots role may sit: an agent in a township, village or group; a screening cadre in a township or
# village (groups report through their village).
GRASSROOTS_LEVELS = {Role.AGENT: ("township", "village", "group"), Role.SCREENING: ("township", "village")}


def separation_violation(roles) -> str | None:
    """Why this set of roles may not be held by one account (三员分立), or None when it may."""
    roles = {Role(r) for r in roles}
    if roles & SEPARATED and len(roles) > 1:
        return SEPARATION_MESSAGE
    if roles & GRASSROOTS and roles & CASE_ROLES:
        return GRASSROOTS_MESSAGE
    if Role.ORG_DEPT in roles and roles & CASE_ROLES:
        return ORG_DEPT_MESSAGE
    return None


def scope_violation(roles, department: Department | None) -> str | None:
    """Why an account of these roles may not belong to ``department`` (a grassroots role outside a township, village
    or group of the local tree), or None when it may."""
    if department is None:
        return None
    for role in sorted({Role(r) for r in roles} & GRASSROOTS):
        levels = GRASSROOTS_LEVELS[role]
        if department.kind.value != "local" or department.level.value not in levels:
            where = "、".join({"township": "乡镇", "village": "村（社区）", "group": "村民小组"}[v] for v in levels)
            return f"{role.label}只能设在{where}，“{department.name}”不是。"
    return None


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(100), default="")  # 职务, printed under a signature
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The secret in a leader's own iCalendar feed address; reset it to revoke a leaked address.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Sign-in controls (等保 2.0 L3 身份鉴别). An initial or reset password must be changed at the next sign-in.
    password_changed_at: Mapped[dt.datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Demo accounts keep the documented demo password: no forced change, no expiry. Every other control applies.
    demo_account: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Epoch seconds of the failed sign-ins inside the current failure window (at most LOGIN_MAX_FAILURES).
    recent_failures: Mapped[list | None] = mapped_column(JSON)
    locked_until: Mapped[dt.datetime | None]
    # The person's own mobile number for the daily sweep's SMS reminders (portal.jobs.sweep); none: 我的待办 only.
    reminder_phone: Mapped[str | None] = mapped_column(EncryptedString(20))

    department: Mapped[Department] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    factor: Mapped[UserFactor | None] = relationship(cascade="all, delete-orphan")  # loaded when asked for

    def __str__(self) -> str:
        return self.name

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.role_rows)

    @roles.setter
    def roles(self, roles) -> None:
        roles = {Role(r) for r in roles}
        if message := separation_violation(roles):
            raise ValueError(message)
        # Keep the rows of roles that stay: a new row beside the old one's pending delete would break the unique key.
        kept = {row.role: row for row in self.role_rows}
        self.role_rows = [kept.get(r) or UserRole(role=r) for r in sorted(roles)]

    @property
    def masked_reminder_phone(self) -> str:
        return mask_phone(self.reminder_phone)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def works_cases(self) -> bool:
        return bool(self.roles & CASE_ROLES)

    @property
    def department_scoped(self) -> bool:
        """True when every case role this user holds is limited to the own department."""
        case_roles = self.roles & CASE_ROLES
        return bool(case_roles) and case_roles <= DEPARTMENT_SCOPED

    # What a person may do outside a particular case; the pages, the navigation and the services ask these.
    @property
    def can_register_cases(self) -> bool:
        """登记: the petition office registers petitions from every channel."""
        return self.has_role(Role.CLERK)

    @property
    def keeps_reception_duty(self) -> bool:
        """A leader has reception days of their own (我的接访)."""
        return self.has_role(Role.LEADER)

    @property
    def can_log_receptions(self) -> bool:
        """接访登记: the petition office for every leader, a leader for their own days."""
        return self.has_role(Role.CLERK, Role.LEADER)

    @property
    def is_agent(self) -> bool:
        """信访代理员: takes villagers' matters in their area (portal.agents)."""
        return self.has_role(Role.AGENT)

    @property
    def files_screening(self) -> bool:
        """村（社区）、乡镇干部 who file the daily dispute-screening report for their area (portal.screening)."""
        return self.has_role(Role.SCREENING)

    @property
    def can_manage_calendar(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def can_administer(self) -> bool:
        """系统管理员: departments, categories, checklist templates, settings — never case content or accounts."""
        return self.has_role(Role.ADMIN)

    @property
    def can_manage_jobs(self) -> bool:
        """系统管理员: the background jobs that failed after their retries, and retrying them."""
        return self.has_role(Role.ADMIN)

    # 实绩档案 (leaders' performance files): the organisation department (组织部门, which reads files and never
    # cases: ORG_DEPT is no case role), the supervisors, and each leader their own.
    @property
    def reads_performance_files(self) -> bool:
        """May open any leader's performance file."""
        return self.has_role(Role.SUPERVISOR, Role.ORG_DEPT)

    def can_view_performance_file(self, leader: User) -> bool:
        return self.reads_performance_files or (self.id == leader.id and self.has_role(Role.LEADER))

    @property
    def can_read_reports(self) -> bool:
        """每周汇总, 半月督办通报, 两月通报 and the staff dashboard: people who work cases (numbers link to cases)."""
        return self.works_cases

    @property
    def can_produce_reports(self) -> bool:
        """Producing and publishing a report is the supervisors' (督查) work."""
        return self.has_role(Role.SUPERVISOR)

    @property
    def can_read_audit(self) -> bool:
        return self.has_role(Role.AUDITOR)

    # The security administrator's powers (安全管理员): accounts, roles, unlocks, sessions, the security settings.
    @property
    def can_manage_accounts(self) -> bool:
        return self.has_role(Role.SECURITY_ADMIN)

    @property
    def can_manage_sessions(self) -> bool:
        """End anyone's session (everyone may end their own)."""
        return self.has_role(Role.SECURITY_ADMIN)

    @property
    def can_view_security_settings(self) -> bool:
        return self.has_role(Role.SECURITY_ADMIN)

    @property
    def role_labels(self) -> str:
        return "、".join(r.label for r in sorted(self.roles))

    def set_password(self, password: str, *, temporary: bool = False) -> None:
        """Set a password that satisfies the policy (``passwords.WeakPassword`` otherwise); a ``temporary`` one (set
        by someone else) must be changed at the next sign-in."""
        passwords.check(password, self.username or "", personal=(self.name or "",))
        self.password_hash = passwords.hash_password(password)
        self.password_changed_at = utcnow()
        self.must_change_password = temporary and not self.demo_account

    def check_password(self, password: str) -> bool:
        return passwords.verify(self.password_hash, password)

    def password_change_due(self, now: dt.datetime) -> str | None:
        """Why this user must choose a new password before any other page (``now`` naive UTC), or None."""
        if self.demo_account:
            return None
        if self.must_change_password:
            return "initial"
        max_age = current_app.config["PASSWORD_MAX_AGE_DAYS"]
        if max_age and (self.password_changed_at is None or now - self.password_changed_at > dt.timedelta(max_age)):
            return "expired"
        return None

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    @property
    def needs_second_factor(self) -> bool:
        """The three administrators always sign in with two factors; everyone else too unless the setting relaxes it
        for case roles (a deviation from 等保 L3 the README lists)."""
        return bool(self.roles & SEPARATED) or mfa_required_for_all_staff()

    def can_unlock(self, user: User) -> bool:
        """The security administrator unlocks others' accounts."""
        return self.can_manage_accounts and user.id != self.id


def mfa_required_for_all_staff() -> bool:
    """MFA_REQUIRED_FOR_ALL_STAFF, which defaults to true except in an app created for tests."""
    value = current_app.config.get("MFA_REQUIRED_FOR_ALL_STAFF")
    if value is None:
        return not current_app.testing
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off")
    return bool(value)


class UserFactor(db.Model):
    """A person's second factor: which kind (``factors.REGISTRY``) and its sealed secret."""

    __tablename__ = "user_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    secret: Mapped[str] = mapped_column(Text)  # sealed by secretbox, never in clear
    # TOTP: the last time step accepted, so a code is never accepted twice.
    last_step: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RecoveryCode(db.Model):
    """A one-time code for signing in without the second factor; stored as a keyed hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None]
