"""Joint handling (主办 / 协办): the assisting departments named at assignment (case_assists) and the opinions they
send the lead department (case_contributions).

Reviewed: the upgrade creates two new tables and writes nothing into existing ones; existing cases have no assisting
departments. Both tables cascade with their case. The downgrade drops the two tables, and with them any assisting
departments and their opinions (each opinion is also on the case's timeline as a 协办意见 event, which stays). The
opinions are staff text, not the petitioner's personal data; nothing is encrypted here.

Revision ID: 8d2b7e4f5a61
Revises: 3f6a1c9e2d84
Create Date: 2026-12-03 09:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8d2b7e4f5a61"
down_revision = "3f6a1c9e2d84"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_assists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "department_id"),
    )
    with op.batch_alter_table("case_assists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assists_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_assists_department_id"), ["department_id"], unique=False)
    op.create_table(
        "case_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_contributions_case_id"), ["case_id"], unique=False)


def downgrade():
    with op.batch_alter_table("case_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_contributions_case_id"))
    op.drop_table("case_contributions")
    with op.batch_alter_table("case_assists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assists_department_id"))
        batch_op.drop_index(batch_op.f("ix_case_assists_case_id"))
    op.drop_table("case_assists")
