"""What waits for whom (我的待办): one query per queue, each a plain filter over cases, most urgent first.
A queue lists what the person can act on now; the case page then offers exactly that action."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from portal.accounts.models import Role, User
from portal.cases.models import Case, Evaluation, ExtensionRequest, ExtensionState, Rating, Status
from portal.extensions import db
from portal.localtime import today

LIMIT = 50


@dataclass
class Queue:
    key: str
    title: str
    hint: str
    cases: list[Case]
    total: int


def _urgent_first(stmt):
    return stmt.order_by(Case.due_date.is_(None), Case.due_date, Case.id)


def _queue(key: str, title: str, hint: str, *conditions) -> Queue:
    stmt = db.select(Case).where(*conditions)
    total = db.session.execute(db.select(db.func.count()).select_from(stmt.subquery())).scalar()
    cases = db.session.execute(_urgent_first(stmt).options(selectinload(Case.checklist)).limit(LIMIT)).scalars()
    return Queue(key, title, hint, list(cases), total)


def _pending_extension():
    return Case.extensions.any(ExtensionRequest.state == ExtensionState.REQUESTED)


def _in_department(user: User):
    return Case.department_id == user.department_id


def queues_for(user: User) -> list[Queue]:
    """The queues of every role ``user`` holds, in the order of the day's work."""
    queues: list[Queue] = []
    if user.has_role(Role.CLERK):
        queues += [
            _queue("decide", "待作出受理决定", "收到之日起15日内告知是否受理", Case.status == Status.REGISTERED),
            _queue("assign", "待交办", "已受理，尚未交责任单位", Case.status == Status.ACCEPTED),
            _queue(
                "verify", "待审核送达", "责任单位已署名，审核后送达信访人", Case.status == Status.AWAITING_VERIFICATION
            ),
            _queue(
                "review_office",
                "待出具复查（复核）意见",
                "无上级机关的复查、复核由信访部门记录",
                Case.status.in_((Status.UNDER_REVIEW, Status.UNDER_REREVIEW)),
                Case.reviewing_department_id.is_(None),
            ),
            _queue(
                "close", "待回访、销号", "已答复或复核终结，回访后销号", Case.status.in_((Status.REPLIED, Status.FINAL))
            ),
        ]
    if user.has_role(Role.DEPT_HEAD):
        queues += [
            _queue(
                "sign",
                "待署名",
                "承办人已起草处理意见书",
                _in_department(user),
                Case.status == Status.AWAITING_SIGNATURE,
            ),
            _queue(
                "extension_head", "待审批延期", "承办人申请延长办理期限", _in_department(user), _pending_extension()
            ),
            _queue(
                "pick_handler",
                "待指定承办人",
                "已交办本单位，尚未指定承办人",
                _in_department(user),
                Case.status == Status.ASSIGNED,
                Case.handler_id.is_(None),
            ),
        ]
    if user.has_role(Role.HANDLER):
        mine = db.or_(Case.handler_id == user.id, Case.handler_id.is_(None))
        queues += [
            _queue("start", "待开始办理", "已交办本单位", _in_department(user), mine, Case.status == Status.ASSIGNED),
            _queue(
                "draft",
                "办理中",
                "调查核实、勾销清单、起草处理意见书",
                _in_department(user),
                mine,
                Case.status == Status.IN_PROGRESS,
            ),
        ]
    if user.has_role(Role.LEADER):
        queues += [
            _queue(
                "extension_leader",
                "待审批延期（包案）",
                "我包案的信访件申请延期",
                Case.owner_leader_id == user.id,
                _pending_extension(),
            ),
            _queue(
                "owned",
                "我包案的信访件",
                "一案一领导，包到底",
                Case.owner_leader_id == user.id,
                Case.status.notin_((Status.CLOSED, Status.NOT_ACCEPTED, Status.FORWARDED)),
            ),
        ]
    if user.has_role(Role.LEADER, Role.DEPT_HEAD):
        queues.append(
            _queue(
                "review",
                "待出具复查（复核）意见",
                "本机关作为上一级机关复查、复核",
                Case.reviewing_department_id == user.department_id,
                Case.status.in_((Status.UNDER_REVIEW, Status.UNDER_REREVIEW)),
            )
        )
    if user.has_role(Role.SUPERVISOR):
        queues += [
            _queue("overdue", "超期未办结", "办理期限已过", Case.overdue(today())),
            _queue(
                "unsatisfied",
                "不满意待说明",
                "信访人评价不满意，销号前须说明理由",
                Case.evaluation.has(
                    db.and_(
                        Evaluation.override_at.is_(None),
                        db.or_(Evaluation.acceptance == Rating.UNSATISFIED, Evaluation.handling == Rating.UNSATISFIED),
                    )
                ),
            ),
        ]
    return queues
