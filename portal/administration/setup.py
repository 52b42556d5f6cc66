"""Setting a county's office up on an empty installation: its name, the petition office and its public channels
(条例 art.18), the first three administrators (三员分立). Idempotent: it fills what is missing and never changes
what exists, so a second run cannot undo the first or anything an administrator changed since."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.accounts import passwords
from portal.accounts.models import Role, User, UserRole
from portal.accounts.services import create_user
from portal.audit.services import record
from portal.errors import DomainError
from portal.extensions import db
from portal.org import services as org
from portal.org.models import Department, Kind, Level
from portal.settings.models import CONTACT_KEYS, SPECS, get_setting, is_set
from portal.settings.services import change_setting

# The three administrators, in the order they are asked for, with the usernames offered by default.
ADMINISTRATORS: tuple[tuple[Role, str], ...] = (
    (Role.ADMIN, "sysadmin"),
    (Role.SECURITY_ADMIN, "secadmin"),
    (Role.AUDITOR, "auditadmin"),
)


@dataclass(frozen=True)
class Administrator:
    role: Role
    username: str
    name: str
    password: str | None = None  # None: a temporary one is generated and shown once


@dataclass
class Report:
    done: list[str] = field(default_factory=list)  # what this run created or set
    kept: list[str] = field(default_factory=list)  # what was there already and was left alone
    generated: dict[str, str] = field(default_factory=dict)  # username → temporary password, to show once


def petition_office() -> Department | None:
    return db.session.execute(
        db.select(Department).where(Department.kind == Kind.PETITION_OFFICE).order_by(Department.id).limit(1)
    ).scalar_one_or_none()


def holder(role: Role) -> User | None:
    """An account holding ``role``, if any."""
    return db.session.execute(
        db.select(User).join(UserRole).where(UserRole.role == role).order_by(User.id).limit(1)
    ).scalar_one_or_none()


def missing() -> dict[str, object]:
    """What a run would still fill in: ``county``, ``office``, the unset contact keys, the roles without an
    account — so the command asks only for those."""
    return {
        "county": not is_set("county_name"),
        "office": petition_office() is None,
        "contacts": [key for key in CONTACT_KEYS if not is_set(key)],
        "roles": [role for role, _ in ADMINISTRATORS if holder(role) is None],
    }


def set_up(
    *,
    county: str | None,
    office_name: str | None,
    contacts: dict[str, str],
    administrators: list[Administrator],
) -> Report:
    """Fill in what is missing; check every value first so a refused one leaves nothing half done."""
    report = Report()
    todo = missing()
    # --- check everything before writing anything
    if todo["county"]:
        county = SPECS["county_name"].clean(county)
        if not county:
            raise DomainError("请填写县（市、区）名称。")
    if todo["office"]:
        office_name = org.clean_name(office_name or (f"{county}信访局" if county else ""))
        clash = db.session.execute(db.select(Department).filter_by(name=office_name)).scalar_one_or_none()
        if clash is not None:
            raise DomainError(f"已有名为“{office_name}”的单位，但不是信访部门；请换一个名称或在系统管理中修改其类型。")
    cleaned = {key: SPECS[key].clean(value) for key, value in contacts.items() if key in todo["contacts"] and value}
    wanted = {a.role: a for a in administrators if a.role in todo["roles"]}
    for role in todo["roles"]:
        if role not in wanted:
            raise DomainError(f"请提供第一位{role.label}的用户名和姓名。")
    usernames = [a.username for a in wanted.values()]
    if len(set(usernames)) != len(usernames):
        raise DomainError("三位管理员的用户名不能相同（三员分立）。")
    for a in wanted.values():
        if not a.username or not a.name:
            raise DomainError(f"请提供第一位{a.role.label}的用户名和姓名。")
        if a.password:
            passwords.check(a.password, a.username, personal=(a.name,))

    # --- write
    if todo["county"]:
        change_setting("county_name", county, None)
        report.done.append(f"县（市、区）名称：{county}")
    else:
        report.kept.append(f"县（市、区）名称已设置为“{get_setting('county_name')}”，未更改")
    office = petition_office()
    if office is None:
        office = org.create_department(
            org.DepartmentData(name=office_name, level=Level.COUNTY, kind=Kind.PETITION_OFFICE), None
        )
        report.done.append(f"信访部门：{office.name}")
    else:
        report.kept.append(f"信访部门“{office.name}”已存在，未更改")
    if not is_set("office_name"):
        change_setting("office_name", office.name, None)
    for key, value in cleaned.items():
        change_setting(key, value, None)
        report.done.append(f"{SPECS[key].label}：{value}")
    for role, _ in ADMINISTRATORS:
        if role not in todo["roles"]:
            report.kept.append(f"已有{role.label}“{holder(role).username}”，未新建")
            continue
        a = wanted[role]
        password = a.password or passwords.generate(a.username)
        create_user(username=a.username, password=password, name=a.name, department=office, roles=[role])
        if not a.password:
            report.generated[a.username] = password
        report.done.append(
            f"{role.label}：{a.username}（{a.name}），首次登录时先绑定动态口令（保存恢复码），再修改初始密码"
        )
    record("system.setup", None, actor_name="命令行", done=len(report.done), kept=len(report.kept))
    db.session.flush()
    return report
