"""``flask keys rotate``: every sealed value and file moved to the current data key and suite, every blind index
recomputed under the current index key.

The columns are found in the metadata (every ``EncryptedString`` column of every table) and the indexes in the
registry ``keep_blind_index`` fills, so a new encrypted column is rotated without touching this module; areas that
keep sealed files register a function with ``register_files``. Values are read through the keyring (current key
first, then DATA_KEYS_OLD), so a rotation is run with the new key as DATA_KEY and the old one in DATA_KEYS_OLD; the
indexes are recomputed from the plaintext, so the old index key is only needed (in INDEX_KEYS_OLD) for lookups to
keep working until the rotation is done. Running it again changes nothing and reports zeros.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from portal.protection import cipher
from portal.protection.columns import INDEXED, EncryptedString, blind_index
from portal.protection.state import keyring

BATCH = 500
_FILES: dict[str, Callable[..., dict[str, int]]] = {}


def register_files(name: str, reseal: Callable[..., dict[str, int]]) -> None:
    """``reseal(keyring, dry_run=False)`` seals one area's files under the current key and returns counts by what
    it did (or, with ``dry_run``, would do)."""
    _FILES[name] = reseal


def sealed_columns(metadata: sa.MetaData) -> dict[str, list[str]]:
    """Table name → its EncryptedString columns."""
    found: dict[str, list[str]] = {}
    for table in metadata.sorted_tables:
        columns = [c.name for c in table.columns if isinstance(c.type, EncryptedString)]
        if columns:
            found[table.name] = columns
    return found


def _rows(connection, table, columns):
    """Every row's primary key and the raw (still sealed) values of ``columns``, in batches by id."""
    last = None
    while True:
        stmt = sa.select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id).limit(BATCH)
        if last is not None:
            stmt = stmt.where(table.c.id > last)
        rows = connection.execute(stmt).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def rotate(session, metadata: sa.MetaData, *, dry_run: bool = False) -> dict[str, int]:
    """Rewrite what is not under the current keys; return counts ("petitioners.phone": values resealed, …).
    Writes through ``session``'s connection; the caller commits. ``dry_run`` only counts."""
    ring = keyring()
    connection = session.connection()
    counts: dict[str, int] = {}
    indexes = {(table, source): (index, kind) for table, source, index, kind in INDEXED}
    for table_name, columns in sealed_columns(metadata).items():
        index_columns = [index for (t, _), (index, _) in indexes.items() if t == table_name]
        raw = sa.table(table_name, sa.column("id"), *(sa.column(c) for c in (*columns, *index_columns)))
        for column in (*columns, *index_columns):
            counts[f"{table_name}.{column}"] = 0
        for row in _rows(connection, raw, [*columns, *index_columns]):
            values = {}
            for column in columns:
                token = getattr(row, column)
                if token is None:
                    continue
                plaintext = None
                if cipher.text_needs_resealing(ring, token):
                    plaintext = cipher.open_text(ring, token)
                    values[column] = cipher.seal_text(ring, plaintext)
                    counts[f"{table_name}.{column}"] += 1
                if (table_name, column) in indexes:
                    index, kind = indexes[(table_name, column)]
                    if plaintext is None:
                        plaintext = cipher.open_text(ring, token)
                    digest = blind_index(kind, plaintext)
                    if getattr(row, index) != digest:
                        values[index] = digest
                        counts[f"{table_name}.{index}"] += 1
            if values and not dry_run:
                connection.execute(raw.update().where(raw.c.id == row.id).values(**values))
    for reseal in _FILES.values():
        counts.update(reseal(ring, dry_run=dry_run))
    return counts


def pending(session, metadata: sa.MetaData) -> dict[str, int]:
    """What ``rotate`` would rewrite now."""
    return rotate(session, metadata, dry_run=True)
