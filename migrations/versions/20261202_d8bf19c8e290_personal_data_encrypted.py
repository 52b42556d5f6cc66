"""Personal data encrypted at rest (issue 11): phones, ID numbers and addresses, and the SMS outbox.

Columns sealed with the data key (portal.protection: SM4-GCM by default, AES-256-GCM with DATA_CIPHER=aes), stored
as base64 in wider columns: petitioners.phone / id_number / address, reception_entries.phone / id_number / address,
sms_messages.phone / text. New columns petitioners.phone_index and petitioners.id_number_index hold the blind index
(HMAC-SM3 or HMAC-SHA256 under INDEX_KEY of the normalised value) that exact-match search and repeat detection
compare; the plain indexes ix_petitioners_phone and ix_petitioners_id_number go (an index over ciphertext serves
nothing).

Reviewed: the upgrade widens the columns, then rewrites every existing row — each non-null value sealed under the
current DATA_KEY with a fresh nonce, the two index columns filled from the same plaintext — and then adds the index
columns' indexes. Names and case text are left in clear. It needs the keys of the app it runs in (``flask db upgrade``
reads them like the app does): run it with the DATA_KEY / INDEX_KEY the app will use, or the app cannot read the
rows. The downgrade opens every sealed value (under DATA_KEY or DATA_KEYS_OLD) and writes the plaintext back, then
narrows the columns to their old sizes, drops the index columns and re-creates the plain indexes. Uploaded files are
not touched here: ``flask keys rotate`` seals files written before this revision, and reading accepts them until then.

Revision ID: d8bf19c8e290
Revises: b5e2c8d41a37
Create Date: 2026-12-02 14:40:00

"""

import sqlalchemy as sa
from alembic import op

from portal.protection import cipher, keyring
from portal.protection.columns import INDEX_LENGTH, blind_index

revision = "d8bf19c8e290"
down_revision = "b5e2c8d41a37"
branch_labels = None
depends_on = None

# table → {column: (plaintext length, nullable)}; None as the length is TEXT.
SEALED = {
    "petitioners": {"phone": (20, True), "id_number": (18, True), "address": (200, False)},
    "reception_entries": {"phone": (20, True), "id_number": (18, True), "address": (200, False)},
    "sms_messages": {"phone": (20, False), "text": (None, False)},
}
INDEXED = {"phone_index": ("phone", "phone"), "id_number_index": ("id_number", "id_number")}  # column → (source, kind)
BATCH = 500


def _type(length, sealed):
    if length is None:
        return sa.Text()
    return sa.String(length=cipher.sealed_text_length(length) if sealed else length)


def _alter(table, sealed):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column, (length, nullable) in SEALED[table].items():
            if length is not None:
                batch_op.alter_column(
                    column,
                    existing_type=_type(length, not sealed),
                    type_=_type(length, sealed),
                    existing_nullable=nullable,
                )


def _rewrite(table, change, extra=()):
    """Rewrite every row of ``table``: ``change(column, value)`` for each sealed column; ``extra`` columns get
    ``change`` of their source (the blind indexes)."""
    bind = op.get_bind()
    columns = list(SEALED[table])
    rows_table = sa.table(table, sa.column("id"), *(sa.column(c) for c in (*columns, *extra)))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(rows_table.c.id, *(rows_table.c[c] for c in columns))
            .where(rows_table.c.id > last)
            .order_by(rows_table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            values = {c: change(c, getattr(row, c)) for c in columns}
            for index_column in extra:
                source, kind = INDEXED[index_column]
                values[index_column] = blind_index(kind, getattr(row, source))
            bind.execute(rows_table.update().where(rows_table.c.id == row.id).values(**values))
        last = rows[-1].id


def _seal(_column, value):
    return None if value is None else cipher.seal_text(keyring(), value)


def _open(_column, value):
    return None if value is None else cipher.open_text(keyring(), value)


def upgrade():
    for table in SEALED:
        _alter(table, sealed=True)
    with op.batch_alter_table("petitioners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petitioners_phone"))
        batch_op.drop_index(batch_op.f("ix_petitioners_id_number"))
        for column in INDEXED:
            batch_op.add_column(sa.Column(column, sa.String(length=INDEX_LENGTH), nullable=True))

    _rewrite("petitioners", _seal, extra=tuple(INDEXED))
    _rewrite("reception_entries", _seal)
    _rewrite("sms_messages", _seal)

    with op.batch_alter_table("petitioners", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_petitioners_{column}"), [column], unique=False)


def downgrade():
    for table in SEALED:
        _rewrite(table, _open)
    with op.batch_alter_table("petitioners", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.drop_index(batch_op.f(f"ix_petitioners_{column}"))
            batch_op.drop_column(column)
    for table in SEALED:
        _alter(table, sealed=False)
    with op.batch_alter_table("petitioners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_petitioners_id_number"), ["id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitioners_phone"), ["phone"], unique=False)
