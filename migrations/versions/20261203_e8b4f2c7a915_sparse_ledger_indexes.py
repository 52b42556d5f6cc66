"""Indexes for the sparse ledgers' overdue counts (issue 18: performance at a million cases).

The ledgers index (/staff/ledgers/) counts each ledger and its overdue part, each up to 1,001 matches. For the
ledgers few cases belong to — 督办, 越级, 不满意, 重信重访, 包案 — the overdue part walked every overdue case (urgency 0,
due before today: ~2 % of the cases, 20,689 at a million) and read each row to test the ledger's condition, or, for
重信重访, every repeat through its received-date index: 100–800 ms a count on SQLite, 1.5–2 s for the page. Each now
has an index that begins with the ledger's condition and goes on in the ledgers' default order (urgency, due date,
id), so its overdue part is one range of it, and its pages are read in order from it:

- ``ix_cases_supervised_urgency_due (supervised, urgency, due_date, id)`` — replaces ``ix_cases_supervised
  (supervised)``, a prefix of it;
- ``ix_cases_skipped_urgency_due (skipped_level, urgency, due_date, id)``;
- ``ix_cases_unsatisfied_urgency_due (unsatisfied, urgency, due_date, id)``;
- ``ix_cases_repeat_urgency_due (urgency, due_date, id) WHERE repeat_of_id IS NOT NULL`` (5 % of the cases);
- ``ix_cases_owned_urgency_due (urgency, due_date, id) WHERE owner_leader_id IS NOT NULL`` (15 %).

Reviewed: creates five indexes and drops one that the first of them covers; no data is read or written. The
downgrade drops the five and creates ``ix_cases_supervised`` again.

Revision ID: e8b4f2c7a915
Revises: a7e3c9d14b52
Create Date: 2026-12-03 18:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e8b4f2c7a915"
down_revision = "a7e3c9d14b52"
branch_labels = None
depends_on = None

ORDER = ["urgency", "due_date", "id"]
PARTIAL = {
    "ix_cases_repeat_urgency_due": "repeat_of_id IS NOT NULL",
    "ix_cases_owned_urgency_due": "owner_leader_id IS NOT NULL",
}


def upgrade():
    op.create_index("ix_cases_supervised_urgency_due", "cases", ["supervised", *ORDER])
    op.drop_index("ix_cases_supervised", table_name="cases")
    op.create_index("ix_cases_skipped_urgency_due", "cases", ["skipped_level", *ORDER])
    op.create_index("ix_cases_unsatisfied_urgency_due", "cases", ["unsatisfied", *ORDER])
    for name, where in PARTIAL.items():
        op.create_index(name, "cases", ORDER, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade():
    for name in PARTIAL:
        op.drop_index(name, table_name="cases")
    op.drop_index("ix_cases_unsatisfied_urgency_due", table_name="cases")
    op.drop_index("ix_cases_skipped_urgency_due", table_name="cases")
    op.create_index("ix_cases_supervised", "cases", ["supervised"])
    op.drop_index("ix_cases_supervised_urgency_due", table_name="cases")
