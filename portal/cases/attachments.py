"""Petition attachments: what may be uploaded (JPEG, PNG, PDF, judged by content, not by the name), and where the
bytes are kept (UPLOAD_FOLDER, outside static/, under random names, sealed with the data key of portal.protection
in files and a folder only the app's user can read)."""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.cases.models import Attachment, Case
from portal.errors import DomainError
from portal.extensions import db
from portal.protection import cipher, keyring, rotation
from portal.protection.files import private_dir, replace_private, write_private

# content type → (magic bytes at the start of the file, extensions a person may give it, stored extension)
KINDS = {
    "image/jpeg": (b"\xff\xd8\xff", {"jpg", "jpeg"}, "jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", {"png"}, "png"),
    "application/pdf": (b"%PDF-", {"pdf"}, "pdf"),
}
ACCEPT = ".jpg,.jpeg,.png,.pdf"  # for <input type=file accept=…>: a hint to the browser, not a check
log = logging.getLogger("portal.attachments")


@dataclass(frozen=True)
class Upload:
    """A checked file, still in memory, waiting for its case."""

    name: str
    content_type: str
    data: bytes

    @property
    def extension(self) -> str:
        return KINDS[self.content_type][2]


def check_uploads(files: list[tuple[str, bytes]]) -> list[Upload]:
    """Check ``(filename, bytes)`` pairs; return them as uploads or raise one message naming every bad file."""
    files = [(name, data) for name, data in files if name or data]  # an empty file input sends an empty part
    limit, max_bytes = current_app.config["MAX_ATTACHMENTS"], current_app.config["MAX_ATTACHMENT_BYTES"]
    if len(files) > limit:
        raise DomainError(f"最多上传{limit}个附件，您选择了{len(files)}个。")
    problems, uploads = [], []
    for name, data in files:
        name = _display_name(name)
        content_type = _sniff(data)
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if not data:
            problems.append(f"“{name}”是空文件")
        elif len(data) > max_bytes:
            problems.append(f"“{name}”超过{max_bytes // (1024 * 1024)}MB")
        elif content_type is None or extension not in KINDS[content_type][1]:
            problems.append(f"“{name}”不是有效的 JPG、PNG 或 PDF 文件")
        else:
            uploads.append(Upload(name, content_type, data))
    if problems:
        raise DomainError("附件不符合要求：" + "；".join(problems) + "。未保存任何内容，请重新选择附件后提交。")
    return uploads


def _sniff(data: bytes) -> str | None:
    return next((kind for kind, (magic, _, _) in KINDS.items() if data.startswith(magic)), None)


def _display_name(name: str) -> str:
    # Keep the name for staff to read; strip any path a browser or a client may send, and control characters.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "附件"


# Files written in a transaction that has not committed yet: removed again if it rolls back, so a failed
# registration leaves no file behind that no row points to.
_WRITTEN = "attachments.written"


def store(case: Case, uploads: list[Upload], uploaded_by_id: int | None) -> list[Attachment]:
    """Write the files to disk under random names and record them on ``case`` (flush, no commit)."""
    rows = []
    for upload in uploads:
        stored_name = write_sealed(upload)
        row = Attachment(
            case=case,
            original_name=upload.name,
            stored_name=stored_name,
            content_type=upload.content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            uploaded_by_id=uploaded_by_id,
        )
        db.session.add(row)
        rows.append(row)
    return rows


def write_sealed(upload: Upload) -> str:
    """Write one checked upload, sealed, under a new random name in UPLOAD_FOLDER and return the name; the file goes
    again if the transaction rolls back. Other areas keep their scans (a signed 承诺书) this way too."""
    stored_name = f"{secrets.token_hex(16)}.{upload.extension}"
    path = upload_folder() / stored_name
    write_private(path, _seal(upload.data, stored_name), exclusive=True)
    db.session.info.setdefault(_WRITTEN, []).append(path)
    return stored_name


@event.listens_for(Session, "after_commit")
def _keep_written_files(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_rollback")
def _remove_written_files(session: Session) -> None:
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def upload_folder() -> Path:
    return private_dir(Path(current_app.config["UPLOAD_FOLDER"]))


def path_of(attachment: Attachment) -> Path:
    return upload_folder() / attachment.stored_name


def _context(stored_name: str) -> bytes:
    # Bound to its name: a sealed file moved over another attachment's file does not open.
    return f"attachment:{stored_name}".encode()


def _seal(data: bytes, stored_name: str) -> bytes:
    return cipher.seal(keyring(), data, _context(stored_name))


def _is_legacy(data: bytes) -> bool:
    """A file written before files were sealed: it starts with the magic bytes of a kind we accept (none of which
    starts like a sealed file). ``flask keys rotate`` seals these."""
    return not cipher.is_sealed(data) and _sniff(data) is not None


def read(attachment: Attachment) -> bytes:
    """The file's bytes as uploaded; NotFound when the file is missing or does not open under the keyring."""
    return read_sealed(attachment.stored_name)


def read_sealed(stored_name: str) -> bytes:
    """The bytes of a file written by ``write_sealed``; NotFound when it is missing or does not open."""
    try:
        data = (upload_folder() / stored_name).read_bytes()
    except FileNotFoundError:
        raise NotFound("附件文件不存在。") from None
    if _is_legacy(data):
        return data
    try:
        return cipher.open_sealed(keyring(), data, _context(stored_name))
    except cipher.Unreadable as error:
        log.error("sealed file %s does not open: %s", stored_name, error)
        raise NotFound("附件文件无法读取。") from None


def open_file(attachment: Attachment) -> io.BytesIO:
    """The file, opened, for ``send_file``."""
    return io.BytesIO(read(attachment))


def _reseal_files(ring, *, dry_run: bool = False) -> dict[str, int]:
    """Seal every attachment file that is in clear or not under the current key and suite (``flask keys rotate``)."""
    names = db.session.execute(db.select(Attachment.stored_name).order_by(Attachment.id)).scalars()
    return reseal_stored(names, ring, dry_run=dry_run)


def reseal_stored(stored_names, ring, *, dry_run: bool = False) -> dict[str, int]:
    """Seal each named file that is in clear or not under the current key and suite; the counts for the report."""
    counts = {"files resealed": 0, "files sealed (were in clear)": 0, "files missing": 0}
    for stored_name in stored_names:
        path = upload_folder() / stored_name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            counts["files missing"] += 1
            continue
        context = _context(stored_name)
        if _is_legacy(data):
            counts["files sealed (were in clear)"] += 1
        elif cipher.needs_resealing(ring, data):
            data = cipher.open_sealed(ring, data, context)
            counts["files resealed"] += 1
        else:
            continue
        if not dry_run:
            replace_private(path, cipher.seal(ring, data, context))
    return counts


rotation.register_files("attachments", _reseal_files)
