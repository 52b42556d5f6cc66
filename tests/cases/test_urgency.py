"""The stored key of "most urgent first" (cases.urgency) follows every change of a case, so the index that serves
the ledgers', the case list's and 我的待办's order gives the order the rule says."""

from __future__ import annotations

import datetime as dt

from portal.cases.models import Case, Status
from portal.extensions import db
from tests.factories import make_case


def test_urgency_is_zero_exactly_while_a_staff_deadline_of_an_open_case_runs(world):
    cases = [
        make_case(world, status)
        for status in (Status.REGISTERED, Status.ASSIGNED, Status.REPLIED, Status.NOT_ACCEPTED, Status.CLOSED)
    ]
    db.session.expire_all()
    for case in cases:
        assert case.urgency == (0 if case.runs_staff_deadline else 1), case.status
    assert [c.urgency for c in cases] == [0, 0, 1, 1, 1]  # a reply opens the petitioner's window: not staff's


def test_urgency_follows_a_transition_and_a_direct_change(world):
    case = make_case(world, Status.ASSIGNED)
    assert case.urgency == 0
    case.due_date = None
    db.session.commit()
    db.session.expire_all()
    assert case.urgency == 1
    case.due_date = dt.date.today()
    db.session.commit()
    assert db.session.execute(db.select(Case.urgency).where(Case.id == case.id)).scalar() == 0


def test_the_stored_order_is_the_rule_s_order(world):
    for status in (Status.REPLIED, Status.ASSIGNED, Status.REGISTERED, Status.CLOSED, Status.IN_PROGRESS):
        make_case(world, status)
    in_sql = db.session.execute(db.select(Case).order_by(*Case.most_urgent_first())).scalars().all()
    running = [c for c in in_sql if c.runs_staff_deadline]
    assert in_sql[: len(running)] == sorted(running, key=lambda c: (c.due_date, c.id))
    assert all(not c.runs_staff_deadline for c in in_sql[len(running) :])
