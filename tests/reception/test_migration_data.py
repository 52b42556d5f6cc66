"""The two migrations behind this area's refactor keep what is already recorded: number_sequences starts from the
highest JF number issued in each year, and duty_slots.logged_at is set on every slot that has a reception log. Data
written at the head, the two revisions downgraded and upgraded again, so the backfills run on real rows."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from portal import config as config_module
from portal import create_app
from portal.accounts.models import Role
from portal.duty.models import DutySlot, Form, Period
from portal.extensions import db
from portal.numbering import NumberSequence
from portal.org.models import Department, Kind, Level
from portal.reception.models import Handling, ReceptionEntry, ReceptionLog
from tests.conftest import BASE_CONFIG
from tests.factories import user
from tests.test_migrations import fresh_postgres_database  # noqa: F401 - a fixture

FIRST, LAST = "5df56a721aee", "214da5a50f10"  # number_sequences, then duty_slots.logged_at
OPENED = dt.datetime(2026, 11, 23, 2, 0)


def _before_mine() -> str:
    scripts = ScriptDirectory(str(config_module.ROOT / "migrations"))
    return scripts.get_revision(FIRST).down_revision


def _write_history() -> dict:
    office = Department(name="县信访局", kind=Kind.PETITION_OFFICE, level=Level.COUNTY)
    db.session.add(office)
    db.session.flush()
    leader = user("leader", Role.LEADER, department=office, name="王县长")
    slots = [
        DutySlot(day=dt.date(2026, 11, d), period=Period.MORNING, leader=leader, place="接待中心", form=Form.FIXED)
        for d in (20, 23, 24)
    ]
    db.session.add_all(slots)
    db.session.flush()
    numbers = {slots[0]: ["JF2026-0007", "JF2026-0012"], slots[1]: ["JF2026-0010", "JF2027-0003"]}
    for slot, taken in numbers.items():
        log = ReceptionLog(slot_id=slot.id, leader_id=leader.id, created_at=OPENED)
        db.session.add(log)
        db.session.flush()
        for number in taken:
            db.session.add(
                ReceptionEntry(
                    log_id=log.id,
                    number=number,
                    name="甲",
                    matter="事项",
                    handling=Handling.ANSWERED,
                    answer="答复",
                    created_by_id=leader.id,
                )
            )
    ids = {"logged": [slots[0].id, slots[1].id], "not_logged": slots[2].id}
    db.session.commit()
    db.session.remove()  # no open transaction may hold a lock the downgrade's ALTER TABLE waits for
    return ids


def check_data_survives_the_migrations(url: str) -> None:
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade(revision="heads")
            ids = _write_history()

            downgrade(revision=_before_mine())
            columns = {c["name"] for c in sa.inspect(db.engine).get_columns("duty_slots")}
            assert "logged_at" not in columns and "number_sequences" not in sa.inspect(db.engine).get_table_names()
            assert db.session.scalar(sa.text("SELECT count(*) FROM reception_entries")) == 4  # nothing else lost
            db.session.remove()

            upgrade(revision="heads")
            counters = {(s.scope, s.year): s.last for s in db.session.scalars(db.select(NumberSequence))}
            logged = {s.id: s.logged_at for s in db.session.scalars(db.select(DutySlot))}
        finally:
            db.session.remove()
            db.engine.dispose()

    assert counters == {("reception", 2026): 12, ("reception", 2027): 3}
    assert [logged[i] for i in ids["logged"]] == [OPENED, OPENED] and logged[ids["not_logged"]] is None


def test_sqlite_migrations_seed_the_counters_and_backfill_logged_at(tmp_path):
    check_data_survives_the_migrations(f"sqlite:///{tmp_path / 'history.sqlite3'}")


@pytest.mark.postgres
def test_postgres_migrations_seed_the_counters_and_backfill_logged_at(fresh_postgres_database):  # noqa: F811
    check_data_survives_the_migrations(fresh_postgres_database)
