"""The keys that protect personal data at rest, and the algorithms they are used with.

Two master keys, kept apart: DATA_KEY encrypts values and files, INDEX_KEY keys the blind indexes used for
exact-match lookups. Each comes from the environment (64 hex digits, or base64 of at least 16 bytes); when it is
empty a local install generates one once into ``var/data_key`` / ``var/index_key`` (mode 0600). Those files, like the
environment that holds the keys, must never be put in a backup next to the database: whoever has both reads
everything. DATA_KEYS_OLD / INDEX_KEYS_OLD (comma-separated) keep earlier keys readable until ``flask keys rotate``
has moved every value to the current ones.

Working keys are derived from a master key with HKDF (RFC 5869) per algorithm and purpose, so one master key never
serves two algorithms or two purposes. DATA_CIPHER picks the suite: ``sm4`` (SM4-GCM and HMAC-SM3, GB/T 39786's
national algorithms; the default) or ``aes`` (AES-256-GCM and HMAC-SHA256).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import secrets
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from portal.protection.files import write_private

MIN_KEY_BYTES = 16
_HEX = re.compile(r"^[0-9a-fA-F]+$")


class KeySettingError(ValueError):
    """A key setting that cannot be used: the message names the setting and what is wrong, never the key."""


@dataclass(frozen=True)
class Suite:
    """One algorithm suite: its id byte in ciphertext headers, the data cipher and the hash for HMAC and HKDF."""

    id: int
    name: str
    cipher: str  # "sm4" | "aes"
    key_length: int

    def hash(self) -> hashes.HashAlgorithm:
        return hashes.SM3() if self.cipher == "sm4" else hashes.SHA256()


SM4_GCM = Suite(1, "SM4-GCM / HMAC-SM3", "sm4", 16)
AES_GCM = Suite(2, "AES-256-GCM / HMAC-SHA256", "aes", 32)
SUITES = {"sm4": SM4_GCM, "aes": AES_GCM}
SUITES_BY_ID = {s.id: s for s in SUITES.values()}


def parse_key(text: str, setting: str) -> bytes:
    """Key bytes from hex (an even number of hex digits, 32 or more) or base64; refused when shorter than 16 bytes."""
    text = text.strip()
    if _HEX.match(text) and len(text) % 2 == 0 and len(text) >= 2 * MIN_KEY_BYTES:
        raw = bytes.fromhex(text)
    else:
        try:
            altchars = b"-_" if "-" in text or "_" in text else None
            raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=altchars)
        except (binascii.Error, ValueError):
            raise KeySettingError(f"{setting} is neither hex nor base64") from None
    if len(raw) < MIN_KEY_BYTES:
        raise KeySettingError(f"{setting} must hold at least {MIN_KEY_BYTES} bytes (32 hex digits)")
    return raw


def generated_key(path: Path) -> str:
    """The key kept in ``path``, generated (32 random bytes as hex, mode 0600) the first time it is asked for."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process wrote it first: use theirs
            write_private(path, secrets.token_hex(32).encode(), exclusive=True)
    return path.read_text().strip()


@lru_cache(maxsize=256)
def _derive(master: bytes, suite: Suite, info: str, length: int) -> bytes:
    # Cached: every value sealed or opened asks for its working key, and HKDF gives the same answer each time.
    return HKDF(algorithm=suite.hash(), length=length, salt=None, info=f"portal/{info}".encode()).derive(master)


@dataclass(frozen=True)
class MasterKey:
    raw: bytes = field(repr=False)

    @cached_property
    def key_id(self) -> bytes:
        """Four bytes naming the key in every ciphertext header (a derived value: it says nothing about the key)."""
        return _derive(self.raw, SM4_GCM, "key-id", 4)

    def data_key(self, suite: Suite) -> bytes:
        return _derive(self.raw, suite, f"data/{suite.cipher}", suite.key_length)

    def purpose_key(self, suite: Suite, purpose: str) -> bytes:
        return _derive(self.raw, suite, f"purpose/{suite.cipher}/{purpose}", suite.key_length)

    def index_key(self, suite: Suite, kind: str) -> bytes:
        return _derive(self.raw, suite, f"index/{suite.cipher}/{kind}", 32)


@dataclass(frozen=True)
class Keyring:
    """The current data and index keys, the older ones still accepted for reading, and the suite new values use."""

    suite: Suite
    data: MasterKey
    index: MasterKey
    old_data: tuple[MasterKey, ...] = ()
    old_index: tuple[MasterKey, ...] = ()

    def data_key_by_id(self, key_id: bytes) -> MasterKey | None:
        return next((k for k in (self.data, *self.old_data) if k.key_id == key_id), None)

    def index_digests(self, kind: str, canonical: str) -> list[str]:
        """The digest under the current index key first, then under each old one (lookups during a rotation)."""
        # Every key under every suite: a change of DATA_CIPHER also changes the index HMAC until the rotation.
        suites = (self.suite, *(s for s in SUITES.values() if s is not self.suite))
        return [hmac_hex(key.index_key(s, kind), s, canonical) for key in (self.index, *self.old_index) for s in suites]

    def current_digest(self, kind: str, canonical: str) -> str:
        return hmac_hex(self.index.index_key(self.suite, kind), self.suite, canonical)


def hmac_hex(key: bytes, suite: Suite, message: str) -> str:
    mac = hmac.HMAC(key, suite.hash())
    mac.update(message.encode())
    return mac.finalize().hex()


def _many(text: str, setting: str) -> tuple[MasterKey, ...]:
    return tuple(MasterKey(parse_key(part, setting)) for part in re.split(r"[\s,]+", text or "") if part)


def keyring_from(config, var: Path) -> Keyring:
    """The keyring the settings describe; a key setting left empty is generated once into ``var``."""
    cipher = (config.get("DATA_CIPHER") or "sm4").strip().lower()
    if cipher not in SUITES:
        raise KeySettingError("DATA_CIPHER must be sm4 or aes")
    data_text = config.get("DATA_KEY") or generated_key(var / "data_key")
    index_text = config.get("INDEX_KEY") or generated_key(var / "index_key")
    data, index = MasterKey(parse_key(data_text, "DATA_KEY")), MasterKey(parse_key(index_text, "INDEX_KEY"))
    if data.raw == index.raw:
        raise KeySettingError("DATA_KEY and INDEX_KEY must be different keys")
    return Keyring(
        suite=SUITES[cipher],
        data=data,
        index=index,
        old_data=_many(config.get("DATA_KEYS_OLD", ""), "DATA_KEYS_OLD"),
        old_index=_many(config.get("INDEX_KEYS_OLD", ""), "INDEX_KEYS_OLD"),
    )


def new_key_hex() -> str:
    return os.urandom(32).hex()
