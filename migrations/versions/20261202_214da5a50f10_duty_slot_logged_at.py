"""duty_slots.logged_at: when the first visitor was logged on the slot (or its log submitted), so that the duty area
knows a slot is settled without importing the reception area above it. Backfilled from reception_logs.created_at:
a log is opened by its first entry or by its submission, never empty otherwise.

Reviewed: nullable, no default (a slot nobody has logged yet); the backfill touches only slots that have a log.
Downgrade drops the column: the logs it was derived from stay on reception_logs.

Revision ID: 214da5a50f10
Revises: 5df56a721aee
Create Date: 2026-12-02 09:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "214da5a50f10"
down_revision = "5df56a721aee"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("duty_slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logged_at", sa.DateTime(), nullable=True))

    slots = sa.table("duty_slots", sa.column("id", sa.Integer()), sa.column("logged_at", sa.DateTime()))
    logs = sa.table("reception_logs", sa.column("slot_id", sa.Integer()), sa.column("created_at", sa.DateTime()))
    opened = sa.select(logs.c.created_at).where(logs.c.slot_id == slots.c.id).scalar_subquery()
    op.execute(
        slots.update()
        .where(sa.exists(sa.select(logs.c.slot_id).where(logs.c.slot_id == slots.c.id)))
        .values(logged_at=opened)
    )


def downgrade():
    with op.batch_alter_table("duty_slots", schema=None) as batch_op:
        batch_op.drop_column("logged_at")
