"""Factories for domain objects. Cases are driven to a status through the real services, never by setting
``case.status``: a factory that cheats would hide exactly the bugs the lifecycle tests look for."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from dataclasses import dataclass, fields

from portal.accounts import secretbox
from portal.accounts.factors import Totp
from portal.accounts.models import SEPARATED, Role, User, UserFactor
from portal.accounts.services import create_user
from portal.cases import services
from portal.cases.models import (
    Case,
    CaseType,
    Channel,
    ChecklistTemplate,
    ChecklistTemplateItem,
    NotAcceptedRoute,
    Outcome,
    Procedure,
    Rating,
    Status,
)
from portal.extensions import db
from portal.localtime import as_of
from portal.org.models import Department, Kind, Level

PASSWORD = "xinfang-test-2026"
# The authenticator secret of every factory user who must sign in with a second factor (the three administrators).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

_phones = itertools.count(13800000001)


def department(name: str, kind: Kind, level: Level = Level.COUNTY, parent: Department | None = None) -> Department:
    dept = Department(name=name, kind=kind, level=level, parent=parent)
    db.session.add(dept)
    db.session.flush()
    return dept


def user(
    username: str,
    *roles: Role,
    department: Department,
    name: str | None = None,
    title: str = "",
    password: str = PASSWORD,
) -> User:
    """A user who signs in in one step: no forced password change; the three administrators, who always need a
    second factor, enrolled with ``TOTP_SECRET``."""
    created = create_user(
        username=username, password=password, name=name or username, department=department, roles=roles, title=title
    )
    created.must_change_password = False
    if created.roles & SEPARATED:
        enrol_totp(created)
    return created


def enrol_totp(user: User, secret: str = TOTP_SECRET) -> UserFactor:
    user.factor = UserFactor(kind="totp", secret=secretbox.seal(secret.encode(), Totp.purpose))
    db.session.flush()
    return user.factor


def checklist_template(
    name: str, items: list[tuple[str, bool]], *, case_type: CaseType | None = None, leader_owned: bool = False
) -> ChecklistTemplate:
    template = ChecklistTemplate(
        name=name,
        case_type=case_type,
        leader_owned=leader_owned,
        items=[
            ChecklistTemplateItem(position=i, label=label, required=required, mirrors=MIRRORS.get(label))
            for i, (label, required) in enumerate(items, start=1)
        ],
    )
    db.session.add(template)
    db.session.flush()
    return template


@dataclass
class World:
    """A small county: the petition office, the discipline organ, two functional departments, one user per role.

    ``dept_head`` and ``handler`` work in ``housing``; ``other_*`` in ``labour``; ``discipline_*`` in ``discipline``.
    """

    office: Department
    discipline: Department
    housing: Department
    labour: Department
    clerk: User
    leader: User
    supervisor: User
    admin: User
    auditor: User
    dept_head: User
    handler: User
    other_dept_head: User
    other_handler: User
    discipline_head: User
    discipline_handler: User

    def actor(self, key: str) -> User | None:
        """The user called ``key`` here; ``"public"`` is the petitioner, who acts without an account (None)."""
        return None if key == "public" else getattr(self, key)

    def handler_for(self, case: Case) -> User:
        return {
            self.housing.id: self.handler,
            self.labour.id: self.other_handler,
            self.discipline.id: self.discipline_handler,
        }[case.department_id]

    def head_for(self, case: Case) -> User:
        return {
            self.housing.id: self.dept_head,
            self.labour.id: self.other_dept_head,
            self.discipline.id: self.discipline_head,
        }[case.department_id]


DEPARTMENTS = {
    "office": ("县信访局", Kind.PETITION_OFFICE),
    "discipline": ("县纪委监委", Kind.DISCIPLINE),
    "housing": ("县住房和城乡建设局", Kind.FUNCTIONAL),
    "labour": ("县人力资源和社会保障局", Kind.FUNCTIONAL),
}
# attribute → (username, department, roles, name, title)
USERS = {
    "clerk": ("clerk", "office", (Role.CLERK,), "李登记", "科员"),
    "leader": ("leader", "office", (Role.LEADER,), "王县长", "副县长"),
    "supervisor": ("supervisor", "office", (Role.SUPERVISOR,), "赵督查", "督查专员"),
    "admin": ("admin", "office", (Role.ADMIN,), "钱管理", "管理员"),
    "auditor": ("auditor", "office", (Role.AUDITOR,), "孙审计", "审计员"),
    "dept_head": ("housing_head", "housing", (Role.DEPT_HEAD,), "周局长", "局长"),
    "handler": ("housing_handler", "housing", (Role.HANDLER,), "吴承办", "科员"),
    "other_dept_head": ("labour_head", "labour", (Role.DEPT_HEAD,), "郑局长", "局长"),
    "other_handler": ("labour_handler", "labour", (Role.HANDLER,), "冯承办", "科员"),
    "discipline_head": ("discipline_head", "discipline", (Role.DEPT_HEAD,), "陈主任", "主任"),
    "discipline_handler": ("discipline_handler", "discipline", (Role.HANDLER,), "褚承办", "科员"),
}
STEPS = [("调查核实", True), ("形成处理意见", True), ("书面答复", True), ("回访", False)]
# Steps the system ticks itself when the event they stand for is recorded (DESIGN §5).
MIRRORS = {"书面答复": "publish", "回访": "follow_up"}
FIVE_BAO = [
    ("包掌握情况", True),
    ("包思想转化", True),
    ("包矛盾化解", True),
    ("包教育稳控", True),
    ("包息访息诉", True),
]


def build_world() -> World:
    """Create the departments, users and checklist templates of ``World`` (flushed, not committed)."""
    depts = {key: department(name, kind) for key, (name, kind) in DEPARTMENTS.items()}
    users = {
        key: user(username, *roles, department=depts[dept], name=name, title=title)
        for key, (username, dept, roles, name, title) in USERS.items()
    }
    checklist_template("办理步骤", STEPS)
    checklist_template("五包", FIVE_BAO, leader_owned=True)
    return World(**depts, **users)


def load_world() -> World:
    """The world ``build_world`` created, loaded again in the current session."""
    values = {}
    for key, (name, _) in DEPARTMENTS.items():
        values[key] = db.session.execute(db.select(Department).filter_by(name=name)).scalar_one()
    for key, (username, *_) in USERS.items():
        values[key] = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
    assert set(values) == {f.name for f in fields(World)}
    return World(**values)


def register(
    world: World,
    *,
    case_type: CaseType = CaseType.CLAIM,
    channel: Channel = Channel.LETTER,
    procedure: Procedure = Procedure.NORMAL,
    received_on: dt.date | None = None,
    title: str = "小区电梯长期停运",
    petitioner_name: str = "张三",
    phone: str | None = None,
    actor: User | str | None = "clerk",
    **kwargs,
) -> tuple[Case, str]:
    actor = world.clerk if actor == "clerk" else actor
    return services.register_case(
        actor,
        channel=channel,
        case_type=case_type,
        title=title,
        content="电梯停运三个月，物业不予维修。",
        petitioner_name=petitioner_name,
        phone=phone or str(next(_phones)),
        address="城关镇幸福路1号",
        received_on=received_on,
        procedure=procedure,
        **kwargs,
    )


def complete_checklist(case: Case, actor: User) -> None:
    """Tick what is ticked by hand: the 五包 items by the owner leader, the rest by ``actor``; the items that mirror
    an event are the event's."""
    for item in case.checklist:
        if not item.done and not item.mirrors:
            services.tick_checklist_item(item, case.owner_leader if item.owner_only else actor, done=True)


