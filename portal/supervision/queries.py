"""The query layer over 督办 records, for the 督办台账, its export and the reports (半月督办通报 and the like): which
supervisions, in which state, how late, with their answers. Pure SQLAlchemy, no Flask; every query is scoped by
``Case.visible_to`` and pages in SQL, on the indexed columns of ``supervisions`` (state + reply_due, department +
state, issued_on).

Definitions (one place; reports use these):
- open: state 待答复, 已答复待审核 or 问责建议待决定 (``OPEN_STATES``).
- late now (逾期未答复): waiting for the department's answer and today is after the running reply deadline.
- answered late: an answer given after the reply deadline it answered (``SupervisionAnswer.late``).
- running in a period: issued on or before its last day, and not closed before its first day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from portal.accounts.models import User
from portal.cases.models import SEALED_TITLE, Case
from portal.cases.supervision import (
    CLOSED_STATES,
    AccountabilityProposal,
    Supervision,
    SupervisionAnswer,
    SupervisionReason,
    SupervisionState,
)
from portal.ledgers.queries import COUNT_AHEAD, LEDGERS, Filters, capped_count, conditions

PER_PAGE = 30
# The supervisor's lists (issue 15 item 3), each a ledger of portal.ledgers.
LISTS = ("overdue", "due_soon", "unsatisfied", "repeat", "skipped")


@dataclass(frozen=True)
class SupervisionFilters:
    """Validated filter values; ``None`` / ``False`` means the filter is off."""

    state: SupervisionState | None = None
    open_only: bool = False
    late_only: bool = False
    department_id: int | None = None
    reason: SupervisionReason | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None


def running_between(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    """Supervisions running at some point from ``start`` to ``end`` (both included)."""
    return and_(
        Supervision.issued_on <= end,
        or_(Supervision.state.not_in(sorted(CLOSED_STATES)), Supervision.closed_on >= start),
    )


def supervision_conditions(filters: SupervisionFilters, user: User, today: dt.date) -> ColumnElement[bool]:
    where = [Case.visible_to(user)]
    f = filters
    if f.state is not None:
        where.append(Supervision.state == f.state)
    if f.open_only:
        where.append(Supervision.open_clause())
    if f.late_only:
        where.append(Supervision.late_clause(today))
    if f.department_id is not None:
        where.append(Supervision.department_id == f.department_id)
    if f.reason is not None:
        where.append(Supervision.reason == f.reason)
    if f.issued_from is not None:
        where.append(Supervision.issued_on >= f.issued_from)
    if f.issued_to is not None:
        where.append(Supervision.issued_on <= f.issued_to)
    return and_(*where)


def ordering(today: dt.date) -> list:
    """Late ones first, then open ones by reply deadline, then the ended ones; the newest first among equals."""
    late = case((Supervision.late_clause(today), 0), (Supervision.open_clause(), 1), else_=2)
    return [late, Supervision.reply_due, Supervision.id.desc()]


def supervision_select(filters: SupervisionFilters, user: User, today: dt.date) -> Select:
    """督办单 as ``user`` may see them, in ``ordering``; each with its case, answers, 催办, 约谈 and proposal loaded
    (no N+1)."""
    return (
        select(Supervision)
        .join(Supervision.case)
        .where(supervision_conditions(filters, user, today))
        .order_by(*ordering(today))
        .options(
            contains_eager(Supervision.case),
            selectinload(Supervision.answers),
            selectinload(Supervision.urgings),
            selectinload(Supervision.interviews),
            selectinload(Supervision.proposal).joinedload(AccountabilityProposal.leader),
            selectinload(Supervision.issued_by),
        )
    )


def export_rows(
    session: Session, filters: SupervisionFilters, user: User, today: dt.date, *, limit: int, chunk: int = 1000
):
    """(supervision, case tracking code, case title as ``user`` may read it) for the export, in ``ordering``, each
    supervision with its answers: one statement, the answers joined (a supervision's rows come together), fetched
    ``chunk`` rows at a time — one query and flat memory however many supervisions, nothing loaded per row."""
    title = case((Case.readable_by(user), Case.title), else_=SEALED_TITLE)
    stmt = (
        select(Supervision, SupervisionAnswer, Case.tracking_code, title)
        .join(Supervision.case)
        .outerjoin(SupervisionAnswer, SupervisionAnswer.supervision_id == Supervision.id)
        .where(supervision_conditions(filters, user, today))
        .order_by(*ordering(today), SupervisionAnswer.id)
        .execution_options(yield_per=chunk)
    )
    current, answers, shown = None, [], 0
    for supervision, answer, code, readable in session.execute(stmt):
        if current is None or supervision is not current[0]:
            if current is not None:
                set_committed_value(current[0], "answers", answers)
                yield current
                shown += 1
                if shown >= limit:
                    return
            current, answers = (supervision, code, readable), []
        if answer is not None:
            answers.append(answer)
    if current is not None:
        set_committed_value(current[0], "answers", answers)
        yield current


def count_select(filters: SupervisionFilters, user: User, today: dt.date) -> Select:
    return select(func.count(Supervision.id)).join(Supervision.case).where(supervision_conditions(filters, user, today))


@dataclass(frozen=True)
class Page:
    items: list[Supervision]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def fetch_page(
    session: Session, filters: SupervisionFilters, user: User, today: dt.date, page: int, per_page: int = PER_PAGE
) -> Page:
    total = session.execute(count_select(filters, user, today)).scalar_one()
    page = min(max(page, 1), max(1, -(-total // per_page)))
    stmt = supervision_select(filters, user, today).limit(per_page).offset((page - 1) * per_page)
    return Page(list(session.execute(stmt).unique().scalars()), page, per_page, total)


def state_counts(session: Session, user: User, today: dt.date) -> dict[str, int]:
    """Per state, and ``late`` (逾期未答复), over the supervisions ``user`` may see: one query on the small table."""
    where = supervision_conditions(SupervisionFilters(), user, today)
    rows = session.execute(
        select(Supervision.state, func.count(), func.sum(case((Supervision.late_clause(today), 1), else_=0)))
        .join(Supervision.case)
        .where(where)
        .group_by(Supervision.state)
    ).all()
    counts = {state.value: 0 for state in SupervisionState} | {"late": 0}
    for state, n, late in rows:
        counts[state.value] = n
        counts["late"] += late or 0
    return counts


def list_counts(session: Session, user: User, today: dt.date, cap: int = COUNT_AHEAD) -> dict[str, int]:
    """How many cases each list of ``LISTS`` holds for ``user`` (the supervisor's 我的待办), each counted as the ledgers
    index counts (``capped_count``: more than ``cap`` reads as "over cap"), all in one query. Counting every
    case of 超期 and 不满意 cost the page ~80 ms at a million cases."""
    columns = [capped_count(conditions(LEDGERS[name], Filters(), user, today), cap).label(name) for name in LISTS]
    return session.execute(select(*columns)).one()._asdict()


def lists_by_department(session: Session, user: User, today: dt.date) -> dict[str, dict[int | None, int]]:
    """Per list of ``LISTS``, its cases counted by department (None: not yet assigned): one GROUP BY per list over
    that list's cases only."""
    result = {}
    for name in LISTS:
        rows = session.execute(
            select(Case.department_id, func.count(Case.id))
            .where(conditions(LEDGERS[name], Filters(), user, today))
            .group_by(Case.department_id)
        ).all()
        result[name] = dict(rows)
    return result
