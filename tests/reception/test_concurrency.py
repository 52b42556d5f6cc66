"""Two people adding entries at the same moment (PostgreSQL only: READ COMMITTED and a unique index that makes the
second insert wait for the first). Both read the same highest JF number; both entries are kept, numbered in turn."""

from __future__ import annotations

import threading

import pytest

from portal.audit.models import AuditLog
from portal.cases.models import Rating
from portal.duty.models import DutySlot, Period
from portal.extensions import db
from portal.localtime import as_of
from portal.reception import services
from portal.reception.models import Handling, ReceptionEntry
from tests import factories
from tests.conftest import TEST_DATABASE_URL, is_postgres
from tests.reception.conftest import DAY, make_slot, second_leader, visitor

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL and is_postgres(TEST_DATABASE_URL)),
        reason="needs TEST_DATABASE_URL pointing at PostgreSQL",
    ),
]
TIMEOUT = 20


def test_two_entries_added_at_once_get_consecutive_numbers(app, seed, monkeypatch):
    slot_ids = seed(
        lambda world: (make_slot(world.leader).id, make_slot(second_leader(world), period=Period.AFTERNOON).id)
    )
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    first_read = threading.local()
    real = services.next_number

    def read_then_wait(year: int) -> str:
        number = real(year)
        if not getattr(first_read, "done", False):  # both sides read before either writes; retries run free
            first_read.done = True
            barrier.wait()
        return number

    monkeypatch.setattr(services, "next_number", read_then_wait)
    results = {}

    def add(name: str, slot_id: int):
        with app.app_context(), as_of(DAY):
            try:
                clerk = factories.load_world().clerk
                services.add_entry(
                    db.session.get(DutySlot, slot_id),
                    clerk,
                    visitor(name=name),
                    handling=Handling.ANSWERED,
                    answer="当场答复。",
                    satisfaction=Rating.SATISFIED,
                )
                db.session.commit()
                results[name] = "committed"
            except Exception as error:  # noqa: BLE001 - judged below
                db.session.rollback()
                results[name] = error

    threads = [
        threading.Thread(target=add, args=(name, slot_id)) for name, slot_id in zip(("甲", "乙"), slot_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)

    assert not any(t.is_alive() for t in threads)
    assert results == {"甲": "committed", "乙": "committed"}
    with app.app_context():
        numbers = sorted(db.session.scalars(db.select(ReceptionEntry.number)))
        audits = db.session.scalar(
            db.select(db.func.count()).select_from(AuditLog).where(AuditLog.action == "reception.add_entry")
        )
    assert numbers == ["JF2026-0001", "JF2026-0002"] and audits == 2
