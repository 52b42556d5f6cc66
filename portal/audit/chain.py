"""The audit chain: every row carries the hash of the row before it, so an edited, deleted or slipped-in row breaks
the chain, and the chain head is written outside the database (the anchor file) so a rewritten tail is caught too.

Why rows are sealed in commit order, with a sequence of their own (``seq``), and not in id order:
ids come from a sequence when a row is inserted, but rows become visible when their transaction commits, and a
transaction that took id 41 may commit after the one that took id 42. A sealer that chained rows by id would either
have to wait at every gap (and a rolled-back transaction leaves a gap that never fills, so it could not tell "late"
from "never") or chain 42 and later meet 41 below the head. So writers insert rows unsealed (``seq``, ``prev_hash``
and ``hash`` empty) in their own transaction, without any lock, and the sealer — after each commit that wrote
audit rows, from ``flask audit seal``, and before verify, export and archive — takes the sealing lock (a
PostgreSQL advisory lock; on SQLite the write lock, the database being single-writer anyway), reads the head of
the chain and gives every committed unsealed row the next ``seq`` in id order. A row that commits late simply gets
a later place; nothing waits for a gap. The hash covers the row's content, its ``seq`` and ``prev_hash``, so moving
a row to another place breaks the chain as surely as editing it.

Hashes are ``<algorithm>:<hex>`` (SM3, GB/T 32905, by default; SHA-256 with AUDIT_HASH_ALGORITHM=sha256): each row
names its own, so changing the setting starts using the new one at the next row without breaking the old ones.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from flask import current_app
from sqlalchemy import exc, select, text, update

from portal.audit.models import AuditLog
from portal.extensions import db
from portal.localtime import utcnow

ALGORITHMS = {"sm3": hashes.SM3, "sha256": hashes.SHA256}
GENESIS = "genesis"  # the prev_hash of the first row ever sealed
LOCK_KEY = 0x6175_6469_745F_6C67  # "audit_lg": the PostgreSQL advisory lock of the sealer
BATCH = 500
CONTENT = ("id", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "detail", "ip", "success")

log = logging.getLogger(__name__)
table = AuditLog.__table__


# --- hashing ---------------------------------------------------------------------------------------------------
def algorithm(config=None) -> str:
    """The algorithm new rows are sealed with (AUDIT_HASH_ALGORITHM)."""
    config = config if config is not None else current_app.config
    name = str(config.get("AUDIT_HASH_ALGORITHM", "sm3")).lower()
    if name not in ALGORITHMS:
        raise RuntimeError(f"AUDIT_HASH_ALGORITHM 只能是 {'、'.join(ALGORITHMS)}，不能是 {name!r}")
    return name


def digest(name: str, data: bytes) -> str:
    h = hashes.Hash(ALGORITHMS[name]())
    h.update(data)
    return f"{name}:{h.finalize().hex()}"


def canonical(row: Mapping) -> bytes:
    """The bytes a row's hash is computed over: its content, its place in the chain and the hash before it, as
    JSON with sorted keys, no spaces, UTF-8 — the same bytes whichever database the row was read back from."""
    content = {key: row[key] for key in CONTENT}
    at = content["at"]
    content["at"] = at.isoformat(timespec="microseconds") if isinstance(at, dt.datetime) else str(at)
    content["success"] = bool(content["success"])
    content["detail"] = content["detail"] or {}
    content["seq"], content["prev_hash"] = row["seq"], row["prev_hash"]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(row: Mapping, name: str | None = None) -> str:
    """The hash ``row`` should carry, with ``name``'s algorithm or the one its stored hash names."""
    if name is None:
        name = (row["hash"] or "").partition(":")[0]
        if name not in ALGORITHMS:
            return ""  # no algorithm we know: no hash can match
    return digest(name, canonical(row))


# --- sealing ---------------------------------------------------------------------------------------------------
def lock(connection, wait: bool) -> bool:
    """Take the sealing lock for the connection's transaction; False when ``wait`` is off and another sealer has it."""
    if connection.dialect.name == "postgresql":
        if wait:
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
            return True
        return bool(connection.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}).scalar())
    # SQLite: a write that changes nothing takes the database's write lock, so the head read next stays the head.
    if not wait:
        connection.exec_driver_sql("PRAGMA busy_timeout = 100")
    try:
        connection.exec_driver_sql("UPDATE audit_log SET seq = seq WHERE 0")
    except exc.OperationalError:
        return False
    finally:
        if not wait:
            connection.exec_driver_sql("PRAGMA busy_timeout = 5000")
    return True


