"""Encrypted columns and blind indexes for the models.

How to use them::

    from portal.protection import EncryptedString, blind_index_column, keep_blind_index

    class Petitioner(db.Model):
        phone: Mapped[str | None] = mapped_column(EncryptedString(20))       # at most 20 characters of plaintext
        phone_index: Mapped[str | None] = blind_index_column()                # HMAC of the normalised phone
        address: Mapped[str] = mapped_column(EncryptedString(200), default="")

    keep_blind_index(Petitioner.phone, "phone_index", "phone")             # after the class: set on every write

Attribute access stays transparent (``petitioner.phone`` is the plaintext); the database holds base64 of a sealed
value, different on every write. So a query never compares the encrypted column (that raises TypeError); it
compares the index::

    db.select(Petitioner).where(matches(Petitioner.phone_index, "phone", typed_phone))

``blind_index(kind, value)`` is the digest itself (None for an empty value), for code that fills an index column by
hand (migrations, bulk updates). Kinds: ``phone`` (portal.validation.normalise_phone, then its digits: a landline
typed with or without the hyphen after its area code is the same number) and ``id_number``
(portal.validation.normalise_id_number). Names and case text stay in clear: they are searched by prefix and words.
"""

from __future__ import annotations

import operator

from sqlalchemy import String, Text, event, inspect
from sqlalchemy.orm import mapped_column
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from portal.protection import cipher
from portal.protection.state import keyring
from portal.validation import normalise_id_number, normalise_phone

INDEX_LENGTH = 64  # hex of a 256-bit HMAC (SM3 or SHA-256)
# (table, source column, index column, kind) for every blind index kept by keep_blind_index: what rotation recomputes.
INDEXED: list[tuple[str, str, str, str]] = []


def _canonical_phone(value: str) -> str | None:
    phone = normalise_phone(value)
    return phone.replace("-", "") if phone else None


CANONICAL = {"phone": _canonical_phone, "id_number": normalise_id_number}

# What a comparison with ciphertext would silently get wrong: every value is sealed under a fresh nonce.
_REFUSED = {
    operator.eq,
    operator.ne,
    operator.lt,
    operator.le,
    operator.gt,
    operator.ge,
    operators.in_op,
    operators.not_in_op,
    operators.like_op,
    operators.ilike_op,
    operators.not_like_op,
    operators.not_ilike_op,
    operators.startswith_op,
    operators.endswith_op,
    operators.contains_op,
    operators.between_op,
}


class EncryptedString(TypeDecorator):
    """Text sealed with the data key (portal.protection.cipher), stored as base64 in a VARCHAR sized for
    ``length`` characters of plaintext, or in TEXT when ``length`` is None."""

    impl = String
    cache_ok = True

    def __init__(self, length: int | None = None):
        self.plain_length = length
        super().__init__(cipher.sealed_text_length(length) if length else None)
        if not length:
            self.impl = Text()

    class comparator_factory(String.Comparator):  # the name SQLAlchemy looks for
        def operate(self, op, *other, **kwargs):
            if op in _REFUSED and not (op in (operator.eq, operator.ne) and other and other[0] is None):
                raise TypeError("an encrypted column cannot be compared: compare its blind index (matches())")
            return super().operate(op, *other, **kwargs)

    def process_bind_param(self, value, dialect):
        return None if value is None else cipher.seal_text(keyring(), str(value))

    def process_result_value(self, value, dialect):
        return None if value is None else cipher.open_text(keyring(), value)

    def __repr__(self) -> str:
        return f"EncryptedString({self.plain_length})"


def canonical(kind: str, value: str | None) -> str | None:
    return CANONICAL[kind](value) if value else None


def blind_index(kind: str, value: str | None) -> str | None:
    """The keyed digest (HMAC-SM3, or HMAC-SHA256 with DATA_CIPHER=aes, under INDEX_KEY) of the normalised value."""
    value = canonical(kind, value)
    return None if value is None else keyring().current_digest(kind, value)


def matches(index_column, kind: str, value: str | None):
    """SQL: ``index_column`` holds the digest of ``value`` under the current or an old index key (so lookups keep
    working while ``flask keys rotate`` runs); false for an empty value."""
    value = canonical(kind, value)
    if value is None:
        return index_column.is_(None) & index_column.is_not(None)
    return index_column.in_(keyring().index_digests(kind, value))


def blind_index_column(**kwargs):
    """A mapped column for a blind index: nullable, indexed, 64 hex characters."""
    return mapped_column(String(INDEX_LENGTH), index=True, **kwargs)


def keep_blind_index(attribute, index_name: str, kind: str) -> None:
    """Keep ``index_name`` equal to the blind index of ``attribute`` whenever the row is inserted or ``attribute``
    changed (computed at flush, so objects can be built outside an app context)."""
    cls, name = attribute.class_, attribute.key
    INDEXED.append((cls.__table__.name, attribute.property.columns[0].name, index_name, kind))

    def _insert(_mapper, _connection, target):
        setattr(target, index_name, blind_index(kind, getattr(target, name)))

    def _update(_mapper, _connection, target):
        if inspect(target).attrs[name].history.has_changes():
            setattr(target, index_name, blind_index(kind, getattr(target, name)))

    event.listen(cls, "before_insert", _insert, propagate=True)
    event.listen(cls, "before_update", _update, propagate=True)
