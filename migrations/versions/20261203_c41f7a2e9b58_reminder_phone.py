"""A staff member's own mobile number for the daily sweep's reminders (users.reminder_phone).

Reviewed: the upgrade adds one nullable column sized for a sealed 20-character value (EncryptedString: the number is
personal data, encrypted at rest like petitioners' phones) and writes nothing; no one receives reminder SMS until
they enter a number on their own account page. The downgrade drops the column and the numbers with it — people
enter them again after an upgrade; nothing else reads them.

Revision ID: c41f7a2e9b58
Revises: 7b3d5e9f1a24
Create Date: 2026-12-03 09:10:00

"""

import sqlalchemy as sa
from alembic import op

from portal.protection import cipher

revision = "c41f7a2e9b58"
down_revision = "7b3d5e9f1a24"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_phone", sa.String(length=cipher.sealed_text_length(20)), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("reminder_phone")
