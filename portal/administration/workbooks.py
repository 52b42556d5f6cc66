"""Departments and user accounts in Excel, as real offices keep them: a template to fill in, a dry run that lists
every problem by row, an apply that writes all rows or none, and an export in the template's own format (so an
export edited and uploaded again is an import). Cells are written through ``portal.exports``: text stays text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from portal.accounts import passwords
from portal.accounts.models import ROLE_LABELS, Role, User, scope_violation, separation_violation
from portal.audit.services import record
from portal.errors import DomainError, NotAllowed
from portal.exports import append_row
from portal.extensions import db
from portal.org import services as org
from portal.org.models import LEVEL_LABELS, Department, Kind, Level
from portal.validation import printable

MAX_BYTES = 256 * 1024  # the file travels back in the confirmation form; MAX_FORM_MEMORY_SIZE is 500 kB
MAX_ROWS = 3000
HOW_TO = "从第2行起每行一条。上传后先检查并列出每一行的问题；没有问题时确认导入，全部导入或全部不导入。"
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,50}$")
YES = {"是", "启用", "有效", "y", "yes", "true", "1"}
NO = {"否", "停用", "无效", "n", "no", "false", "0"}
KIND_LABELS = {kind.value: kind.label for kind in Kind}
# What people write in these columns besides the labels themselves.
LEVEL_ALIASES = {
    "市": "city",
    "县": "county",
    "区": "county",
    "乡": "township",
    "镇": "township",
    "街道": "township",
    "村": "village",
    "社区": "village",
    "组": "group",
}
KIND_ALIASES = {
    "信访局": "petition_office",
    "纪检监察": "discipline",
    "纪委监委": "discipline",
    "领导": "leadership",
    "乡镇": "local",
    "街道": "local",
    "村": "local",
    "社区": "local",
}
ROLE_ALIASES = {"审计员": "auditor", "登记员": "clerk", "代理员": "agent", "排查员": "screening"}


@dataclass(frozen=True)
class Layout:
    """One kind of import: its sheet title and columns (header → note for the 说明 sheet)."""

    title: str
    columns: dict[str, str]

    @property
    def headers(self) -> list[str]:
        return list(self.columns)


DEPARTMENTS = Layout(
    "单位",
    {
        "单位名称": "必填，全称，不能重复，例如“县人力资源和社会保障局”。已有同名单位的，按本行修改。",
        "上级单位": "选填，本表中或系统中已有的单位全称；顶层单位留空。",
        "层级": "必填：" + "、".join(LEVEL_LABELS.values()) + "。",
        "类型": "必填：" + "、".join(KIND_LABELS.values()) + "。",
        "启用": "选填：是 或 否，留空为是。停用的单位不再出现在交办和登记的选择中。",
    },
)
USERS = Layout(
    "账户",
    {
        "用户名": "必填，2至50位英文字母、数字、点、下划线或连字符，不能与已有账户重复。",
        "姓名": "必填，署名时使用。",
        "职务": "选填，署名下方打印。",
        "单位": "必填，系统中已有且启用的单位全称。",
        "角色": "必填，多个角色用顿号分隔：" + "、".join(ROLE_LABELS.values()) + "。"
        "系统管理员、安全管理员、审计管理员只能单独担任（三员分立）。",
        "初始密码": "建议留空：导入时为每个账户生成临时密码，只显示一次。填写的须符合密码规则。首次登录时须修改。",
    },
)


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet's row number (the header is row 1); 0 for the file as a whole
    message: str


@dataclass
class Plan:
    """What a dry run found: one line per row to apply, and every problem."""

    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def refuse(self, row: int, message: str) -> None:
        self.problems.append(Problem(row, message))


# --- reading -------------------------------------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(data: bytes, layout: Layout) -> list[tuple[int, dict[str, str]]]:
    """(row number, header → text) of each non-empty row of the first sheet; a DomainError for a file that is not
    an .xlsx workbook in ``layout``."""
    if not data:
        raise DomainError("请选择要导入的 Excel 文件。")
    if len(data) > MAX_BYTES:
        raise DomainError(f"文件过大（超过{MAX_BYTES // 1024}KB），请分批导入。")
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
        try:
            return _sheet_rows(workbook.worksheets[0], layout)
        finally:
            workbook.close()
    except DomainError:
        raise
    # openpyxl (and the zip and XML readers under it) raise a dozen types on a damaged or foreign file.
    except Exception:  # noqa: BLE001
        raise DomainError("无法读取该文件：请上传从本页下载的模板填写后的 Excel（.xlsx）文件。") from None


def _sheet_rows(sheet, layout: Layout) -> list[tuple[int, dict[str, str]]]:
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    missing = [h for h in layout.headers if h not in header]
    if missing:
        raise DomainError(f"第1行缺少列：{'、'.join(missing)}。请使用本页提供的模板。")
    index = {h: header.index(h) for h in layout.headers}
    found = []
    for number, values in enumerate(rows, start=2):
        cells = {h: _text(values[i]) if i < len(values) else "" for h, i in index.items()}
        if not any(cells.values()):
            continue
        if len(found) >= MAX_ROWS:
            raise DomainError(f"一次最多导入{MAX_ROWS}行，请分批导入。")
        found.append((number, cells))
    return found


def _choice(text: str, labels: dict[str, str], what: str, aliases: dict[str, str]) -> tuple[str | None, str | None]:
    """(value, None) for a label, a code or an alias of one in ``labels``, else (None, the refusal)."""
    for value, label in labels.items():
        if text in (label, value) or text == label.split("（")[0] or aliases.get(text) == value:
            return value, None
    return None, f"{what}“{text}”无法识别，应为：{'、'.join(labels.values())}。" if text else f"请填写{what}。"


def _flag(text: str) -> bool | None:
    lowered = text.lower()
    if not lowered or lowered in YES:
        return True
    if lowered in NO:
        return False
    return None


# --- departments ---------------------------------------------------------------------------------------------
@dataclass
class DepartmentRow:
    row: int
    name: str
    parent: str
    level: Level
    kind: Kind
    active: bool
    existing: Department | None = None
    change: str = "新建"


def plan_departments(data: bytes) -> Plan:
    plan = Plan()
    try:
        rows = read_rows(data, DEPARTMENTS)
    except DomainError as error:
        plan.refuse(0, error.message)
        return plan
    if not rows:
        plan.refuse(0, "文件中没有要导入的行（从第2行起填写）。")
    existing = {d.name: d for d in db.session.execute(db.select(Department)).scalars()}
    first_row: dict[str, int] = {}
    parsed: list[DepartmentRow] = []
    for number, cells in rows:
        name = cells["单位名称"]
        problems = []
        try:
            name = org.clean_name(name)
        except DomainError as error:
            problems.append(error.message)
        if name and name in first_row:
            problems.append(f"单位名称“{name}”与第{first_row[name]}行重复。")
        elif name:
            first_row[name] = number
        level, level_problem = _choice(cells["层级"], LEVEL_LABELS, "层级", LEVEL_ALIASES)
        kind, kind_problem = _choice(cells["类型"], KIND_LABELS, "类型", KIND_ALIASES)
        active = _flag(cells["启用"])
        problems += [p for p in (level_problem, kind_problem) if p]
        if active is None:
            problems.append(f"启用“{cells['启用']}”无法识别，应为“是”或“否”。")
        try:
            printable(cells["上级单位"], "上级单位")
        except DomainError as error:
            problems.append(error.message)
        for message in problems:
            plan.refuse(number, message)
        if not problems:
            parsed.append(
                DepartmentRow(number, name, cells["上级单位"], Level(level), Kind(kind), active, existing.get(name))
            )
    # Parents and levels as they will be after the import: the file's rows over what is stored.
    level_of = {name: Level(d.level) for name, d in existing.items()}
    parent_of = {name: (d.parent.name if d.parent else "") for name, d in existing.items()}
    for r in parsed:
        level_of[r.name], parent_of[r.name] = r.level, r.parent
    for r in parsed:
        if r.parent and r.parent not in level_of and r.parent not in first_row:
            plan.refuse(r.row, f"上级单位“{r.parent}”不存在（本表和系统中都没有）。")
            continue
        if r.parent == r.name:
            plan.refuse(r.row, "单位不能作为自己的上级单位。")
            continue
        if r.parent and r.parent in level_of and level_of[r.parent].rank > r.level.rank:
            plan.refuse(r.row, f"{r.level.label}单位不能隶属于{level_of[r.parent].label}单位“{r.parent}”。")
            continue
        seen, node = {r.name}, r.parent
        while node:
            if node in seen:
                plan.refuse(r.row, f"上级单位形成循环（{r.name} → … → {node}）。")
                break
            seen.add(node)
            node = parent_of.get(node, "")
    for name, department in existing.items():  # a stored child left under a department the file moves down
        for child in department.children:
            if child.name not in first_row and name in first_row and Level(child.level).rank < level_of[name].rank:
                plan.refuse(
                    first_row[name], f"系统中的下级单位“{child.name}”为{Level(child.level).label}，不能改为该层级。"
                )
    for r in parsed:
        if r.existing is not None:
            before = (Level(r.existing.level), Kind(r.existing.kind), parent_of_stored(r.existing), r.existing.active)
            after = (r.level, r.kind, r.parent, r.active)
            r.change = "无变化" if before == after else "修改"
    plan.rows = parsed
    return plan


def parent_of_stored(department: Department) -> str:
    return department.parent.name if department.parent else ""


def apply_departments(data: bytes, actor) -> dict[str, int]:
    """Create or change every department of the file, or none: the same checks as the dry run first."""
    if not actor.can_administer:
        raise NotAllowed("只有系统管理员可以导入单位。")
    plan = plan_departments(data)
    if not plan.ok:
        raise DomainError("文件中有问题，未导入任何单位；请按检查结果修改后重新上传。")
    by_name = {d.name: d for d in db.session.execute(db.select(Department)).scalars()}
    pending = {r.name: r for r in plan.rows}
    counts = {"新建": 0, "修改": 0, "无变化": 0}

    def place(r: DepartmentRow, trail: frozenset = frozenset()) -> None:
        if r.name not in pending:
            return
        if r.parent in pending and r.parent not in trail:
            place(pending[r.parent], trail | {r.name})  # parents first
        del pending[r.name]
        parent = by_name.get(r.parent) if r.parent else None
        values = org.DepartmentData(name=r.name, level=r.level, kind=r.kind, parent=parent, active=r.active)
        if r.existing is None:
            by_name[r.name] = org.create_department(values, actor)
            counts["新建"] += 1
        elif org.update_department(r.existing, values, actor):
            counts["修改"] += 1
        else:
            counts["无变化"] += 1

    for r in list(plan.rows):
        place(r)
    record("department.import", actor, created=counts["新建"], changed=counts["修改"], unchanged=counts["无变化"])
    return counts


def _tree_order() -> list[Department]:
    departments = list(db.session.execute(db.select(Department).order_by(Department.name)).scalars())
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id, []).append(d)
    ordered: list[Department] = []

    def walk(parent_id):
        for d in sorted(children.get(parent_id, []), key=lambda d: (Level(d.level).rank, d.name)):
            ordered.append(d)
            walk(d.id)

    walk(None)
    return ordered


def export_departments() -> BytesIO:
    """Every department, parents before their children, in the import's format."""
    rows = [
        [d.name, parent_of_stored(d), Level(d.level).label, Kind(d.kind).label, "是" if d.active else "否"]
        for d in _tree_order()
    ]
    return _workbook(DEPARTMENTS, rows, {"层级": list(LEVEL_LABELS.values()), "类型": list(KIND_LABELS.values())})


