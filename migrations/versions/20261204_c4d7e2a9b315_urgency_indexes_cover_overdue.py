"""The "most urgent first" indexes carry the status and the clock (issue 18: performance at a million cases).

超期 is ``urgency = 0 AND due_date < today`` with the status and clock of ``Case.overdue`` said too. The indexes
that deliver the ledgers' order, ``ix_cases_urgency_due`` (urgency, due_date, id) and
``ix_cases_department_urgency_due`` (department_id, urgency, due_date, id), found the overdue cases as one range
but had to read each of the ~20,000 overdue rows for their status and clock:

- the 督办 lists count 超期 by department: ~85 ms of the page's ~130 ms on SQLite at a million cases (~15 ms now);
- 超期台账 page 1 on PostgreSQL: the planner, estimating ~80 overdue cases instead of 20,681 (the columns go
  together), read them all through a bitmap scan and sorted them for 30 rows (130 ms). Its page's ids now come
  from ``ix_cases_urgency_due`` alone, in order, stopping after 30 (``_page_select``, ~4 ms); ``department_id``
  is there too, so the ledgers of assigned cases find their ids the same way.

- the ledgers index counts the 不满意 ledger's overdue cases: PostgreSQL chose the overdue range of
  ``ix_cases_urgency_due`` and read ~17,000 rows for their 不满意 flag (70 ms of the page's ~125 ms); with the
  status and clock in ``ix_cases_unsatisfied_urgency_due`` that count reads only that index (the page ~45 ms).

The order the ledgers read from these indexes is unchanged: the new columns follow the id.

Reviewed: drops and creates three indexes with the same names; no data is read or written. The downgrade makes them
again without the added columns.

Revision ID: c4d7e2a9b315
Revises: b6e1f4a8c203
Create Date: 2026-12-04 19:10:00

"""

from alembic import op

revision = "c4d7e2a9b315"
down_revision = "b6e1f4a8c203"
branch_labels = None
depends_on = None

INDEXES = {  # name: (the order's columns, the columns added after them)
    "ix_cases_urgency_due": (["urgency", "due_date", "id"], ["status", "clock_rule", "department_id"]),
    "ix_cases_department_urgency_due": (["department_id", "urgency", "due_date", "id"], ["status", "clock_rule"]),
    "ix_cases_unsatisfied_urgency_due": (["unsatisfied", "urgency", "due_date", "id"], ["status", "clock_rule"]),
}


def _make(covering: bool) -> None:
    for name, (order, added) in INDEXES.items():
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", order + added if covering else order)


def upgrade():
    _make(covering=True)


def downgrade():
    _make(covering=False)