@dataclass(frozen=True)
class Link:
    """A place in the chain: its ``seq``, the row's id and hash."""

    seq: int
    id: int | None
    hash: str

    def as_dict(self) -> dict:
        return {"seq": self.seq, "id": self.id, "hash": self.hash}


START = Link(0, None, GENESIS)


def head(connection) -> Link | None:
    """The last sealed row (LIMIT 1: read from the end of the seq index, not a sort of the whole trail)."""
    row = connection.execute(
        select(table.c.seq, table.c.id, table.c.hash)
        .where(table.c.seq.is_not(None))
        .order_by(table.c.seq.desc())
        .limit(1)
    ).first()
    return Link(row.seq, row.id, row.hash) if row else None


def seal(*, wait: bool = True) -> int:
    """Seal every committed unsealed row, in id order; return how many. With ``wait`` off (after a commit) give up
    at once when another sealer is at work: it, or the next one, seals these rows too."""
    name = algorithm()
    sealed = 0
    with db.engine.connect() as connection:
        while True:
            with connection.begin():
                if not lock(connection, wait):
                    return sealed
                count = _seal_batch(connection, name)
                sealed += count
            if count < BATCH:
                return sealed


def seal_within(connection) -> bool:
    """Seal, inside the writer's own transaction on ``connection``, its rows and every committed unsealed one; True
    when none is left unsealed. For a transaction that writes only its audit rows (a read's): the sealing lock is
    then held until that transaction commits — on SQLite the writer holds the database's write lock anyway, on
    PostgreSQL the advisory lock is a transaction's — so no other sealer reads the head before this one is
    committed, and the chain stays one line, as when sealed after the commit; it saves a second transaction (and
    its commit) per audited read. False, changing nothing, when another sealer is at work: the caller commits the
    rows unsealed and they are sealed after the commit like any other."""
    if not lock(connection, wait=False):
        return False
    name = algorithm()
    while _seal_batch(connection, name) == BATCH:
        pass
    return True


def _seal_batch(connection, name: str) -> int:
    """Give up to BATCH unsealed rows, in id order, the next places after the head; the caller holds the lock."""
    last = head(connection) or START
    rows = (
        connection.execute(select(table).where(table.c.seq.is_(None)).order_by(table.c.id).limit(BATCH))
        .mappings()
        .all()
    )
    seq, prev = last.seq, last.hash
    for row in rows:
        seq += 1
        sealed_hash = row_hash({**row, "seq": seq, "prev_hash": prev}, name)
        connection.execute(
            update(table)
            .where(table.c.id == row["id"], table.c.seq.is_(None))
            .values(seq=seq, prev_hash=prev, hash=sealed_hash)
        )
        prev = sealed_hash
    return len(rows)


# --- the anchor file -------------------------------------------------------------------------------------------
HEAD, ARCHIVE = "head", "archive"


def anchor_path() -> Path:
    return Path(current_app.config["AUDIT_ANCHOR_PATH"])


def write_anchor(link: Link, kind: str = HEAD, **extra) -> dict:
    """Append ``link`` to the anchor file (created with its folder if need be) and make sure it is on disk."""
    entry = {"kind": kind, "written_at": utcnow().isoformat(timespec="seconds") + "Z", **link.as_dict(), **extra}
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())
    return entry


def anchor() -> dict | None:
    """Seal, then write the chain head to the anchor file (``flask audit anchor``, hourly). None for an empty log."""
    seal()
    with db.engine.connect() as connection:
        link = head(connection)
    return write_anchor(link) if link else None


class AnchorFileError(Exception):
    pass


def read_anchors() -> list[dict]:
    path = anchor_path()
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            entry["seq"], entry["hash"] = int(entry["seq"]), str(entry["hash"])
        except (ValueError, KeyError, TypeError):
            raise AnchorFileError(f"锚点文件 {path} 第 {number} 行无法读取，可能已被改动。") from None
        entry["line"] = number
        anchors.append(entry)
    return anchors


def start_of_chain(anchors: Iterable[dict]) -> Link:
    """Where the rows in the database begin: after the last archive, or at the very start."""
    archived = [a for a in anchors if a.get("kind") == ARCHIVE]
    if not archived:
        return START
    last = max(archived, key=lambda a: a["seq"])
    return Link(last["seq"], last.get("id"), last["hash"])