# --- users ---------------------------------------------------------------------------------------------------
@dataclass
class UserRow:
    row: int
    username: str
    name: str
    title: str
    department: Department
    roles: frozenset[Role]
    password: str  # empty: a temporary one is generated


ROLE_CHOICES = {role.value: role.label for role in Role}


def plan_users(data: bytes) -> Plan:
    plan = Plan()
    try:
        rows = read_rows(data, USERS)
    except DomainError as error:
        plan.refuse(0, error.message)
        return plan
    if not rows:
        plan.refuse(0, "文件中没有要导入的行（从第2行起填写）。")
    taken = set(db.session.execute(db.select(User.username)).scalars())
    departments = {d.name: d for d in db.session.execute(db.select(Department)).scalars()}
    first_row: dict[str, int] = {}
    for number, cells in rows:
        problems: list[str] = []
        username, name, title = cells["用户名"], cells["姓名"], cells["职务"]
        if not username:
            problems.append("请填写用户名。")
        elif not USERNAME.match(username):
            problems.append(f"用户名“{username}”只能包含英文字母、数字、点、下划线和连字符，2至50位。")
        elif username in taken:
            problems.append(f"用户名“{username}”已存在。")
        elif username.lower() in first_row:
            problems.append(f"用户名“{username}”与第{first_row[username.lower()]}行重复。")
        else:
            first_row[username.lower()] = number
        for label, value, limit, needed in (("姓名", name, 50, True), ("职务", title, 100, False)):
            try:
                printable(value, label)
            except DomainError as error:
                problems.append(error.message)
            if needed and not value:
                problems.append(f"请填写{label}。")
            if len(value) > limit:
                problems.append(f"{label}不能超过{limit}字。")
        department = departments.get(cells["单位"])
        if not cells["单位"]:
            problems.append("请填写单位。")
        elif department is None:
            problems.append(f"单位“{cells['单位']}”不存在，请先导入或新建该单位。")
        elif not department.active:
            problems.append(f"单位“{department.name}”已停用。")
        roles: set[Role] = set()
        for text in (t for t in re.split(r"[、,，;；/\s]+", cells["角色"]) if t):
            value, problem = _choice(text, ROLE_CHOICES, "角色", ROLE_ALIASES)
            if problem:
                problems.append(problem)
            else:
                roles.add(Role(value))
        if not cells["角色"]:
            problems.append("请填写角色。")
        elif message := separation_violation(roles) or scope_violation(roles, department):
            problems.append(message)
        password = cells["初始密码"]
        if password and username:
            problems += [f"初始密码：{p}" for p in passwords.problems(password, username, personal=(name,))]
        for message in problems:
            plan.refuse(number, message)
        if not problems:
            plan.rows.append(UserRow(number, username, name, title, department, frozenset(roles), password))
    return plan


