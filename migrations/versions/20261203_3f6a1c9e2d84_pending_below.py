"""条例 art.19 on the case: the organ below that already accepted the same matter (cases.pending_organ,
cases.pending_since, cases.pending_due), written by the 不予受理 decision with the route “下级机关正在办理”.

Reviewed: the upgrade adds a NOT NULL VARCHAR(100) with server default '' and two nullable DATE columns; existing
cases were never refused under art.19 and stay ''/NULL; nothing else is written. The downgrade drops exactly those
three columns (a case refused under art.19 keeps its route value and the public notice that names the organ). No
personal data is touched.

Revision ID: 3f6a1c9e2d84
Revises: c41e7a9d2f60
Create Date: 2026-12-03 09:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3f6a1c9e2d84"
down_revision = "c41e7a9d2f60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_organ", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("pending_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("pending_due", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("pending_due")
        batch_op.drop_column("pending_since")
        batch_op.drop_column("pending_organ")
