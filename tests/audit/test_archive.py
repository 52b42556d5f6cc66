"""Retention and archives: at least 180 days (网络安全法 art.21); rows past retention leave only through the
archive, which writes a signed file ending with the chain's anchor, and verify then starts from that anchor."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest

from portal import create_app
from portal.audit import archive, chain
from portal.audit.models import AuditLog
from portal.audit.services import record
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import as_of, today
from tests.conftest import BASE_CONFIG


def write(n: int, on: dt.date | None = None) -> list[int]:
    with as_of(on) if on else contextlib.nullcontext():
        rows = [record("case.note", None, actor_name="测试", n=i) for i in range(n)]
        db.session.flush()
        ids = [r.id for r in rows]
        db.session.commit()
    return ids


def remaining() -> list[int]:
    return list(db.session.execute(db.select(AuditLog.id).order_by(AuditLog.seq)).scalars())


@pytest.mark.parametrize("days", [0, 90, 179])
def test_a_retention_below_six_months_is_refused(days):
    with pytest.raises(DomainError, match="不得少于180日"):
        archive.retention_days({"AUDIT_RETENTION_DAYS": days})
    with pytest.raises(RuntimeError, match="网络安全法"):
        create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://", "AUDIT_RETENTION_DAYS": days})


def test_the_default_retention_is_183_days_and_180_is_allowed(app):
    assert archive.retention_days(app.config) == 183
    assert archive.retention_days({"AUDIT_RETENTION_DAYS": 180}) == 180


def test_archive_moves_only_rows_past_retention_into_a_signed_file_and_verify_passes_after_it(app, ctx):
    old = write(4, on=today() - dt.timedelta(days=200))
    young = write(3, on=today() - dt.timedelta(days=10))
    chain.anchor()

    done = archive.archive()

    assert done.rows == 4 and (done.first.id, done.last.id) == (old[0], old[-1])
    assert remaining() == young
    check = archive.verify_archive(done.path)
    assert check.ok and check.rows == 4 and check.last == done.last
    verdict = chain.verify()
    assert verdict.ok and verdict.start.seq == done.last.seq and verdict.checked == 3
    lines = [json.loads(line) for line in done.path.read_text(encoding="utf-8").splitlines()]
    assert [line["kind"] for line in lines] == ["header", "row", "row", "row", "row", "anchor", "signature"]
    assert lines[-2] == {"kind": "anchor", **done.last.as_dict()}


def test_archive_keeps_the_chain_head_and_rows_after_a_young_one(ctx):
    early = write(2, on=today() - dt.timedelta(days=300))
    write(1, on=today() - dt.timedelta(days=5))
    late_old = write(2, on=today() - dt.timedelta(days=250))  # sealed after the young row: it stays with it

    done = archive.archive()

    assert done.rows == 2 and remaining()[-2:] == late_old
    assert not set(early) & set(remaining())
    assert archive.archive() is None  # nothing left before the first young row
    assert chain.verify().ok


def test_an_edited_archive_file_fails_its_check(ctx):
    write(3, on=today() - dt.timedelta(days=200))
    write(1)
    done = archive.archive()

    text = done.path.read_text(encoding="utf-8")
    done.path.write_text(text.replace('"n":1', '"n":7'), encoding="utf-8")

    assert "签名不符" in archive.verify_archive(done.path).problem


def test_an_archive_is_refused_when_the_chain_does_not_verify(ctx):
    ids = write(3, on=today() - dt.timedelta(days=200))
    write(1)
    with db.engine.begin() as connection:
        connection.execute(AuditLog.__table__.update().where(AuditLog.id == ids[1]).values(ip="1.2.3.4"))

    with pytest.raises(DomainError, match="校验未通过"):
        archive.archive()
    assert len(remaining()) == 4


def test_without_the_archive_anchor_verify_reports_the_archived_rows_as_deleted(ctx):
    write(3, on=today() - dt.timedelta(days=200))
    write(1)
    archive.archive()

    chain.anchor_path().unlink()

    assert chain.verify().problem.kind == "deleted"


def test_the_archive_commands(app, ctx):
    write(2, on=today() - dt.timedelta(days=200))
    write(1)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["audit", "archive"])

    assert result.exit_code == 0 and "archived 2 rows" in result.output
    path = next((chain.anchor_path().parent / "archive").glob("audit-*.jsonl"))
    checked = runner.invoke(args=["audit", "verify-archive", str(path)])
    assert checked.exit_code == 0 and "ok: 2 rows" in checked.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    assert "nothing past retention" in runner.invoke(args=["audit", "archive"]).output


@pytest.mark.postgres
def test_the_archive_deletes_through_the_trigger(ctx, append_only):
    write(3, on=today() - dt.timedelta(days=200))
    young = write(1)

    done = archive.archive()

    assert done.rows == 3 and remaining() == young and chain.verify().ok