def ready_for_mark_off(case: Case, world: World) -> Case:
    """Everything DESIGN §5 asks before 销号: checklist ticked, a follow-up recorded."""
    complete_checklist(case, world.clerk)
    services.record_follow_up(case, world.clerk, method="电话", satisfaction=Rating.SATISFIED, notes="表示满意")
    return case


# The order in which make_case walks the lifecycle; each status is reached from the one before it.
PATH = [
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.AWAITING_SIGNATURE,
    Status.AWAITING_VERIFICATION,
    Status.REPLIED,
]


def make_case(
    world: World,
    status: Status = Status.REGISTERED,
    *,
    review_level: int = 0,
    case_type: CaseType = CaseType.CLAIM,
    department: Department | None = None,
    procedure: Procedure = Procedure.NORMAL,
    channel: Channel = Channel.LETTER,
    owner_leader: User | None = None,
    on: dt.date | None = None,
    commit: bool = True,
    **register_kwargs,
) -> Case:
    """A case in ``status``, driven there through ``portal.cases.services``.

    ``review_level`` 1 gives a ``replied``/``under_rereview`` case that went through review; ``on`` replays every
    step on that day; ``department`` defaults to housing (the discipline organ for accusations).
    """
    with as_of(on) if on else contextlib.nullcontext():
        case = _drive(
            world, status, review_level, case_type, department, procedure, channel, owner_leader, register_kwargs
        )
        if commit:
            db.session.commit()
    assert case.status is status, f"make_case reached {case.status}, not {status}"
    return case


