"""Indexes for 我的待办 (issue 18: performance at a million cases).

Every queue lists its cases with the due dates first, the nearest on top, then the undated oldest first
(``ORDER BY due_date IS NULL, due_date, id``). No index gave that order, so each queue's page sorted every case of its
states — every replied case for 待回访、销号, every open one for 超期未办结 — and the supervisor's queues that are not
about a state scanned all cases. ``ix_cases_status_queue_order (status, (due_date IS NULL), due_date, id)`` gives the
order within one state (the queue reads each of its states in order and merges them), ``ix_cases_queue_order
((due_date IS NULL), due_date, id)`` the order over all cases for a queue such as 不满意待说明, and
``ix_extension_requests_state`` finds the pending extension requests without reading them all.

Reviewed: the upgrade creates three indexes and changes no data; the downgrade drops them. No personal data is read.

Revision ID: b7e1c9a4d352
Revises: a7c3e5d1b942
Create Date: 2026-12-03 13:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7e1c9a4d352"
down_revision = "a7c3e5d1b942"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_cases_status_queue_order", "cases", ["status", sa.text("(due_date IS NULL)"), "due_date", "id"])
    op.create_index("ix_cases_queue_order", "cases", [sa.text("(due_date IS NULL)"), "due_date", "id"])
    op.create_index("ix_extension_requests_state", "extension_requests", ["state"])


def downgrade():
    op.drop_index("ix_extension_requests_state", table_name="extension_requests")
    op.drop_index("ix_cases_queue_order", table_name="cases")
    op.drop_index("ix_cases_status_queue_order", table_name="cases")
