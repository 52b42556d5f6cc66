"""The evaluation window's last day stored on the case (cases.evaluation_due).

The date is set when a reply or opinion is delivered, as the petitioner is told it; a calendar recompute keeps the
later of the stored and the recomputed date, so a correction never shortens a window already told.

Reviewed: the upgrade adds one nullable DATE column and writes nothing; existing rows keep NULL, which means the
window is computed from the delivery date as before, and the next 'flask calendar recompute' (or a calendar change
on /staff/calendar) stores the date for every delivered case, audited as case.clock_recomputed. The downgrade drops
exactly that column; no personal data is touched.

Revision ID: e4a9c2b7d15f
Revises: 6c2f8a4d1e93
Create Date: 2026-12-02 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e4a9c2b7d15f"
down_revision = "6c2f8a4d1e93"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evaluation_due", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("evaluation_due")
