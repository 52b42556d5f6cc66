"""Sealing small secrets (second-factor keys) before they reach the database, with the keys and algorithms of
portal.protection: SM4-GCM (or AES-256-GCM, DATA_CIPHER) under a key derived per purpose from DATA_KEY, the
purpose authenticated with the value; ``flask keys rotate`` re-seals them (``_reseal_factors``). ``v1:`` values,
sealed before under a key derived from SECRET_KEY, are still read.

Recovery-code fingerprints stay keyed by SECRET_KEY: they are one-time values that cannot be re-keyed, and
changing SECRET_KEY already means new codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from portal.protection import cipher, keyring, rotation

_VERSION = "v2"
_LEGACY = "v1"


def _key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"portal:{purpose}".encode()).derive(secret)


def seal(plaintext: bytes, purpose: str, ring=None) -> str:
    sealed = cipher.seal(ring or keyring(), plaintext, purpose.encode(), purpose=purpose)
    return f"{_VERSION}:{base64.urlsafe_b64encode(sealed).decode()}"


def unseal(token: str, purpose: str, ring=None) -> bytes:
    """The plaintext; ValueError when the value was not sealed for ``purpose`` under a key on the keyring."""
    version, _, body = token.partition(":")
    if version == _VERSION:
        try:
            return cipher.open_sealed(
                ring or keyring(), base64.urlsafe_b64decode(body.encode()), purpose.encode(), purpose=purpose
            )
        except (cipher.Unreadable, ValueError):
            raise ValueError("sealed value does not open with this key") from None
    if version != _LEGACY:
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


def _reseal_factors(ring, *, dry_run: bool = False) -> dict[str, int]:
    """Second-factor secrets not sealed under the current data key and suite, sealed again (``flask keys rotate``)."""
    from portal.accounts import factors
    from portal.accounts.models import UserFactor
    from portal.extensions import db

    count = 0
    for factor in db.session.execute(db.select(UserFactor).order_by(UserFactor.id)).scalars():
        version, _, body = factor.secret.partition(":")
        if version == _VERSION and not cipher.needs_resealing(ring, base64.urlsafe_b64decode(body.encode())):
            continue
        purpose = factors.of(factor).purpose
        count += 1
        if not dry_run:
            factor.secret = seal(unseal(factor.secret, purpose, ring), purpose, ring)
    db.session.flush()
    return {"user_factors.secret": count}


rotation.register_files("second factors", _reseal_factors)
