"""Published reports (published_reports): the 每周汇总, 半月督办通报 and 两月通报 as frozen, numbered snapshots.

One row per kind and period (uq_published_reports_period), numbers unique (信周〔2026〕12号). The content column
holds aggregates, case codes, departments and leaders, with sealed cases' titles masked: never a petitioner.

Reviewed: the upgrade creates the table and its two indexes and writes nothing; the downgrade drops them (the
published reports go with it: produce them again from the job queue after an upgrade).

Revision ID: c41e7a9d2f60
Revises: 5bcaa20b2db2
Create Date: 2026-12-03 09:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c41e7a9d2f60"
down_revision = "5bcaa20b2db2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "published_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("weekly", "half_monthly", "bi_monthly", name="reportkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_published_reports_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_reports")),
        sa.UniqueConstraint("kind", "period_start", "period_end", name="uq_published_reports_period"),
        sa.UniqueConstraint("number", name=op.f("uq_published_reports_number")),
    )
    with op.batch_alter_table("published_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_published_reports_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_published_reports_period_end"), ["period_end"], unique=False)


def downgrade():
    with op.batch_alter_table("published_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_reports_period_end"))
        batch_op.drop_index(batch_op.f("ix_published_reports_kind"))
    op.drop_table("published_reports")
