"""The audit chain: rows are sealed after their transaction commits, in the order they become visible; verify
recomputes the chain and names the first row that was edited, deleted or slipped in, and the anchor file catches a
rewritten tail. Tampering is done the way an intruder with database access would: straight SQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import exc, text

from portal.audit import chain
from portal.audit.models import AuditLog
from portal.audit.services import record
from portal.extensions import db

table = AuditLog.__table__


def write(n: int, actor=None, **detail) -> list[int]:
    """``n`` committed audit rows; their ids."""
    rows = [record("case.note", actor, actor_name="测试", n=i, **detail) for i in range(n)]
    db.session.flush()
    ids = [r.id for r in rows]
    db.session.commit()  # and nothing read after it: no transaction of the test's session holds the table
    return ids


def rows_by_seq() -> list[dict]:
    with db.engine.connect() as connection:
        return [dict(r) for r in connection.execute(db.select(table).order_by(table.c.seq)).mappings()]


def sql(statement: str, **params) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(statement), params)


def forge(row: dict, **changes) -> dict:
    """A row as an intruder who knows the algorithm would make it: content changed, hash recomputed."""
    forged = {**row, **changes}
    forged["hash"] = chain.row_hash(forged, "sm3")
    return forged


def change(row_id: int, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(table.update().where(table.c.id == row_id).values(**values))


def insert(row: dict) -> None:
    with db.engine.begin() as connection:
        connection.execute(table.insert().values(**row))


def test_sm3_is_the_default_and_matches_the_standards_example():
    assert chain.digest("sm3", b"abc") == "sm3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_rows_are_sealed_once_their_transaction_commits(ctx):
    record("case.note", None, actor_name="测试")
    pending = db.session.execute(db.select(AuditLog)).scalars().all()
    db.session.flush()
    assert [r.seq for r in pending] == [None]  # written unsealed inside the writer's transaction

    db.session.commit()

    sealed = rows_by_seq()
    assert [(r["seq"], r["prev_hash"]) for r in sealed] == [(1, chain.GENESIS)]
    assert sealed[0]["hash"].startswith("sm3:")


def test_a_read_is_sealed_in_its_own_transaction_after_the_rows_committed_before_it(ctx, monkeypatch):
    from portal.audit.services import record_read

    write(2)  # sealed after their commit
    sql("UPDATE audit_log SET seq = NULL, prev_hash = NULL, hash = NULL WHERE id = (SELECT MAX(id) FROM audit_log)")
    monkeypatch.setattr(chain, "seal", lambda **kw: pytest.fail("no second transaction to seal a read"))

    row = record_read("case.view", None, n=3)

    links = rows_by_seq()
    assert [(r["seq"], r["action"]) for r in links] == [(1, "case.note"), (2, "case.note"), (3, "case.view")]
    assert links[-1]["id"] == row.id
    monkeypatch.undo()
    assert chain.verify().ok


def test_a_read_left_unsealed_by_a_busy_sealer_is_sealed_after_its_commit(ctx, monkeypatch):
    from portal.audit.services import record_read

    monkeypatch.setattr(chain, "lock", lambda connection, wait: wait)  # the lock is free only for who waits
    sealed_after = []
    seal = chain.seal
    monkeypatch.setattr(chain, "seal", lambda **kw: sealed_after.append(1) or seal(wait=True))

    record_read("case.view", None)

    assert sealed_after == [1] and [r["seq"] for r in rows_by_seq()] == [1]


def test_verify_passes_on_a_clean_log(ctx):
    write(5)
    write(3)

    verdict = chain.verify()

    assert verdict.ok and verdict.checked == 8
    links = rows_by_seq()
    assert [r["seq"] for r in links] == list(range(1, 9))
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(links))


def test_a_row_that_commits_after_a_later_id_was_sealed_takes_the_next_place(ctx):
    # Ids are handed out at insert, rows become visible at commit: id 5 may commit after id 9 was sealed.
    insert({"id": 9, "at": dt.datetime(2026, 12, 2, 3), "actor_name": "甲", "action": "case.note", "detail": {}})
    chain.seal()
    insert({"id": 5, "at": dt.datetime(2026, 12, 2, 2), "actor_name": "乙", "action": "case.note", "detail": {}})

    chain.seal()

    assert [(r["id"], r["seq"]) for r in rows_by_seq()] == [(9, 1), (5, 2)]
    assert chain.verify().ok


def test_sha256_by_setting_and_a_chain_that_changes_algorithm_still_verifies(app, ctx):
    write(2)
    app.config["AUDIT_HASH_ALGORITHM"] = "sha256"
    try:
        write(2)
        assert [r["hash"].partition(":")[0] for r in rows_by_seq()] == ["sm3", "sm3", "sha256", "sha256"]
        assert chain.verify().ok
    finally:
        app.config["AUDIT_HASH_ALGORITHM"] = "sm3"


def test_an_edited_row_is_named(ctx):
    ids = write(6)

    sql("UPDATE audit_log SET actor_name = '别人' WHERE id = :id", id=ids[3])
    verdict = chain.verify()

    assert not verdict.ok
    assert (verdict.problem.kind, verdict.problem.row_id) == ("edited", ids[3])
    assert f"id={ids[3]}" in verdict.problem.message


def test_an_edited_row_whose_hash_was_recomputed_is_named(ctx):
    ids = write(6)
    target = rows_by_seq()[2]

    forged = forge(target, detail={"n": 99})
    change(ids[2], detail=forged["detail"], hash=forged["hash"])
    verdict = chain.verify()

    assert (verdict.problem.kind, verdict.problem.row_id) == ("edited", ids[2])


def test_a_deleted_row_is_named_by_its_place_and_neighbours(ctx):
    ids = write(6)

    sql("DELETE FROM audit_log WHERE id = :id", id=ids[2])
    verdict = chain.verify()

    assert (verdict.problem.kind, verdict.problem.seq) == ("deleted", 3)
    assert f"id={ids[1]} 之后" in verdict.problem.message and f"id={ids[3]} 之前" in verdict.problem.message


def test_a_deleted_first_row_is_caught(ctx):
    ids = write(3)

    sql("DELETE FROM audit_log WHERE id = :id", id=ids[0])

    assert (chain.verify().problem.kind, chain.verify().problem.seq) == ("deleted", 1)


def test_a_second_row_for_a_place_in_the_chain_is_refused_by_the_database(ctx):
    write(4)
    links = rows_by_seq()
    forged = forge(links[2], id=1000, actor_name="伪造", prev_hash=links[1]["hash"])

    with pytest.raises(exc.IntegrityError):
        insert(forged)


def test_a_row_inserted_with_the_places_after_it_renumbered_is_named(ctx):
    write(5)
    links = rows_by_seq()
    sql("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3")
    sql("UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000")
    forged = forge(links[2], id=1000, actor_name="伪造", seq=3, prev_hash=links[1]["hash"])

    insert(forged)
    verdict = chain.verify()

    assert (verdict.problem.kind, verdict.problem.row_id) == ("inserted", 1000)


def rewrite_tail(keep: int) -> None:
    """An intruder deletes the rows after place ``keep`` and writes a tail of their own, hashed properly."""
    links = rows_by_seq()
    sql("DELETE FROM audit_log WHERE seq > :keep", keep=keep)
    prev = links[keep - 1]["hash"]
    for i, row in enumerate(links[keep:], start=keep + 1):
        forged = forge(row, seq=i, prev_hash=prev, detail={"rewritten": True})
        insert(forged)
        prev = forged["hash"]


def test_a_rewritten_tail_passes_the_chain_but_not_the_anchor(ctx):
    ids = write(6)
    chain.anchor()
    rewrite_tail(keep=3)

    verdict = chain.verify()

    assert (verdict.problem.kind, verdict.problem.row_id) == ("rewritten", ids[-1])
    chain.anchor_path().unlink()  # without the anchor nothing would notice: the control is the file
    assert chain.verify().ok


def test_a_cut_off_tail_is_caught_by_the_anchor(ctx):
    ids = write(6)
    chain.anchor()

    sql("DELETE FROM audit_log WHERE seq > 4")
    verdict = chain.verify()

    assert (verdict.problem.kind, verdict.problem.seq, verdict.problem.row_id) == ("truncated", 6, ids[-1])


def test_anchors_are_appended_and_a_damaged_anchor_file_fails_verify(ctx):
    write(2)
    chain.anchor()
    write(1)
    chain.anchor()

    lines = chain.anchor_path().read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [2, 3]
    assert chain.verify().ok

    chain.anchor_path().write_text(lines[0] + "\n{not json\n")
    assert chain.verify().problem.kind == "anchor_file"


def test_the_commands_report_and_exit_non_zero_on_a_broken_chain(app, ctx):
    ids = write(4)
    runner = app.test_cli_runner()

    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "4 rows checked" in ok.output

    sql("UPDATE audit_log SET ip = '10.0.0.1' WHERE id = :id", id=ids[1])
    failed = runner.invoke(args=["audit", "verify"])

    assert failed.exit_code == 1
    assert f"id={ids[1]}" in failed.output


def test_seal_command_seals_what_is_waiting(app, ctx):
    insert({"id": 1, "at": dt.datetime(2026, 12, 2), "actor_name": "甲", "action": "case.note", "detail": {}})

    result = app.test_cli_runner().invoke(args=["audit", "seal"])

    assert result.exit_code == 0 and "sealed 1 rows" in result.output
    assert rows_by_seq()[0]["seq"] == 1


# --- PostgreSQL: the append-only trigger ---------------------------------------------------------------------
@pytest.mark.postgres
def test_the_trigger_refuses_update_delete_and_truncate(ctx, append_only):
    ids = write(3)

    for statement in (
        "UPDATE audit_log SET actor_name = '别人' WHERE id = :id",
        "UPDATE audit_log SET hash = NULL, seq = NULL WHERE id = :id",  # unsealing, to be sealed anew
        "DELETE FROM audit_log WHERE id = :id",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(exc.DBAPIError, match="audit_log"):
            sql(statement, id=ids[0])

    # The sealing update still works, and only on unsealed rows.
    write(2)
    assert chain.verify().ok and chain.verify().checked == 5


@pytest.mark.postgres
def test_the_trigger_refuses_deleting_in_the_archive_path_rows_younger_than_the_legal_minimum(ctx, append_only):
    ids = write(2)

    def delete_as_the_archive_does():
        with db.engine.begin() as connection:
            connection.execute(text("SET LOCAL portal.audit_archive = 'on'"))
            connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[0]})

    with pytest.raises(exc.DBAPIError, match="audit_log"):
        delete_as_the_archive_does()