# --- verifying -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    kind: str  # edited | deleted | inserted | rewritten | truncated | anchor_file
    message: str
    row_id: int | None = None
    seq: int | None = None


@dataclass(frozen=True)
class Verdict:
    checked: int
    head: Link | None
    start: Link
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _sealed_rows(connection, after: int) -> Iterator[Mapping]:
    stmt = (
        select(table)
        .where(table.c.seq.is_not(None), table.c.seq > after)
        .order_by(table.c.seq, table.c.id)
        .execution_options(yield_per=BATCH)
    )
    yield from connection.execute(stmt).mappings()


def walk(rows: Iterable[Mapping], start: Link = START, anchors: Iterable[dict] = ()) -> tuple[int, Problem | None]:
    """Check the chain ``rows`` (in ``seq`` order) from ``start``; return how many rows were checked and the first
    problem. A link that does not hold is told apart: the row before slipped in (this row links past it), this row
    slipped in (the next one links past it), rows missing (the places between are empty), or this row edited."""
    expected = {a["seq"]: a for a in anchors if a["seq"] > start.seq}
    prev2_hash: str | None = None
    prev_hash, prev_seq, prev_row = start.hash, start.seq, None
    checked = 0
    iterator = iter(rows)
    row = next(iterator, None)
    while row is not None:
        following = next(iterator, None)
        if row["prev_hash"] != prev_hash or row["seq"] != prev_seq + 1:
            if following is not None and following["prev_hash"] == prev_hash:
                return checked, _problem("inserted", row, "插入的记录（不在原链中，后一条记录越过了它）")
            if prev_row is not None and row["prev_hash"] == prev2_hash:
                return checked, _problem("inserted", prev_row, "插入的记录（不在原链中，后一条记录越过了它）")
            if row["seq"] > prev_seq + 1:
                after = f"id={prev_row['id']} 之后、" if prev_row is not None else ""
                gap = f"{prev_seq + 1} 至 {row['seq'] - 1}" if row["seq"] > prev_seq + 2 else f"{prev_seq + 1}"
                missing = f"第 {gap} 号"
                return checked, Problem(
                    "deleted",
                    f"链位{missing}的记录被删除（{after}id={row['id']} 之前）。",
                    row_id=row["id"],
                    seq=prev_seq + 1,
                )
            if prev_row is None:
                return checked, _problem("edited", row, "与链的起点接不上，链接被改动")
            # The row before was edited and its hash recomputed, or this row's link was edited: name the earlier.
            return checked, _problem(
                "edited", prev_row, f"被修改后重算了哈希（后一条记录 id={row['id']} 与它接不上），或后一条的链接被改动"
            )
        if row_hash(row) != row["hash"]:
            return checked, _problem("edited", row, "内容被修改")
        anchored = expected.pop(row["seq"], None)
        if anchored is not None and (anchored.get("id") != row["id"] or anchored["hash"] != row["hash"]):
            return checked, _problem(
                "rewritten", row, f"与 {anchored.get('written_at', '')} 写出的锚点不符，自此以后的记录被改写"
            )
        checked += 1
        prev2_hash, prev_hash, prev_seq, prev_row = prev_hash, row["hash"], row["seq"], row
        row = following
    if expected:
        first = min(expected)
        anchored = expected[first]
        return checked, Problem(
            "truncated",
            f"链尾被删除：{anchored.get('written_at', '')} 写出的锚点记到第 {first} 号（id={anchored.get('id')}），"
            f"库中只到第 {prev_seq} 号。",
            row_id=anchored.get("id"),
            seq=first,
        )
    return checked, None


def _problem(kind: str, row: Mapping, what: str) -> Problem:
    return Problem(kind, f"第 {row['seq']} 号链位的记录（id={row['id']}）：{what}。", row_id=row["id"], seq=row["seq"])


def verify() -> Verdict:
    """Seal what is waiting, then recompute the whole chain from its start against the anchor file."""
    seal()
    try:
        anchors = read_anchors()
    except AnchorFileError as error:
        return Verdict(0, None, START, Problem("anchor_file", str(error)))
    start = start_of_chain(anchors)
    with db.engine.connect() as connection:
        last = head(connection)
        checked, problem = walk(_sealed_rows(connection, start.seq), start, anchors)
    return Verdict(checked, last, start, problem)
