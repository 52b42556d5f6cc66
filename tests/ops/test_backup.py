"""flask backup / restore: the round trip on SQLite and on PostgreSQL gives back every table row and every file; the
archive holds no key and is refused under another BACKUP_KEY, DATA_KEY or INDEX_KEY, when tampered with or cut
short, and over an installation that is not empty."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from portal import create_app
from portal.errors import DomainError
from portal.extensions import db
from portal.ops import backup as backups
from portal.protection.keys import new_key_hex
from tests import factories
from tests.conftest import BASE_CONFIG

KEYS = {"DATA_KEY": new_key_hex(), "INDEX_KEY": new_key_hex(), "BACKUP_KEY": new_key_hex()}
PG_SERVER = os.environ.get("BACKUP_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _sqlite(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}.sqlite3"


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    if request.param == "sqlite":
        yield _sqlite(tmp_path, "source"), _sqlite(tmp_path, "target")
        return
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        admin.connect().close()
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL server for the backup round trip")
    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "target")]
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield tuple(f"{PG_SERVER}/{name}" for name in names)
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _app(url: str, uploads: Path, **overrides):
    app = create_app(
        {**BASE_CONFIG, **KEYS, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(uploads), **overrides}
    )
    with app.app_context():
        db.create_all()  # what `flask db upgrade` leaves: the schema, no rows
    return app


def _snapshot(app) -> dict:
    with app.app_context():
        tables = {}
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                tables[table.name] = [tuple(r) for r in connection.execute(table.select().order_by(*order))]
        folder = Path(app.config["UPLOAD_FOLDER"])
        files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    return {"tables": tables, "files": files}


def _seeded_source(url, tmp_path):
    source = _app(url, tmp_path / "uploads-source")
    with source.app_context():
        world = factories.build_world()
        factories.make_case(world, phone="13900000021")
        db.session.commit()
        folder = Path(source.config["UPLOAD_FOLDER"])
        (folder / "2026" / "12").mkdir(parents=True)
        (folder / "2026" / "12" / "a1b2c3").write_bytes(os.urandom(5000))
        (folder / "d4e5f6").write_bytes(b"\x00sealed bytes\xff")
    return source


def test_the_round_trip_gives_back_every_table_and_file(databases, tmp_path):
    source_url, target_url = databases
    source = _seeded_source(source_url, tmp_path)
    with source.app_context():
        done = backups.backup(tmp_path / "out" / "portal.pbk")
    before = _snapshot(source)
    archive = done.path.read_bytes()
    for key in KEYS.values():  # no key, in any spelling, is in the archive
        assert key.encode() not in archive and bytes.fromhex(key) not in archive
    assert b"13900000021" not in archive  # sealed twice over: the phone under DATA_KEY, the archive under BACKUP_KEY

    target = _app(target_url, tmp_path / "uploads-target")
    with target.app_context():
        restored = backups.restore(done.path)
    assert restored.files == 2
    after = _snapshot(target)
    assert after["files"] == before["files"]
    for name, rows in before["tables"].items():
        if name == "audit_log":
            # The restore adds its own audit row after everything the archive held.
            assert after["tables"][name][: len(rows)] == rows
            assert len(after["tables"][name]) == len(rows) + 1
        else:
            assert after["tables"][name] == rows, name
    with target.app_context():  # the restored data opens under the same keys
        from portal.sms.models import SmsMessage

        assert db.session.execute(db.select(SmsMessage.phone)).scalar_one() == "13900000021"
    for app in (source, target):
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def archive(tmp_path):
    source = _seeded_source(_sqlite(tmp_path, "source"), tmp_path)
    with source.app_context():
        return backups.backup(tmp_path / "portal.pbk").path


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("BACKUP_KEY", "BACKUP_KEY 与这份备份不符"),
        ("DATA_KEY", "DATA_KEY 不是备份时"),
        ("INDEX_KEY", "INDEX_KEY 不是备份时"),
    ],
)
def test_a_key_that_does_not_match_is_refused(archive, tmp_path, setting, message):
    target = _app(_sqlite(tmp_path, "target"), tmp_path / "uploads-target", **{setting: new_key_hex()})
    with target.app_context(), pytest.raises(DomainError, match=message):
        backups.restore(archive)


def test_a_tampered_or_truncated_archive_is_refused(archive, tmp_path):
    target = _app(_sqlite(tmp_path, "target"), tmp_path / "uploads-target")
    data = bytearray(archive.read_bytes())
    data[-100] ^= 1
    tampered = tmp_path / "tampered.pbk"
    tampered.write_bytes(bytes(data))
    with target.app_context(), pytest.raises(DomainError, match="损坏或被篡改"):
        backups.restore(tampered)
    short = tmp_path / "short.pbk"
    short.write_bytes(archive.read_bytes()[:-50])
    with target.app_context(), pytest.raises(DomainError):
        backups.restore(short)


def test_an_installation_with_data_is_not_overwritten(archive, tmp_path):
    target = _app(_sqlite(tmp_path, "target"), tmp_path / "uploads-target")
    with target.app_context():
        factories.build_world()
        db.session.commit()
        with pytest.raises(DomainError, match="只能恢复到空的安装"):
            backups.restore(archive)


def test_backup_without_a_backup_key_is_refused(tmp_path):
    app = _app(_sqlite(tmp_path, "x"), tmp_path / "uploads", BACKUP_KEY="")
    result = app.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "x.pbk")])
    assert result.exit_code == 1 and "BACKUP_KEY" in result.output