def apply_users(data: bytes, actor) -> list[tuple[UserRow, str | None]]:
    """Every account of the file, created through the security administrator's own service (三员分立, the password
    policy, the audit), or none. Returns each row with its generated temporary password (None: the file gave one)."""
    from portal.security import services as security

    if not actor.can_manage_accounts:
        raise NotAllowed("只有安全管理员可以导入账户。")
    plan = plan_users(data)
    if not plan.ok:
        raise DomainError("文件中有问题，未导入任何账户；请按检查结果修改后重新上传。")
    created = []
    for r in plan.rows:
        _, generated = security.create_account(
            actor,
            username=r.username,
            name=r.name,
            title=r.title,
            department=r.department,
            roles=r.roles,
            password=r.password or None,
        )
        created.append((r, generated))
    record("user.import", actor, created=len(created))
    return created


def export_users() -> BytesIO:
    """Every account in the import's format; the password column stays empty (passwords are never exported)."""
    users = db.session.execute(db.select(User).order_by(User.username)).scalars()
    rows = [
        [u.username, u.name, u.title, u.department.name, "、".join(r.label for r in sorted(u.roles)), None]
        for u in users
    ]
    return _workbook(USERS, rows, {})


# --- writing -------------------------------------------------------------------------------------------------
def template(layout: Layout) -> BytesIO:
    """The empty form to fill in: the header row, the notes sheet, drop-down lists where the values are fixed."""
    if layout is DEPARTMENTS:
        lists = {"层级": list(LEVEL_LABELS.values()), "类型": list(KIND_LABELS.values()), "启用": ["是", "否"]}
    else:
        lists = {}
    return _workbook(layout, [], lists)


def _workbook(layout: Layout, rows: list[list], lists: dict[str, list[str]]) -> BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = layout.title
    append_row(ws, layout.headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF0F3")
    for row in rows:
        append_row(ws, row)
    for i, header in enumerate(layout.headers):
        letter = chr(ord("A") + i)
        ws.column_dimensions[letter].width = 16 if header not in ("单位名称", "上级单位", "单位") else 32
        if header in lists:
            validation = DataValidation(type="list", formula1='"' + ",".join(lists[header]) + '"', allow_blank=True)
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    append_row(notes, ["列", "填写说明"])
    for header, note in layout.columns.items():
        append_row(notes, [header, note])
    append_row(notes, ["", HOW_TO])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 100
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


WORKBOOKS: dict[str, tuple[Layout, Callable[[], BytesIO]]] = {
    "departments": (DEPARTMENTS, export_departments),
    "users": (USERS, export_users),
}
