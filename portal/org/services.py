"""Keeping the department tree (the system administrator's work): create, rename, move, level and kind, deactivate;
delete only a department nothing refers to. Every change is audited; services flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass

from portal.audit.services import record
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.org.models import Department, Kind, Level
from portal.validation import printable, required

NAME_MAX = 100


@dataclass(frozen=True)
class DepartmentData:
    """What a form or a spreadsheet row says about a department."""

    name: str
    level: Level
    kind: Kind
    parent: Department | None = None
    active: bool = True


def _check(actor) -> None:
    if actor is not None and not actor.can_administer:
        raise NotAllowed("只有系统管理员可以维护单位。")


def clean_name(name: str | None) -> str:
    return printable(required(name, "单位名称", NAME_MAX), "单位名称")


def placement_problem(level: Level, parent: Department | None, department: Department | None = None) -> str | None:
    """Why ``department`` (None: a new one) of ``level`` may not sit under ``parent``, or None."""
    if parent is None:
        return None
    if department is not None and department.id is not None:
        if parent.id == department.id:
            return "单位不能作为自己的上级单位。"
        if department.id in {d.id for d in parent.ancestors}:
            return f"“{parent.name}”是“{department.name}”的下级单位，不能作为它的上级单位。"
    if Level(parent.level).rank > Level(level).rank:
        return f"{Level(level).label}单位不能隶属于{Level(parent.level).label}单位“{parent.name}”。"
    return None


def _name_taken(name: str, department: Department | None) -> bool:
    stmt = db.select(Department.id).where(Department.name == name)
    if department is not None and department.id is not None:
        stmt = stmt.where(Department.id != department.id)
    return db.session.execute(stmt).first() is not None


def create_department(data: DepartmentData, actor) -> Department:
    _check(actor)
    name = clean_name(data.name)
    if _name_taken(name, None):
        raise DomainError(f"已有名为“{name}”的单位。")
    if problem := placement_problem(data.level, data.parent):
        raise DomainError(problem)
    department = Department(name=name, level=data.level, kind=data.kind, parent=data.parent, active=data.active)
    db.session.add(department)
    db.session.flush()
    record(
        "department.create",
        actor,
        department,
        actor_name=None if actor else "命令行",
        name=name,
        level=data.level.value,
        kind=data.kind.value,
        parent=data.parent.name if data.parent else None,
        active=data.active,
    )
    return department


def update_department(department: Department, data: DepartmentData, actor) -> bool:
    """Rename, move, change level, kind or active; True when anything changed."""
    _check(actor)
    name = clean_name(data.name)
    if name != department.name and _name_taken(name, department):
        raise DomainError(f"已有名为“{name}”的单位。")
    if problem := placement_problem(data.level, data.parent, department):
        raise DomainError(problem)
    for child in department.children:
        if Level(child.level).rank < Level(data.level).rank:
            raise DomainError(f"下级单位“{child.name}”为{Level(child.level).label}，本单位不能改为{data.level.label}。")
    before = _snapshot(department)
    department.name = name
    department.level = data.level
    department.kind = data.kind
    department.parent = data.parent
    department.active = data.active
    after = _snapshot(department)
    changes = {k: f"{before[k]} → {after[k]}" for k in before if before[k] != after[k]}
    if not changes:
        return False
    db.session.flush()
    record("department.update", actor, department, actor_name=None if actor else "命令行", department=name, **changes)
    return True


def _snapshot(department: Department) -> dict[str, object]:
    return {
        "name": department.name,
        "level": Level(department.level).value,
        "kind": Kind(department.kind).value,
        "parent": department.parent.name if department.parent else None,
        "active": department.active,
    }


def references(department: Department) -> dict[str, int]:
    """Rows of other tables that refer to ``department`` (users, cases, assignments, …), by table."""
    counts = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for key in column.foreign_keys:
                if key.column.table.name != Department.__tablename__:
                    continue
                if table.name == Department.__tablename__:  # children: shown by the tree, refused below
                    continue
                n = db.session.execute(
                    db.select(db.func.count()).select_from(table).where(column == department.id)
                ).scalar_one()
                if n:
                    counts[table.name] = counts.get(table.name, 0) + n
    return counts


def deletion_refusal(department: Department) -> str | None:
    """Why ``department`` may not be deleted (it has users, cases or anything else on record), or None."""
    if department.children:
        return "该单位有下级单位，不能删除。"
    if references(department):
        return "该单位已有账户、信访件或其他记录，不能删除；如不再使用，请停用。"
    return None


def delete_department(department: Department, actor) -> None:
    """Only a department created by mistake: nothing refers to it."""
    _check(actor)
    if refusal := deletion_refusal(department):
        raise DomainError(refusal)
    record(
        "department.delete",
        actor,
        department,
        actor_name=None if actor else "命令行",
        name=department.name,
    )
    db.session.delete(department)
    db.session.flush()
