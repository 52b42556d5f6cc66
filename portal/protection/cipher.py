"""Authenticated encryption of values and files under the keyring of portal.protection.keys.

A sealed value is ``header ‖ nonce ‖ ciphertext ‖ tag``: the header is a format version byte, the suite id (1 =
SM4-GCM, 2 = AES-256-GCM) and the four-byte id of the master key, and it is authenticated as associated data
together with an optional context (e.g. the purpose of a secret). The nonce is 96 random bits, new for every value.
Reading takes the suite and key named in the header, so values written before a rotation or a change of
DATA_CIPHER still open; ``needs_resealing`` tells the rotation which ones to write again.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from portal.protection.keys import SUITES_BY_ID, Keyring, Suite

VERSION = 1
HEADER_LENGTH = 6
NONCE_LENGTH = 12
TAG_LENGTH = 16
OVERHEAD = HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH


class Unreadable(ValueError):
    """Not a value sealed under any key on the keyring (wrong key, altered bytes or not ciphertext at all)."""


def _algorithm(suite: Suite, key: bytes):
    return algorithms.SM4(key) if suite.cipher == "sm4" else algorithms.AES(key)


def seal(keyring: Keyring, plaintext: bytes, context: bytes = b"", *, purpose: str | None = None) -> bytes:
    suite, master = keyring.suite, keyring.data
    header = bytes([VERSION, suite.id]) + master.key_id
    key = master.purpose_key(suite, purpose) if purpose else master.data_key(suite)
    nonce = os.urandom(NONCE_LENGTH)
    encryptor = Cipher(_algorithm(suite, key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header + context)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return header + nonce + body + encryptor.tag


def open_sealed(keyring: Keyring, sealed: bytes, context: bytes = b"", *, purpose: str | None = None) -> bytes:
    if len(sealed) < OVERHEAD or sealed[0] != VERSION or sealed[1] not in SUITES_BY_ID:
        raise Unreadable("not a sealed value")
    suite, master = SUITES_BY_ID[sealed[1]], keyring.data_key_by_id(sealed[2:HEADER_LENGTH])
    if master is None:
        raise Unreadable("sealed under a key that is not on the keyring (DATA_KEY / DATA_KEYS_OLD)")
    key = master.purpose_key(suite, purpose) if purpose else master.data_key(suite)
    header, nonce = sealed[:HEADER_LENGTH], sealed[HEADER_LENGTH : HEADER_LENGTH + NONCE_LENGTH]
    body, tag = sealed[HEADER_LENGTH + NONCE_LENGTH : -TAG_LENGTH], sealed[-TAG_LENGTH:]
    decryptor = Cipher(_algorithm(suite, key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(header + context)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise Unreadable("the sealed value was altered or belongs to another context") from None


def needs_resealing(keyring: Keyring, sealed: bytes) -> bool:
    """True when ``sealed`` was not written under the current key and suite."""
    return sealed[:HEADER_LENGTH] != bytes([VERSION, keyring.suite.id]) + keyring.data.key_id


def is_sealed(data: bytes) -> bool:
    """Whether ``data`` starts like a sealed value (files: JPEG, PNG and PDF never start with the version byte)."""
    return len(data) >= OVERHEAD and data[0] == VERSION and data[1] in SUITES_BY_ID


def seal_text(keyring: Keyring, text: str) -> str:
    return base64.b64encode(seal(keyring, text.encode())).decode("ascii")


def open_text(keyring: Keyring, token: str) -> str:
    try:
        raw = base64.b64decode(token.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise Unreadable("not a sealed value") from None
    return open_sealed(keyring, raw).decode()


def text_needs_resealing(keyring: Keyring, token: str) -> bool:
    return needs_resealing(keyring, base64.b64decode(token.encode("ascii")))


def sealed_text_length(characters: int) -> int:
    """The longest token that ``characters`` characters of text can become (UTF-8 up to 4 bytes each, base64)."""
    return 4 * -(-(OVERHEAD + 4 * characters) // 3)
