"""Tracking codes (public) and query codes (secret, shown once, stored hashed)."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a petitioner reads the code off paper and types it on a phone.
QUERY_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
QUERY_CODE_LENGTH = 10


def new_tracking_code(day: dt.date) -> str:
    """``XF20261122-7K3Q9M``: the date of registration and six Crockford base32 characters."""
    return f"XF{day:%Y%m%d}-" + "".join(secrets.choice(CROCKFORD) for _ in range(6))


def normalise_tracking_code(text: str) -> str:
    """Accept what people type: lower case, spaces, and the letters Crockford reads as digits."""
    text = "".join(text.split()).upper()
    head, sep, tail = text.partition("-")
    tail = tail.replace("O", "0").replace("I", "1").replace("L", "1")
    return head + sep + tail


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def hash_query_code(code: str) -> str:
    return generate_password_hash(code.upper(), method=current_app.config["QUERY_CODE_HASH_METHOD"])


def check_query_code(code_hash: str, code: str) -> bool:
    return check_password_hash(code_hash, "".join(code.split()).upper())
