"""``flask backup`` / ``flask restore``: one encrypted archive holding the database (SQLite's online backup, or
``pg_dump`` on PostgreSQL) and the upload folder — never a key. The uploads are copied as they are stored (already
sealed under DATA_KEY); the archive itself is sealed under BACKUP_KEY, a key of its own.

The archive: a magic line, a JSON header (format, time, dialect, schema revision, the fingerprints of BACKUP_KEY,
DATA_KEY and INDEX_KEY — derived values that say nothing about the keys), then the tar in AES-256-GCM chunks of
4 MiB, each authenticated with the header, its number and whether it is the last, so a chunk changed, moved or
cut off is refused. The tar is written to a 0600 file in a 0700 scratch folder and streamed, never held in memory.

``restore`` refuses a BACKUP_KEY whose fingerprint is not the archive's, and an installation whose DATA_KEY or
INDEX_KEY is not the one the data was sealed with (it would restore data nobody can read); it restores only into an
empty installation (no rows in any table, an empty upload folder) and checks every table's row count and every
file's hash against the archive's manifest."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from portal.audit.services import record
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import utcnow
from portal.protection import keyring
from portal.protection.files import private_dir, write_private
from portal.protection.keys import KeySettingError, parse_key

MAGIC = b"PORTAL-BACKUP 1\n"
CHUNK = 4 * 1024 * 1024
SQLITE_NAME, PGDUMP_NAME, MANIFEST_NAME = "database.sqlite3", "database.pgdump", "manifest.json"


@dataclass(frozen=True)
class Done:
    path: Path
    tables: int
    files: int
    size: int


# --- keys --------------------------------------------------------------------------------------------------------
def _backup_key() -> bytes:
    text = current_app.config.get("BACKUP_KEY", "")
    if not text:
        raise DomainError("没有设置 BACKUP_KEY（备份密钥，与数据密钥不同），不能备份或恢复。")
    try:
        return parse_key(text, "BACKUP_KEY")
    except KeySettingError as error:
        raise DomainError(f"BACKUP_KEY 无效：{error}") from None


def _derive(key: bytes, info: str, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"portal/backup/{info}".encode()).derive(key)


def fingerprints() -> dict[str, str]:
    ring = keyring(current_app)
    return {
        "backup_key": _derive(_backup_key(), "key-id", 8).hex(),
        "data_key": ring.data.key_id.hex(),
        "index_key": ring.index.key_id.hex(),
    }


# --- the database ------------------------------------------------------------------------------------------------
def _dialect() -> str:
    return db.engine.dialect.name


def _pg_args(uri: str) -> tuple[str, dict]:
    url = make_url(uri)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _run(args: list[str], env: dict, what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        current_app.logger.error("%s failed: %s", what, done.stderr[-2000:])
        raise DomainError(f"{what} 执行失败（退出码 {done.returncode}），详见日志。")


def _tables() -> list[str]:
    return sorted(inspect(db.engine).get_table_names())


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {name: connection.execute(db.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in _tables()}


def _dump_database(folder: Path) -> str:
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if _dialect() == "sqlite":
        target = folder / SQLITE_NAME
        write_private(target, b"")
        raw = db.engine.raw_connection()
        try:
            destination = sqlite3.connect(target)
            with destination:
                raw.driver_connection.backup(destination)  # a consistent copy while the portal keeps writing
            destination.close()
        finally:
            raw.close()
        return SQLITE_NAME
    conninfo, env = _pg_args(uri)
    target = folder / PGDUMP_NAME
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", conninfo], env, "pg_dump")
    return PGDUMP_NAME


def _load_database(path: Path, name: str) -> None:
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()
    if name == SQLITE_NAME:
        if _dialect() != "sqlite":
            raise DomainError("该备份来自 SQLite 数据库，不能恢复到 PostgreSQL。")
        source = sqlite3.connect(path)
        raw = db.engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
            source.close()
    else:
        if _dialect() != "postgresql":
            raise DomainError("该备份来自 PostgreSQL 数据库，不能恢复到 SQLite。")
        conninfo, env = _pg_args(uri)
        # --clean drops the empty tables a `db upgrade` may have made; objects belong to the role restoring them
        # (the migrations' role), and the application role's privileges are granted again afterwards (README).
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={conninfo}",
                str(path),
            ],
            env,
            "pg_restore",
        )
    db.engine.dispose()


# --- uploads -----------------------------------------------------------------------------------------------------
def _upload_files() -> list[Path]:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the sealed stream -------------------------------------------------------------------------------------------
def _aad(header: bytes, number: int, last: bool) -> bytes:
    return header + struct.pack(">IB", number, last)


def _seal_file(plain: Path, out, header: bytes, key: bytes, prefix: bytes) -> None:
    aes = AESGCM(key)
    size = plain.stat().st_size
    count = max(1, -(-size // CHUNK))
    with plain.open("rb") as handle:
        for number in range(count):
            block = handle.read(CHUNK)
            sealed = aes.encrypt(prefix + struct.pack(">I", number), block, _aad(header, number, number == count - 1))
            out.write(struct.pack(">I", len(sealed)) + sealed)


def _read_header(handle) -> tuple[dict, bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise DomainError("这不是本系统的备份文件。")
    (length,) = struct.unpack(">I", handle.read(4))
    raw = handle.read(length)
    try:
        return json.loads(raw), raw
    except ValueError:
        raise DomainError("备份文件已损坏（文件头不可读）。") from None


def _open_file(handle, out, header: bytes, key: bytes, prefix: bytes) -> None:
    aes = AESGCM(key)
    number, last = 0, False
    while True:
        length_bytes = handle.read(4)
        if not length_bytes:
            break
        sealed = handle.read(struct.unpack(">I", length_bytes)[0])
        if last:
            raise DomainError("备份文件已损坏或被篡改（末尾有多余内容）。")
        nonce = prefix + struct.pack(">I", number)
        for final in (False, True):
            try:
                out.write(aes.decrypt(nonce, sealed, _aad(header, number, final)))
            except InvalidTag:
                continue
            last = final
            break
        else:
            raise DomainError("备份文件已损坏或被篡改，未做任何恢复。")
        number += 1
    if not last:
        raise DomainError("备份文件不完整（被截断），未做任何恢复。")


# --- backup ------------------------------------------------------------------------------------------------------
def backup(output: Path | None = None) -> Done:
    key = _backup_key()
    prints = fingerprints()
    # The audit row goes into the archive it describes.
    record("system.backup", None, None, actor_name="系统")
    db.session.commit()
    created = utcnow()
    output = output or Path(current_app.config["BACKUP_DIR"]) / f"portal-{created:%Y%m%d-%H%M%S}.pbk"
    private_dir(output.parent)
    scratch = Path(tempfile.mkdtemp(prefix="portal-backup-"))  # 0700
    try:
        name = _dump_database(scratch)
        files = _upload_files()
        upload_root = Path(current_app.config["UPLOAD_FOLDER"])
        manifest = {
            "created_at": created.isoformat(timespec="seconds") + "Z",
            "database": name,
            "tables": _row_counts(),
            "files": {str(p.relative_to(upload_root)): _sha256(p) for p in files},
        }
        tar_path = scratch / "archive.tar"
        write_private(tar_path, b"")
        with tarfile.open(tar_path, "w") as tar:
            info = tarfile.TarInfo(MANIFEST_NAME)
            body = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
            info.size, info.mode = len(body), 0o600
            tar.add(scratch / name, arcname=name)
            tar.addfile(info, io.BytesIO(body))
            for path in files:
                tar.add(path, arcname=f"uploads/{path.relative_to(upload_root)}")
        prefix = os.urandom(8)
        header = json.dumps(
            {
                "format": 1,
                "cipher": "AES-256-GCM",
                "created_at": manifest["created_at"],
                "dialect": _dialect(),
                "nonce_prefix": prefix.hex(),
                "fingerprints": prints,
            },
            sort_keys=True,
        ).encode()
        partial = output.with_name(f".{output.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + struct.pack(">I", len(header)) + header)
            _seal_file(tar_path, out, header, _derive(key, "aes-256-gcm", 32), prefix)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, output)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Done(output, len(manifest["tables"]), len(files), output.stat().st_size)


# --- restore -----------------------------------------------------------------------------------------------------
def _check_empty() -> None:
    counts = _row_counts()
    busy = [name for name, count in counts.items() if count and name != "alembic_version"]
    if busy:
        raise DomainError(f"只能恢复到空的安装：数据库中已有数据（{len(busy)} 个表有记录），未做任何恢复。")
    if _upload_files():
        raise DomainError("只能恢复到空的安装：附件目录（UPLOAD_FOLDER）不是空的，未做任何恢复。")


def restore(archive: Path) -> Done:
    key = _backup_key()
    with archive.open("rb") as handle:
        header, raw_header = _read_header(handle)
        given = header.get("fingerprints", {})
        mine = fingerprints()
        if given.get("backup_key") != mine["backup_key"]:
            raise DomainError("BACKUP_KEY 与这份备份不符（密钥指纹不同），未做任何恢复。")
        for name, label in (("data_key", "DATA_KEY"), ("index_key", "INDEX_KEY")):
            if given.get(name) != mine[name]:
                raise DomainError(
                    f"本机的 {label} 不是备份时使用的密钥：恢复后的个人信息将无法读取或检索。"
                    f"请先配置备份时的 {label}，未做任何恢复。"
                )
        _check_empty()
        scratch = Path(tempfile.mkdtemp(prefix="portal-restore-"))
        try:
            tar_path = scratch / "archive.tar"
            write_private(tar_path, b"")
            with tar_path.open("wb") as out:
                _open_file(
                    handle, out, raw_header, _derive(key, "aes-256-gcm", 32), bytes.fromhex(header["nonce_prefix"])
                )
            with tarfile.open(tar_path) as tar:
                tar.extractall(scratch / "x", filter="data")
            content = scratch / "x"
            manifest = json.loads((content / MANIFEST_NAME).read_text())
            _load_database(content / manifest["database"], manifest["database"])
            upload_root = Path(current_app.config["UPLOAD_FOLDER"])
            private_dir(upload_root)
            for relative, digest in manifest["files"].items():
                source = content / "uploads" / relative
                if _sha256(source) != digest:
                    raise DomainError(f"备份中的附件 {relative} 校验不符。")
                target = upload_root / relative
                private_dir(target.parent)
                write_private(target, source.read_bytes(), exclusive=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    counts = _row_counts()
    wrong = [t for t, n in manifest["tables"].items() if counts.get(t) != n]
    if wrong:
        raise DomainError(f"恢复后的数据与备份清单不符：{', '.join(wrong)}。")
    record("system.restore", None, None, actor_name="系统", created_at=manifest["created_at"])
    db.session.commit()
    return Done(archive, len(manifest["tables"]), len(manifest["files"]), archive.stat().st_size)
