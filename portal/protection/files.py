"""Files and directories that hold personal data or keys are created owner-only (0700 directories, 0600 files),
whatever the process umask: the mode is given at creation and set again, so a permissive umask cannot widen it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """``path`` and any missing parents created 0700; an existing directory that we own is narrowed to 0700."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=DIR_MODE)
        os.chmod(directory, DIR_MODE)
    _narrow(path, DIR_MODE)
    return path


def write_private(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` created 0600 (its directory 0700); ``exclusive`` refuses an existing file."""
    path = Path(path)
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
    finally:
        os.close(fd)


def replace_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data`` (0600): a crash leaves the old file or the new one, never half."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_private(temporary, data)
    os.replace(temporary, path)


def private_sqlite_file(database_uri: str) -> None:
    """The SQLite database file created empty with 0600 before SQLite opens it (SQLite gives its journal files the
    database's mode), or narrowed to 0600 when it exists and is ours. Its directory is left alone: it may be shared."""
    if not database_uri.startswith("sqlite:///"):
        return
    name = database_uri[len("sqlite:///") :].split("?", 1)[0]
    if not name or name == ":memory:":
        return
    path = Path(name)
    if path.parent.is_dir() and not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        _narrow(candidate, FILE_MODE)


def _narrow(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` when it exists and belongs to this process's user (never someone else's file)."""
    try:
        if path.stat().st_uid == os.getuid() and (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass
