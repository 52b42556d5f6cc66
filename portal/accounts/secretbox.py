"""Sealing small secrets (second-factor keys) before they reach the database: AES-256-GCM under a key derived with
HKDF-SHA256 from SECRET_KEY, one key per purpose. A stand-in until the key-management module of issue 11 owns the
keys; sealed values carry a version prefix so that module can re-seal them.

Changing SECRET_KEY makes sealed values unreadable: the affected people enrol their second factor again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_VERSION = "v1"


def _key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"portal:{purpose}".encode()).derive(secret)


def seal(plaintext: bytes, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, plaintext, purpose.encode())
    return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(token: str, purpose: str) -> bytes:
    """The plaintext; ValueError when the value was not sealed for ``purpose`` under this SECRET_KEY."""
    version, _, body = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown sealing version")
    raw = base64.urlsafe_b64decode(body.encode())
    try:
        return AESGCM(_key(purpose)).decrypt(raw[:12], raw[12:], purpose.encode())
    except InvalidTag:
        raise ValueError("sealed value does not open with this key") from None


def fingerprint(value: str, purpose: str) -> str:
    """A keyed hash (HMAC-SHA256) for high-entropy one-time values such as recovery codes: comparable by equality,
    useless to someone who has the database but not SECRET_KEY."""
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()