def _drive(world, status, review_level, case_type, department, procedure, channel, owner_leader, register_kwargs):
    clerk = world.clerk
    case, _ = register(world, case_type=case_type, channel=channel, procedure=procedure, **register_kwargs)
    if status is Status.REGISTERED:
        return case
    if status is Status.NOT_ACCEPTED:
        return services.not_accept(case, clerk, route=NotAcceptedRoute.LITIGATION, reason="已进入诉讼程序")
    if status is Status.FORWARDED:
        return services.forward(case, clerk, authority="市自然资源和规划局", reason="不属本级职责")

    services.accept(case, clerk, reason="诉求简单明确、事实清楚的首次信访" if procedure is Procedure.SIMPLE else "")
    if status is Status.ACCEPTED:
        return case
    if department is None:
        department = world.discipline if case_type is CaseType.ACCUSATION else world.housing
    services.assign(case, clerk, department_id=department.id, owner_leader_id=owner_leader.id if owner_leader else None)
    if status is Status.ASSIGNED:
        return case
    handler, head = world.handler_for(case), world.head_for(case)
    services.start(case, handler)
    if status is Status.IN_PROGRESS:
        return case
    services.draft_reply(
        case,
        handler,
        outcome=Outcome.SUPPORT,
        text="经调查，责令物业公司限期修复电梯。",
        legal_basis="《物业管理条例》",
    )
    if status is Status.AWAITING_SIGNATURE:
        return case
    services.sign_reply(case, head)
    if status is Status.AWAITING_VERIFICATION:
        return case
    services.publish_reply(case, clerk)
    if status is Status.REPLIED and review_level == 0:
        return case
    if status is Status.CLOSED:
        ready_for_mark_off(case, world)
        return services.mark_off(case, clerk, note="已办结")

    services.request_review(case, None, reason="对处理意见不服")
    if status is Status.UNDER_REVIEW:
        return case
    services.decide_review(case, clerk, outcome=Outcome.EXPLAIN, text="经复查，维持原处理意见。")
    if status is Status.REPLIED:
        return case
    services.request_review(case, None, reason="对复查意见不服")
    if status is Status.UNDER_REREVIEW:
        return case
    services.decide_review(case, clerk, outcome=Outcome.EXPLAIN, text="经复核，维持复查意见。")
    if status is Status.FINAL:
        return case
    raise ValueError(f"make_case cannot reach {status} at review level {review_level}")
