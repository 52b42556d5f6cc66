"""The department index of the ledgers carries the status and the clock (issue 18: performance at a million cases).

超期 counted by department (the 督办 lists, ``lists_by_department``) is ``urgency = 0 AND due_date < today`` with
the status and clock of ``Case.overdue`` said too. SQLite answers it from ``ix_cases_department_urgency_due``
(department_id, urgency, due_date, id), one range per department with no sort for the GROUP BY, but had to read
each of the ~20,000 overdue rows for their status and clock: ~85 ms of the page's ~130 ms at a million cases. With
``status`` and ``clock_rule`` after the id the same range answers alone (~15 ms); the order the filtered ledgers
read from the index is the same.

Reviewed: drops and creates one index with the same name; no data is read or written. The downgrade makes it again
without the two columns.

Revision ID: c4d7e2a9b315
Revises: b6e1f4a8c203
Create Date: 2026-12-04 19:10:00

"""

from alembic import op

revision = "c4d7e2a9b315"
down_revision = "b6e1f4a8c203"
branch_labels = None
depends_on = None

NAME = "ix_cases_department_urgency_due"
ORDER = ["department_id", "urgency", "due_date", "id"]


def _make(columns: list[str]) -> None:
    op.drop_index(NAME, table_name="cases")
    op.create_index(NAME, "cases", columns)


def upgrade():
    _make([*ORDER, "status", "clock_rule"])


def downgrade():
    _make(ORDER)
