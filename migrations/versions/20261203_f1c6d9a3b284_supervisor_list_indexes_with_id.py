"""The supervisor's list indexes end in the case id (issue 18: performance at a million cases).

The 督查清单 and the supervisor's 我的待办 count 不满意, 越级, 重复, 超期 and 临期 by department from
``ix_cases_unsatisfied_department``, ``ix_cases_skipped_department``, ``ix_cases_repeat_department`` and
``ix_cases_status_due_clock``. Every such count also leaves out the cases that accuse the viewer
(``cases.id NOT IN (…case_accused…)``), which needs the id: SQLite's indexes hold the rowid, so they answered alone,
but PostgreSQL's did not, and it read every row instead — a parallel scan of the cases, ~0.45 s a count and ~1 s
for the 督办 lists page at a million cases. Each index is made again with ``id`` as its last column, so PostgreSQL
answers from the index (an index-only scan once the table is vacuumed, as autovacuum keeps it).

Reviewed: drops and creates four indexes with the same names; no data is read or written. The downgrade makes them
again without the id.

Revision ID: f1c6d9a3b284
Revises: e8b4f2c7a915
Create Date: 2026-12-03 19:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f1c6d9a3b284"
down_revision = "e8b4f2c7a915"
branch_labels = None
depends_on = None

REPEATS = "repeat_of_id IS NOT NULL"
INDEXES = {
    "ix_cases_skipped_department": (["skipped_level", "department_id"], None),
    "ix_cases_unsatisfied_department": (["unsatisfied", "department_id"], None),
    "ix_cases_repeat_department": (["department_id"], REPEATS),
    "ix_cases_status_due_clock": (["status", "due_date", "clock_rule", "department_id"], None),
}


def _make(with_id: bool) -> None:
    for name, (columns, where) in INDEXES.items():
        op.drop_index(name, table_name="cases")
        partial = {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)} if where else {}
        op.create_index(name, "cases", [*columns, "id"] if with_id else columns, **partial)


def upgrade():
    _make(with_id=True)


def downgrade():
    _make(with_id=False)
