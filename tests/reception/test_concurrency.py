"""Many people logging entries at the same moment (PostgreSQL only: real concurrent transactions under READ
COMMITTED). Every entry is kept and numbered: the JF counter's row lock makes them queue, nobody is refused."""

from __future__ import annotations

import threading

import pytest

from portal.audit.models import AuditLog
from portal.cases.models import Rating
from portal.duty.models import DutySlot
from portal.extensions import db
from portal.localtime import as_of
from portal.numbering import NumberSequence
from portal.reception import services
from portal.reception.models import Handling, ReceptionEntry, ReceptionLog
from tests import factories
from tests.conftest import BASE_CONFIG, TEST_DATABASE_URL, is_postgres
from tests.reception.conftest import DAY, make_slot, visitor

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL and is_postgres(TEST_DATABASE_URL)),
        reason="needs TEST_DATABASE_URL pointing at PostgreSQL",
    ),
]
PEOPLE = 50
TIMEOUT = 60


@pytest.fixture
def app_config(database_url) -> dict:
    """A connection for every thread, so that all of them are inside the database at once (the default pool would
    let only 15 in and queue the rest in Python)."""
    return {
        **BASE_CONFIG,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PEOPLE + 2, "max_overflow": 0},
    }


@pytest.fixture
def release_connections(app):
    """Close the big pool after the test: the database server is shared with other test runs."""
    yield
    with app.app_context():
        db.engine.dispose()


def test_fifty_entries_logged_at_once_all_succeed_with_consecutive_numbers(app, seed, release_connections):
    slot_id = seed(lambda world: make_slot(world.leader).id)  # its log is opened by whoever comes first
    barrier = threading.Barrier(PEOPLE, timeout=TIMEOUT)
    results: dict[int, object] = {}

    def log_one(i: int) -> None:
        with app.app_context(), as_of(DAY):
            try:
                clerk = factories.load_world().clerk  # holds a connection from here on
                slot = db.session.get(DutySlot, slot_id)
                barrier.wait()
                entry, _ = services.add_entry(
                    slot,
                    clerk,
                    visitor(name=f"来访人{i}", phone=f"139{i:08d}"),
                    handling=Handling.ANSWERED,
                    answer="当场答复。",
                    satisfaction=Rating.SATISFIED,
                )
                number = entry.number
                db.session.commit()
                results[i] = number
            except Exception as error:  # noqa: BLE001 - every outcome is judged below
                db.session.rollback()
                results[i] = error

    threads = [threading.Thread(target=log_one, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)

    assert not any(t.is_alive() for t in threads)
    refused = {i: r for i, r in results.items() if not isinstance(r, str)}
    assert refused == {} and len(results) == PEOPLE
    assert sorted(results.values()) == [f"JF2026-{n:04d}" for n in range(1, PEOPLE + 1)]
    with app.app_context():
        stored = sorted(db.session.scalars(db.select(ReceptionEntry.number)))
        logs = db.session.scalars(db.select(ReceptionLog)).all()
        audits = db.session.scalar(
            db.select(db.func.count()).select_from(AuditLog).where(AuditLog.action == "reception.add_entry")
        )
        counter = db.session.get(NumberSequence, (services.NUMBER_SCOPE, 2026))
        slot = db.session.get(DutySlot, slot_id)
        assert stored == sorted(results.values()) and audits == PEOPLE
        assert len(logs) == 1 and len(logs[0].entries) == PEOPLE  # one log, opened once
        assert counter.last == PEOPLE and slot.logged_at is not None
