"""What cases are filed under, kept by the system administrator: content categories (create, rename, deactivate)
and checklist templates with their items. A case copies its template's items when it is assigned, so a change here
applies to cases assigned from now on and never rewrites a case's own checklist."""

from __future__ import annotations

from portal.audit.services import record
from portal.cases.lifecycle import ACTIONS
from portal.cases.models import CaseType, Category, ChecklistTemplate, ChecklistTemplateItem
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.validation import printable, required

# Actions whose recorded event can tick an item by itself (DESIGN §5): the steps that happen after assignment.
MIRRORABLE = ("start", "draft", "sign", "publish", "follow_up", "instruct", "note", "hearing")


def mirror_choices() -> list[tuple[str, str]]:
    return [(name, f"由“{ACTIONS[name].label}”自动勾销") for name in MIRRORABLE if name in ACTIONS]


def _check(actor) -> None:
    if not actor.can_administer:
        raise NotAllowed("只有系统管理员可以维护分类和办理清单。")


# --- categories ----------------------------------------------------------------------------------------------
def _category_name(name: str | None, category: Category | None = None) -> str:
    name = printable(required(name, "分类名称", 50), "分类名称")
    stmt = db.select(Category.id).where(Category.name == name)
    if category is not None:
        stmt = stmt.where(Category.id != category.id)
    if db.session.execute(stmt).first():
        raise DomainError(f"已有名为“{name}”的分类。")
    return name


def create_category(name: str, actor) -> Category:
    _check(actor)
    category = Category(name=_category_name(name), active=True)
    db.session.add(category)
    db.session.flush()
    record("category.create", actor, category, name=category.name)
    return category


def update_category(category: Category, name: str, active: bool, actor) -> bool:
    _check(actor)
    name = _category_name(name, category)
    changes = {}
    if name != category.name:
        changes["name"] = f"{category.name} → {name}"
        category.name = name
    if active != category.active:
        changes["active"] = f"{category.active} → {active}"
        category.active = active
    if not changes:
        return False
    db.session.flush()
    record("category.update", actor, category, **changes)
    return True


# --- checklist templates -------------------------------------------------------------------------------------
def _template_name(name: str | None, template: ChecklistTemplate | None = None) -> str:
    name = printable(required(name, "清单名称", 50), "清单名称")
    stmt = db.select(ChecklistTemplate.id).where(ChecklistTemplate.name == name)
    if template is not None:
        stmt = stmt.where(ChecklistTemplate.id != template.id)
    if db.session.execute(stmt).first():
        raise DomainError(f"已有名为“{name}”的办理清单。")
    return name


def create_template(name: str, case_type: CaseType | None, leader_owned: bool, actor) -> ChecklistTemplate:
    _check(actor)
    template = ChecklistTemplate(name=_template_name(name), case_type=case_type, leader_owned=leader_owned)
    db.session.add(template)
    db.session.flush()
    record(
        "checklist.create",
        actor,
        template,
        name=template.name,
        case_type=case_type.value if case_type else None,
        leader_owned=leader_owned,
    )
    return template


def update_template(
    template: ChecklistTemplate, name: str, case_type: CaseType | None, leader_owned: bool, actor
) -> bool:
    _check(actor)
    name = _template_name(name, template)
    before = (template.name, template.case_type, template.leader_owned)
    template.name, template.case_type, template.leader_owned = name, case_type, leader_owned
    if before == (name, case_type, leader_owned):
        return False
    db.session.flush()
    record(
        "checklist.update",
        actor,
        template,
        name=name,
        case_type=case_type.value if case_type else None,
        leader_owned=leader_owned,
    )
    return True


def delete_template(template: ChecklistTemplate, actor) -> None:
    """Cases already given this list keep their own copy of its items."""
    _check(actor)
    record("checklist.delete", actor, template, name=template.name, items=len(template.items))
    db.session.delete(template)
    db.session.flush()


def _item_fields(label: str | None, mirrors: str | None) -> tuple[str, str | None]:
    label = printable(required(label, "事项名称", 100), "事项名称")
    mirrors = mirrors or None
    if mirrors is not None and mirrors not in MIRRORABLE:
        raise DomainError("请选择列出的自动勾销方式。")
    return label, mirrors


def add_item(template: ChecklistTemplate, label: str, required_: bool, mirrors: str | None, actor):
    _check(actor)
    label, mirrors = _item_fields(label, mirrors)
    if any(item.label == label for item in template.items):
        raise DomainError(f"本清单已有事项“{label}”。")
    position = max((item.position for item in template.items), default=0) + 1
    item = ChecklistTemplateItem(position=position, label=label, required=required_, mirrors=mirrors)
    template.items.append(item)
    db.session.flush()
    record("checklist.item_add", actor, template, name=template.name, label=label, required=required_, mirrors=mirrors)
    return item


def update_item(item: ChecklistTemplateItem, label: str, required_: bool, mirrors: str | None, actor) -> bool:
    _check(actor)
    label, mirrors = _item_fields(label, mirrors)
    template = db.session.get(ChecklistTemplate, item.template_id)
    if any(other.label == label and other.id != item.id for other in template.items):
        raise DomainError(f"本清单已有事项“{label}”。")
    before = (item.label, item.required, item.mirrors)
    if before == (label, required_, mirrors):
        return False
    item.label, item.required, item.mirrors = label, required_, mirrors
    db.session.flush()
    record(
        "checklist.item_update",
        actor,
        template,
        name=template.name,
        before=f"{before[0]}（{'必办' if before[1] else '选办'}，{before[2] or '人工勾销'}）",
        label=label,
        required=required_,
        mirrors=mirrors,
    )
    return True


def move_item(item: ChecklistTemplateItem, offset: int, actor) -> bool:
    """Move ``item`` one place up (-1) or down (+1) in its list."""
    _check(actor)
    template = db.session.get(ChecklistTemplate, item.template_id)
    items = sorted(template.items, key=lambda i: i.position)
    index = items.index(item)
    other = index + (1 if offset > 0 else -1)
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    db.session.flush()
    record("checklist.item_move", actor, template, name=template.name, label=item.label, position=other + 1)
    return True


def remove_item(item: ChecklistTemplateItem, actor) -> None:
    _check(actor)
    template = db.session.get(ChecklistTemplate, item.template_id)
    record("checklist.item_remove", actor, template, name=template.name, label=item.label)
    template.items.remove(item)
    for position, each in enumerate(sorted(template.items, key=lambda i: i.position), start=1):
        each.position = position
    db.session.flush()
