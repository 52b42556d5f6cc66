"""Gap-free numbering (portal.numbering): one counter per scope and year, advanced in the caller's transaction. The
waiting tests need PostgreSQL (real concurrent transactions); the rest run on SQLite too."""

from __future__ import annotations

import threading
import time

import pytest

from portal import numbering
from portal.extensions import db
from portal.numbering import NumberSequence
from tests.conftest import TEST_DATABASE_URL, is_postgres

TIMEOUT = 20
needs_postgres = pytest.mark.skipif(
    not (TEST_DATABASE_URL and is_postgres(TEST_DATABASE_URL)), reason="needs TEST_DATABASE_URL pointing at PostgreSQL"
)


def test_each_scope_and_year_counts_from_one(ctx):
    taken = [
        numbering.allocate("reception", 2026),
        numbering.allocate("reception", 2026),
        numbering.allocate("reception", 2027),
        numbering.allocate("document:县信访局:复", 2026),
        numbering.allocate("reception", 2026),
    ]

    assert taken == [1, 2, 1, 1, 3]
    assert db.session.get(NumberSequence, ("reception", 2026)).last == 3


def test_a_seeded_counter_goes_on_from_its_last_value(ctx):
    db.session.add(NumberSequence(scope="reception", year=2026, last=41))
    db.session.commit()

    assert numbering.allocate("reception", 2026) == 42


def test_a_rolled_back_transaction_leaves_no_gap(ctx):
    assert numbering.allocate("reception", 2026) == 1
    db.session.commit()
    assert numbering.allocate("reception", 2026) == 2
    db.session.rollback()

    assert numbering.allocate("reception", 2026) == 2


def _allocate_in_thread(app, results: dict, started: threading.Event) -> threading.Thread:
    def run():
        with app.app_context():
            started.set()
            results["second"] = numbering.allocate("reception", 2026)
            db.session.commit()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _still_waiting(thread: threading.Thread, results: dict, started: threading.Event) -> bool:
    started.wait(TIMEOUT)
    time.sleep(0.5)  # long enough for an allocation that does not wait to have finished
    return thread.is_alive() and "second" not in results


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("counter_exists", [True, False], ids=["counter-exists", "first-use"])
@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
@pytest.mark.usefixtures("ctx")
def test_a_second_caller_waits_for_the_first_transaction(app, counter_exists, first_ends):
    if counter_exists:
        numbering.allocate("reception", 2026)
        db.session.commit()
    first = numbering.allocate("reception", 2026)  # the counter row stays locked until this transaction ends
    results, started = {}, threading.Event()

    thread = _allocate_in_thread(app, results, started)
    waited = _still_waiting(thread, results, started)
    getattr(db.session, first_ends)()
    thread.join(TIMEOUT)

    assert waited and not thread.is_alive()
    assert results["second"] == (first + 1 if first_ends == "commit" else first)  # a rollback leaves no gap
