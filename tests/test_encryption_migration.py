"""The migration that encrypts personal data (d8bf19c8e290) on real rows: rows written in clear at the revision
before it are sealed and indexed by the upgrade, and the downgrade gives the plaintext back, on SQLite and (when
TEST_DATABASE_URL is set) PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from portal import config as config_module
from portal import create_app
from portal.accounts.models import Role
from portal.cases.models import Petitioner
from portal.duty.models import DutySlot, Form, Period
from portal.extensions import db
from portal.org.models import Department, Kind, Level
from portal.protection import blind_index, cipher, matches
from portal.reception.models import Handling, ReceptionEntry, ReceptionLog
from portal.sms.models import SmsMessage
from tests.conftest import BASE_CONFIG
from tests.factories import user
from tests.test_migrations import fresh_postgres_database  # noqa: F401 - a fixture

MINE = "d8bf19c8e290"
PHONE, ID_NUMBER, ADDRESS = "13912345678", "11010519491231002X", "城关镇幸福路8号"
LANDLINE = "0731-88886666"
AT = "2026-11-01 08:00:00"
KEYS = {"DATA_KEY": "a1" * 32, "INDEX_KEY": "b2" * 32}


def _before_mine() -> str:
    return ScriptDirectory(str(config_module.ROOT / "migrations")).get_revision(MINE).down_revision


def _write_at_head() -> None:
    """A reception entry (it needs a department, a leader, a slot and a log) and an SMS, through the models."""
    office = Department(name="县信访局", kind=Kind.PETITION_OFFICE, level=Level.COUNTY)
    db.session.add(office)
    db.session.flush()
    leader = user("leader", Role.LEADER, department=office, name="王县长")
    slot = DutySlot(day=dt.date(2026, 11, 23), period=Period.MORNING, leader=leader, place="接待中心", form=Form.FIXED)
    db.session.add(slot)
    db.session.flush()
    log = ReceptionLog(slot_id=slot.id, leader_id=leader.id)
    db.session.add(log)
    db.session.flush()
    db.session.add(
        ReceptionEntry(
            log_id=log.id,
            number="JF2026-0001",
            name="刘群众",
            phone=PHONE,
            id_number=ID_NUMBER,
            address=ADDRESS,
            matter="事项",
            handling=Handling.ANSWERED,
            answer="答复",
            created_by_id=leader.id,
        )
    )
    db.session.add(SmsMessage(phone=PHONE, text=f"通知：{ADDRESS}"))
    db.session.commit()
    db.session.remove()


def _raw(table: str, *columns: str) -> list[tuple]:
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"))
        return [tuple(row) for row in rows]


def check_the_migration_seals_and_opens_real_rows(url: str) -> None:
    app = create_app({**BASE_CONFIG, **KEYS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade(revision="heads")
            _write_at_head()
            downgrade(revision=_before_mine())
            # Rows as the revision before this one wrote them: in clear.
            assert _raw("reception_entries", "phone", "id_number", "address") == [(PHONE, ID_NUMBER, ADDRESS)]
            assert _raw("sms_messages", "phone", "text") == [(PHONE, f"通知：{ADDRESS}")]
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO petitioners (name, phone, id_number, address, created_at) VALUES "
                        "('张三', :phone, :id_number, :address, :at), ('李四', :landline, NULL, '', :at)"
                    ),
                    {
                        "phone": PHONE,
                        "id_number": ID_NUMBER,
                        "address": ADDRESS,
                        "landline": LANDLINE,
                        "at": "2026-11-01",
                    },
                )

            upgrade(revision=MINE)
            petitioners = _raw("petitioners", "phone", "id_number", "address", "phone_index", "id_number_index")
            entries = _raw("reception_entries", "phone", "id_number", "address")
            sms = _raw("sms_messages", "phone", "text")
            flat = " ".join(str(v) for row in (*petitioners, *entries, *sms) for v in row)
            for secret in (PHONE, ID_NUMBER, ADDRESS, "88886666"):
                assert secret not in flat, secret
            assert all(cipher.is_sealed(base64.b64decode(v)) for row in (*entries, *sms) for v in row)
            assert petitioners[0][3:] == (blind_index("phone", PHONE), blind_index("id_number", ID_NUMBER))
            assert petitioners[1][2] != "" and petitioners[1][3:] == (blind_index("phone", LANDLINE), None)
            # The models read them, and repeat detection finds them by index.
            found = {p.name: (p.phone, p.id_number, p.address) for p in db.session.scalars(sa.select(Petitioner))}
            assert found == {"张三": (PHONE, ID_NUMBER, ADDRESS), "李四": (LANDLINE, None, "")}
            assert db.session.scalars(sa.select(ReceptionEntry)).one().id_number == ID_NUMBER
            by_index = sa.select(Petitioner.name).where(matches(Petitioner.phone_index, "phone", "073188886666"))
            assert db.session.scalars(by_index).all() == ["李四"]
            db.session.remove()

            downgrade(revision=_before_mine())
            assert _raw("petitioners", "name", "phone", "id_number", "address") == [
                ("张三", PHONE, ID_NUMBER, ADDRESS),
                ("李四", LANDLINE, None, ""),
            ]
            assert _raw("reception_entries", "phone", "id_number", "address") == [(PHONE, ID_NUMBER, ADDRESS)]
            assert _raw("sms_messages", "phone", "text") == [(PHONE, f"通知：{ADDRESS}")]
            columns = {c["name"] for c in sa.inspect(db.engine).get_columns("petitioners")}
            assert "phone_index" not in columns and "id_number_index" not in columns
            indexes = {i["name"] for i in sa.inspect(db.engine).get_indexes("petitioners")}
            assert {"ix_petitioners_phone", "ix_petitioners_id_number"} <= indexes
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sqlite_migration_seals_existing_rows_and_the_downgrade_opens_them(tmp_path):
    check_the_migration_seals_and_opens_real_rows(f"sqlite:///{tmp_path / 'sealed.sqlite3'}")


@pytest.mark.postgres
def test_postgres_migration_seals_existing_rows_and_the_downgrade_opens_them(fresh_postgres_database):  # noqa: F811
    check_the_migration_seals_and_opens_real_rows(fresh_postgres_database)
