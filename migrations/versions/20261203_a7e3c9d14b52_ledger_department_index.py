"""An index for a ledger filtered by 责任单位 in its default order (issue 18: performance at a million cases).

``ix_cases_department_urgency_due (department_id, urgency, due_date, id)``: a ledger page filtered by department
("?department=…", and with "只看超期", which implies urgency 0 and a due date before today) reads its rows and its
capped count as one range of this index, in the ledgers' default order (most urgent first). Without it the count
walked every overdue case of every department, or every case of the department, to find its few.

Reviewed: creates one index; no data is read or written. The downgrade drops it; nothing else depends on it.

Revision ID: a7e3c9d14b52
Revises: 5b7d1e9c3a42
Create Date: 2026-12-03 13:10:00

"""

from alembic import op

revision = "a7e3c9d14b52"
down_revision = "5b7d1e9c3a42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_cases_department_urgency_due", "cases", ["department_id", "urgency", "due_date", "id"])


def downgrade():
    op.drop_index("ix_cases_department_urgency_due", table_name="cases")
