"""The key of the "most urgent first" order stored on the case (cases.urgency) with an index for it, and an index
for the ledgers' checklist progress (issue 18: performance at a million cases).

Ledgers, the case list and 我的待办 sort running staff deadlines first. As a CASE expression over the status and the
clock rule no index could serve that order, so every first page sorted every visible case (2.9 s at a million).
``urgency`` is 0 while ``due_date`` is the running staff deadline of an open case and 1 otherwise; the ORM keeps it
on every insert and update of a case (``portal.cases.models._keep_urgency``), and the index
``ix_cases_urgency_due (urgency, due_date, id)`` delivers the order, so a page reads only its own rows.
``ix_checklist_items_case_required (case_id, required, done_at)`` lets the page's progress be counted from the index.

Reviewed: the upgrade adds one NOT NULL SMALLINT with server default 1, computes it for the existing cases in one
UPDATE with the same rule as the code (status open, a due date, a clock that is not a petitioner's window — the
windows are the rules marked ``petitioner_window`` in portal.deadlines.clock), and creates the two indexes. No
personal data is read or written. The downgrade drops the indexes and the column; nothing else reads them.

Revision ID: f3a8d2c61b07
Revises: 8d2b7e4f5a61
Create Date: 2026-12-03 09:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f3a8d2c61b07"
down_revision = "8d2b7e4f5a61"
branch_labels = None
depends_on = None

# Frozen here as they are today (a migration must not change meaning when the code moves on).
OPEN = (
    "registered",
    "accepted",
    "assigned",
    "in_progress",
    "awaiting_signature",
    "awaiting_verification",
    "replied",
    "under_review",
    "under_rereview",
)
WINDOWS = ("evaluate", "rereview_request", "review_request")


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency", sa.SmallInteger(), server_default="1", nullable=False))
    cases = sa.table(
        "cases",
        sa.column("urgency", sa.SmallInteger),
        sa.column("status", sa.String),
        sa.column("due_date", sa.Date),
        sa.column("clock_rule", sa.String),
    )
    op.execute(
        cases.update()
        .where(
            cases.c.status.in_(OPEN),
            cases.c.due_date.is_not(None),
            sa.or_(cases.c.clock_rule.is_(None), cases.c.clock_rule.not_in(WINDOWS)),
        )
        .values(urgency=0)
    )
    op.create_index("ix_cases_urgency_due", "cases", ["urgency", "due_date", "id"])
    op.create_index("ix_checklist_items_case_required", "checklist_items", ["case_id", "required", "done_at"])


def downgrade():
    op.drop_index("ix_checklist_items_case_required", table_name="checklist_items")
    op.drop_index("ix_cases_urgency_due", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("urgency")
