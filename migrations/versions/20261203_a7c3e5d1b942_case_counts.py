"""The case counts kept up to date (issue 18: the statistics at a million cases): ``case_counts``, per month of
receipt, assigned department, registering clerk, channel, case type and running clock, the numerators and
denominators of the indicators, kept by the ORM at every commit (``portal.stats.kept``).

The public statistics, the staff dashboard and the two-month circular summed a year of cases with GROUP BY on every
computation: 4–9 s at a million cases. Summed from this table they read a few thousand rows.

Reviewed: the upgrade creates the table (no foreign keys: 0 stands for “none” in the key, which an UPSERT cannot
match as NULL) and fills it with one INSERT … SELECT … GROUP BY over the cases and their evaluations, with the same
rules as ``portal.stats.kept.fresh_select`` frozen here (seconds at a million cases). Only counts are written; no
personal data is read. The downgrade drops the table; nothing else reads it.

Revision ID: a7c3e5d1b942
Revises: f3a8d2c61b07
Create Date: 2026-12-03 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e5d1b942"
down_revision = "f3a8d2c61b07"
branch_labels = None
depends_on = None

KEYS = ("month", "department_id", "registered_by_id", "channel", "case_type", "accept_open_due", "handle_open_due")
COUNTS = (
    "received",
    "repeat",
    "skipped_level",
    "decided",
    "decided_in_time",
    "replied",
    "replied_in_time",
    "delivered",
    "evaluated",
    "acceptance_satisfied",
    "handling_satisfied",
    "closed",
    "closed_no_review",
)

BACKFILL = """
INSERT INTO case_counts ({columns})
SELECT {month}, COALESCE(c.department_id, 0), COALESCE(c.registered_by_id, 0), c.channel, c.case_type,
  CASE WHEN c.decided_on IS NULL AND c.accept_due IS NOT NULL THEN c.accept_due ELSE {no_date} END,
  CASE WHEN c.replied_on IS NULL AND c.handle_due IS NOT NULL THEN c.handle_due ELSE {no_date} END,
  COUNT(c.id),
  SUM(CASE WHEN c.repeat_of_id IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.skipped_level = {true} THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.decided_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.decided_on IS NOT NULL AND c.decided_on <= c.accept_due THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.replied_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.replied_on IS NOT NULL AND c.replied_on <= c.handle_due THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.delivered_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN e.id IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN e.acceptance IN ('satisfied', 'basically') THEN 1 ELSE 0 END),
  SUM(CASE WHEN e.handling IN ('satisfied', 'basically') THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.status = 'closed' AND c.review_level = 0 THEN 1 ELSE 0 END)
FROM cases c LEFT OUTER JOIN evaluations e ON e.case_id = c.id
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def upgrade():
    op.create_table(
        "case_counts",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("case_type", sa.String(length=30), nullable=False),
        sa.Column("accept_open_due", sa.Date(), nullable=False),
        sa.Column("handle_open_due", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint(*KEYS, name=op.f("pk_case_counts")),
    )
    if op.get_bind().dialect.name == "postgresql":
        month, no_date, true = "CAST(date_trunc('month', c.received_on) AS DATE)", "DATE '9999-12-31'", "true"
    else:
        month, no_date, true = "strftime('%Y-%m-01', c.received_on)", "'9999-12-31'", "1"
    op.execute(BACKFILL.format(columns=", ".join((*KEYS, *COUNTS)), month=month, no_date=no_date, true=true))


def downgrade():
    op.drop_table("case_counts")
