"""What waits for whom (我的待办). Every queue is a row of lifecycle.ACTIONS: the cases on which the signed-in person
may take that action now, as SQL (the action's states, its roles scoped like ``Case.can``, and what the queue adds),
most urgent first. The case page then offers exactly that action."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from portal.accounts.models import DEPARTMENT_SCOPED, User
from portal.cases.lifecycle import ACTIONS, PUBLIC, Action
from portal.cases.models import Case
from portal.extensions import db

SHOWN = 8  # cases per queue on 我的待办; the queue's own page lists them all
PER_PAGE = 30
# Counted up to here and shown as "1000+" beyond: a queue that long is worked from its ledger, and counting every
# match of a queue that holds most cases cost the page most of a second at a million cases.
COUNT_CAP = 1000


@dataclass
class Queue:
    key: str
    title: str
    hint: str
    cases: list[Case]
    total: int  # capped: see ``capped``
    capped: bool = False  # there are more than ``total``

    @property
    def total_label(self) -> str:
        return f"{self.total}+" if self.capped else str(self.total)


def _role_scope(action: Action, user: User):
    """The roles of ``action`` that ``user`` holds, as SQL: a department-scoped role counts in its department."""
    clauses = [
        Case.department_id == user.department_id if role in DEPARTMENT_SCOPED else db.true()
        for role in action.roles
        if role != PUBLIC and user.has_role(role)
    ]
    return db.or_(*clauses) if clauses else db.false()


def _holds(action: Action, user: User) -> bool:
    roles = action.queue.roles or action.roles
    return user.has_role(*(r for r in roles if r != PUBLIC))


def _order():
    """Most urgent first: due dates first, the nearest on top; then the undated, oldest first. The indexes
    ``ix_cases_status_queue_order`` (one state) and ``ix_cases_queue_order`` deliver it, so a page reads its rows."""
    return (Case.due_date.is_(None), Case.due_date, Case.id)


def _states(action: Action) -> frozenset:
    """The states the queue lists: a transition's sources, or those the queue names; empty for any state."""
    return action.sources if action.is_transition else (action.queue.states or frozenset())


def _conditions(action: Action, user: User) -> list:
    """What a case of ``action``'s queue for ``user`` is, but its state."""
    queue = action.queue
    conditions = [Case.visible_to(user)]
    if action.review_level is not None:
        conditions.append(Case.review_level == action.review_level)
    conditions.append(queue.scope(Case, user) if queue.scope else _role_scope(action, user))
    if queue.where:
        conditions.append(queue.where(Case, user))
    return conditions


def statement(action: Action, user: User):
    """The cases of ``action``'s queue for ``user``, most urgent first."""
    conditions = _conditions(action, user)
    if states := _states(action):
        conditions.append(Case.status.in_(sorted(states)))
    return db.select(Case).where(*conditions).order_by(*_order())


def _page_statement(action: Action, user: User, limit: int, offset: int):
    """The page of ``statement``: a queue over several states is read state by state, each in order from
    ``ix_cases_status_queue_order`` and only as far as the page, and the pieces merged; one index cannot give
    the order over a set of states, and sorting every case of them (every replied case, every open one) cost
    the page most of a second at a million cases."""
    states = _states(action)
    if len(states) < 2:
        return statement(action, user).limit(limit).offset(offset)
    conditions = _conditions(action, user)
    pieces = [
        db.select(Case.id).where(*conditions, Case.status == state).order_by(*_order()).limit(offset + limit).subquery()
        for state in sorted(states)
    ]
    ids = db.union_all(*(db.select(piece.c.id) for piece in pieces))
    return db.select(Case).where(Case.id.in_(ids)).order_by(*_order()).limit(limit).offset(offset)


def queue_actions(user: User) -> list[Action]:
    """The actions whose queues ``user`` has, in the order of the day's work (the order of the table)."""
    return [a for a in ACTIONS.values() if a.queue is not None and _holds(a, user)]


def _count(stmt, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many cases ``stmt`` holds, counted up to ``cap``; and whether there are more."""
    limited = stmt.order_by(None).with_only_columns(Case.id).limit(cap + 1).subquery()
    n = db.session.execute(db.select(db.func.count()).select_from(limited)).scalar()
    return min(n, cap), n > cap


def _load(action: Action, user: User, limit: int, offset: int = 0) -> list[Case]:
    stmt = _page_statement(action, user, limit, offset).options(selectinload(Case.checklist))
    return list(db.session.execute(stmt).scalars())


def queues_for(user: User) -> list[Queue]:
    """Every queue of ``user``'s roles with its most urgent cases."""
    result = []
    for action in queue_actions(user):
        stmt = statement(action, user)
        q = action.queue
        result.append(Queue(q.key, q.title, q.hint, _load(action, user, SHOWN), *_count(stmt)))
    return result


def queue_page(user: User, key: str, page: int) -> tuple[Queue, int, int] | None:
    """One queue with a page of its cases, the page shown and the number of pages; None when ``user`` has no
    queue ``key``."""
    action = next((a for a in queue_actions(user) if a.queue.key == key), None)
    if action is None:
        return None
    stmt = statement(action, user)
    # Counted a few pages past the one asked for, so that "next" always leads on however long the queue is.
    total, capped = _count(stmt, max(COUNT_CAP, (max(page, 1) + 5) * PER_PAGE))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    q = action.queue
    cases = _load(action, user, PER_PAGE, (page - 1) * PER_PAGE)
    return Queue(q.key, q.title, q.hint, cases, total, capped), page, pages
