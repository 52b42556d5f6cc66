"""越级信访 recorded on the case (cases.skipped_level, cases.proper_level).

Reviewed: the upgrade adds a NOT NULL boolean with server default false and a NOT NULL VARCHAR(100) with server
default '' — existing cases were not recorded as 越级 and stay false/'' — and writes nothing else; the statistics count
the flag from now on. The downgrade drops exactly those two columns; no personal data is touched.

Revision ID: 7b3d5e9f1a24
Revises: e4a9c2b7d15f
Create Date: 2026-12-02 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7b3d5e9f1a24"
down_revision = "e4a9c2b7d15f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skipped_level", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("proper_level", sa.String(length=100), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("proper_level")
        batch_op.drop_column("skipped_level")
