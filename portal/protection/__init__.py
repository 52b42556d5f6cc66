"""Personal data at rest (issue 11): ID numbers, phones and addresses encrypted with SM4-GCM (or AES-256-GCM),
exact-match lookups by a keyed blind index (HMAC-SM3 or HMAC-SHA256), uploaded files sealed under the same data key,
and the files that hold data or keys created owner-only. ``columns`` says how models use it; ``keys`` where the keys
come from; ``rotation`` how ``flask keys rotate`` moves everything to the current keys."""

from __future__ import annotations

from flask import Flask

from portal.protection.cipher import Unreadable
from portal.protection.columns import EncryptedString, blind_index, blind_index_column, keep_blind_index, matches
from portal.protection.state import keyring

__all__ = [
    "EncryptedString",
    "Unreadable",
    "blind_index",
    "blind_index_column",
    "init_app",
    "keep_blind_index",
    "keyring",
    "matches",
]


def init_app(app: Flask) -> None:
    """Check the key settings at start (a bad key fails the start, not the first request) and keep ``var/``, the
    SQLite database file and the upload folder owner-only."""
    from portal.config import ROOT
    from portal.protection.files import private_dir, private_sqlite_file

    private_dir(ROOT / "var")
    keyring(app)
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    private_dir(app.config["UPLOAD_FOLDER"])
