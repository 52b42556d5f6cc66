"""The supervisor's lists counted by department from indexes alone (issue 18: performance at a million cases).

The 督查清单 counts 超期, 临期, 不满意, 重复 and 越级 by department, one GROUP BY per list. At half a million cases it
took 17 s: 不满意 was an EXISTS on the evaluations probed for every case, and 重复 scanned every case through the
department index to save a sort. Now each list is read from an index that holds its filter and the department:

- ``cases.unsatisfied``: the 不满意 list's filter stored on the case (either rating of its evaluation is
  unsatisfied), kept by the ORM when an evaluation is written or removed (``portal.cases.models._keep_unsatisfied``),
  with ``ix_cases_unsatisfied_department (unsatisfied, department_id)``;
- ``ix_cases_skipped_department (skipped_level, department_id)`` replaces ``ix_cases_skipped_level`` (its prefix);
- ``ix_cases_repeat_department (department_id) WHERE repeat_of_id IS NOT NULL``: the 重复 list's cases only;
- ``ix_cases_status_due_clock (status, due_date, clock_rule, department_id)``: 超期 and 临期 (open statuses, a due
  date range, a clock that is not the petitioner's window) without reading the cases.

Reviewed: the upgrade adds one NOT NULL BOOLEAN with server default false and sets it in one UPDATE from the
evaluations with the same rule as the code (acceptance or handling 'unsatisfied'); it reads no personal data (the
ratings only). The downgrade drops the new indexes and the column and recreates ``ix_cases_skipped_level``.

Revision ID: 5b7d1e9c3a42
Revises: d5b8e2a7c419
Create Date: 2026-12-03 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5b7d1e9c3a42"
down_revision = "d5b8e2a7c419"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases (SQLite adds and drops a column in place since 3.35): a batch copy of
    # the table would reflect its expression indexes, which SQLAlchemy cannot.
    op.add_column("cases", sa.Column("unsatisfied", sa.Boolean(), server_default=sa.false(), nullable=False))
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("unsatisfied", sa.Boolean))
    evaluations = sa.table(
        "evaluations",
        sa.column("case_id", sa.Integer),
        sa.column("acceptance", sa.String),
        sa.column("handling", sa.String),
    )
    unhappy = sa.select(evaluations.c.case_id).where(
        sa.or_(evaluations.c.acceptance == "unsatisfied", evaluations.c.handling == "unsatisfied")
    )
    op.execute(cases.update().where(cases.c.id.in_(unhappy)).values(unsatisfied=True))
    op.drop_index("ix_cases_skipped_level", table_name="cases")
    op.create_index("ix_cases_skipped_department", "cases", ["skipped_level", "department_id"])
    op.create_index("ix_cases_unsatisfied_department", "cases", ["unsatisfied", "department_id"])
    op.create_index(
        "ix_cases_repeat_department",
        "cases",
        ["department_id"],
        sqlite_where=sa.text("repeat_of_id IS NOT NULL"),
        postgresql_where=sa.text("repeat_of_id IS NOT NULL"),
    )
    op.create_index("ix_cases_status_due_clock", "cases", ["status", "due_date", "clock_rule", "department_id"])


def downgrade():
    op.drop_index("ix_cases_status_due_clock", table_name="cases")
    op.drop_index("ix_cases_repeat_department", table_name="cases")
    op.drop_index("ix_cases_unsatisfied_department", table_name="cases")
    op.drop_index("ix_cases_skipped_department", table_name="cases")
    op.create_index("ix_cases_skipped_level", "cases", ["skipped_level"])
    op.execute("ALTER TABLE cases DROP COLUMN unsatisfied")
