"""Retention and archives: audit rows are kept AUDIT_RETENTION_DAYS (at least 180 days, 网络安全法 art.21 asks for
six months) and leave the database only through ``flask audit archive``, which writes them to a signed file that
ends with the chain's anchor at its last row, then deletes them; verify then starts from that anchor.

The archive file is JSON lines: a header, one line per row (with its place in the chain and its hashes), the
anchor, and last an HMAC of every byte before it (the archive key: AUDIT_ARCHIVE_KEY, or a key generated once into
var/audit-archive-key; keep a copy where the database administrators cannot write)."""

from __future__ import annotations

import datetime as dt
import hmac as std_hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hmac
from flask import current_app
from sqlalchemy import delete, func, select, text

from portal.audit import chain
from portal.audit.chain import Link, table
from portal.config import ROOT
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import utcnow

MIN_RETENTION_DAYS = 180  # 网络安全法 art.21: network logs are kept no less than six months


def retention_days(config=None) -> int:
    """AUDIT_RETENTION_DAYS, refused below the legal minimum."""
    config = config if config is not None else current_app.config
    days = int(config.get("AUDIT_RETENTION_DAYS", 183))
    if days < MIN_RETENTION_DAYS:
        raise DomainError(
            f"审计日志保存期限（AUDIT_RETENTION_DAYS）不得少于{MIN_RETENTION_DAYS}日（网络安全法第二十一条：不少于六个月），"
            f"当前设置为{days}日。"
        )
    return days


def archive_key() -> bytes:
    configured = current_app.config.get("AUDIT_ARCHIVE_KEY") or ""
    if configured:
        return configured.encode()
    path = ROOT / "var" / "audit-archive-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def _mac(data: bytes, algorithm: str, key: bytes) -> str:
    mac = hmac.HMAC(key, chain.ALGORITHMS[algorithm]())
    mac.update(data)
    return mac.finalize().hex()


def _line(entry: dict) -> bytes:
    return (json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _row_entry(row) -> dict:
    entry = {key: row[key] for key in (*chain.CONTENT, "seq", "prev_hash", "hash")}
    entry["at"] = row["at"].isoformat(timespec="microseconds")
    entry["success"] = bool(entry["success"])
    return {"kind": "row", **entry}


@dataclass(frozen=True)
class Archived:
    path: Path
    rows: int
    first: Link
    last: Link


def archive() -> Archived | None:
    """Archive the rows past retention and delete them; None when there are none. Refused when the chain does not
    verify: an archive of a broken chain would hide where it broke. Only a prefix of the chain leaves, up to the
    first row still inside retention, and never the head (the sealer continues from it)."""
    cutoff = utcnow() - dt.timedelta(days=retention_days())
    verdict = chain.verify()
    if not verdict.ok:
        raise DomainError("审计链校验未通过，不能归档：" + verdict.problem.message)
    start = verdict.start
    algorithm = chain.algorithm()
    with db.engine.connect() as connection, connection.begin():
        chain.lock(connection, wait=True)
        last = chain.head(connection)
        if last is None:
            return None
        young = connection.execute(
            select(func.min(table.c.seq)).where(table.c.seq.is_not(None), table.c.at >= cutoff)
        ).scalar()
        end = min(last.seq - 1, (young - 1) if young is not None else last.seq)
        if end <= start.seq:
            return None
        rows = (
            connection.execute(select(table).where(table.c.seq > start.seq, table.c.seq <= end).order_by(table.c.seq))
            .mappings()
            .all()
        )
        first_row, last_row = rows[0], rows[-1]
        first = Link(first_row["seq"], first_row["id"], first_row["hash"])
        end_link = Link(last_row["seq"], last_row["id"], last_row["hash"])
        folder = Path(current_app.config["AUDIT_ARCHIVE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"audit-{first.seq:010d}-{end_link.seq:010d}-{utcnow():%Y%m%dT%H%M%S}.jsonl"
        body = _line(
            {
                "kind": "header",
                "created_at": utcnow().isoformat(timespec="seconds") + "Z",
                "first_seq": first.seq,
                "last_seq": end_link.seq,
                "prev_hash": start.hash,
                "retention_days": retention_days(),
                "algorithm": algorithm,
            }
        )
        body += b"".join(_line(_row_entry(row)) for row in rows)
        body += _line({"kind": "anchor", **end_link.as_dict()})
        signature = _mac(body, algorithm, archive_key())
        body += _line({"kind": "signature", "algorithm": f"hmac-{algorithm}", "value": signature})
        with path.open("xb") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        if connection.dialect.name == "postgresql":
            # The append-only trigger lets rows go only in this transaction (migration 20261202_a7c3e9d1f4b2).
            connection.execute(text("SET LOCAL portal.audit_archive = 'on'"))
        connection.execute(delete(table).where(table.c.seq > start.seq, table.c.seq <= end_link.seq))
        # Written before the commit: should the commit fail, verify starts after rows still present, and they link.
        chain.write_anchor(end_link, chain.ARCHIVE, file=path.name, rows=len(rows))
    return Archived(path, len(rows), first, end_link)


@dataclass(frozen=True)
class ArchiveCheck:
    rows: int
    last: Link | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_archive(path: Path) -> ArchiveCheck:
    """Check an archive file's signature, then the chain inside it and its anchor."""
    data = Path(path).read_bytes()
    body, _, tail = data.rstrip(b"\n").rpartition(b"\n")
    body += b"\n"
    try:
        signature = json.loads(tail)
        lines = [json.loads(line) for line in body.splitlines()]
        header, entries, end = lines[0], lines[1:-1], lines[-1]
        algorithm = header["algorithm"]
        if signature.get("kind") != "signature" or header.get("kind") != "header" or end.get("kind") != "anchor":
            raise ValueError
    except (ValueError, KeyError, IndexError, TypeError):
        return ArchiveCheck(0, None, "归档文件格式不正确。")
    if algorithm not in chain.ALGORITHMS or not std_hmac.compare_digest(
        _mac(body, algorithm, archive_key()), str(signature.get("value", ""))
    ):
        return ArchiveCheck(0, None, "归档文件的签名不符：文件被改动，或不是用本系统的归档密钥签名的。")
    rows = []
    for entry in entries:
        row = dict(entry)
        row["at"] = dt.datetime.fromisoformat(row["at"])
        rows.append(row)
    start = Link(header["first_seq"] - 1, None, header["prev_hash"])
    checked, problem = chain.walk(rows, start)
    if problem is not None:
        return ArchiveCheck(checked, None, problem.message)
    last = Link(end["seq"], end["id"], end["hash"])
    if not rows or (rows[-1]["seq"], rows[-1]["id"], rows[-1]["hash"]) != (last.seq, last.id, last.hash):
        return ArchiveCheck(checked, None, "归档文件末尾的锚点与最后一条记录不符。")
    return ArchiveCheck(checked, last)
