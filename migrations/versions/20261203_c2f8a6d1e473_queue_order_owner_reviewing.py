"""Indexes for the leader's queues of 我的待办 (issue 18: performance at a million cases).

待批示 lists the open cases a leader owns, each state in 我的待办's order (``ORDER BY due_date IS NULL, due_date, id``);
read from ``ix_cases_status_queue_order`` it walked every open case of each state to find the leader's few (0.4 s at
a million cases, SQLite). 待出具复查意见 / 复核意见 of a reviewing organ walked every case under review for those its
department reviews. ``ix_cases_owner_queue_order (owner_leader_id, status, (due_date IS NULL), due_date, id)`` and
``ix_cases_reviewing_queue_order (reviewing_department_id, status, (due_date IS NULL), due_date, id)`` read just them,
in order.

Reviewed: the upgrade creates two indexes and changes no data; the downgrade drops them. No personal data is read.

Revision ID: c2f8a6d1e473
Revises: b7e1c9a4d352
Create Date: 2026-12-03 13:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c2f8a6d1e473"
down_revision = "b7e1c9a4d352"
branch_labels = None
depends_on = None

ORDER = [sa.text("(due_date IS NULL)"), "due_date", "id"]


def upgrade():
    op.create_index("ix_cases_owner_queue_order", "cases", ["owner_leader_id", "status", *ORDER])
    op.create_index("ix_cases_reviewing_queue_order", "cases", ["reviewing_department_id", "status", *ORDER])


def downgrade():
    op.drop_index("ix_cases_reviewing_queue_order", table_name="cases")
    op.drop_index("ix_cases_owner_queue_order", table_name="cases")
