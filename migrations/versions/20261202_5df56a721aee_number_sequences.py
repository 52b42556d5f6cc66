"""Number sequences: one gap-free counter per scope and year (portal.numbering), first used for the JF reception
numbers; seeded with the highest JF number already issued in each year, so the next entry continues from it.

Reviewed: the primary key (scope, year) is the unique key the allocator's INSERT … ON CONFLICT DO NOTHING names;
numbers that do not read JF<year>-<digits> are left out of the seed (none are written by the portal). Downgrade
drops the table: the issued numbers stay on reception_entries, where the previous code read the highest one.

Revision ID: 5df56a721aee
Revises: 75350afd0c1e
Create Date: 2026-12-02 09:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5df56a721aee"
down_revision = "75350afd0c1e"
branch_labels = None
depends_on = None

_JF = re.compile(r"JF(\d{4})-(\d+)")


def upgrade():
    sequences = op.create_table(
        "number_sequences",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "year", name=op.f("pk_number_sequences")),
    )
    highest: dict[int, int] = {}
    for (number,) in op.get_bind().execute(sa.text("SELECT number FROM reception_entries")):
        match = _JF.fullmatch(number or "")
        if match:
            year, value = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), value)
    if highest:
        op.bulk_insert(
            sequences, [{"scope": "reception", "year": year, "last": last} for year, last in sorted(highest.items())]
        )


def downgrade():
    op.drop_table("number_sequences")
