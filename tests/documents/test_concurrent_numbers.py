"""Document numbers under concurrency (PostgreSQL: real concurrent transactions): two clerks accepting two letters
at once get 信受〔年〕1号 and 2号 — the second decision waits on the counter until the first commits — and a decision
that rolls back takes its number with it, so the next one gets it."""

from __future__ import annotations

import threading

import pytest

from portal.accounts.models import User
from portal.cases import services as cases
from portal.cases.models import Case
from portal.documents.models import Document
from portal.extensions import db
from tests import factories
from tests.test_numbering import TIMEOUT, _still_waiting, needs_postgres


def _accept_in_thread(app, case_id: int, clerk_id: int, results: dict, started: threading.Event):
    def run():
        with app.app_context():
            started.set()
            case, clerk = db.session.get(Case, case_id), db.session.get(User, clerk_id)
            cases.accept(case, clerk)
            results["second"] = case.documents[-1].number
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_two_decisions_at_once_get_consecutive_numbers_and_a_rollback_leaves_no_gap(app, world, first_ends):
    first, _ = factories.register(world)
    second, _ = factories.register(world, petitioner_name="李四")
    db.session.commit()
    year = first.received_on.year

    cases.accept(first, world.clerk)  # the counter row stays locked until this transaction ends
    assert first.documents[-1].number == f"信受〔{year}〕1号"
    results, started = {}, threading.Event()
    thread = _accept_in_thread(app, second.id, world.clerk.id, results, started)
    waited = _still_waiting(thread, results, started)
    getattr(db.session, first_ends)()
    thread.join(TIMEOUT)

    assert waited and not thread.is_alive()
    assert results["second"] == f"信受〔{year}〕{2 if first_ends == 'commit' else 1}号"
    numbers = db.session.execute(db.select(Document.number).order_by(Document.id)).scalars().all()
    expected = [1, 2] if first_ends == "commit" else [1]
    assert numbers == [f"信受〔{year}〕{n}号" for n in expected]
