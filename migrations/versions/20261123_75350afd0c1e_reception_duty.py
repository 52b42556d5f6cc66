"""Reception duty: swaps and special periods for the roster, who was first on duty after a swap, leaders' calendar
tokens; reception logs with their entries (JF numbers) and corrections.

Reviewed: duty_slots.updated_at is NOT NULL and takes CURRENT_TIMESTAMP for existing rows; downgrade drops exactly what
upgrade adds.

Revision ID: 75350afd0c1e
Revises: 3c6bbf0d4217
Create Date: 2026-11-23 12:17:28.136153

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "75350afd0c1e"
down_revision = "3c6bbf0d4217"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "duty_special_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("every_day", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_duty_special_periods_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_special_periods")),
    )
    op.create_table(
        "duty_swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "state",
            sa.Enum("requested", "accepted", "declined", "withdrawn", name="swapstate", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_duty_swaps_decided_by_id_users")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], name=op.f("fk_duty_swaps_requested_by_id_users")),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["duty_slots.id"], name=op.f("fk_duty_swaps_slot_id_duty_slots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["substitute_id"], ["users.id"], name=op.f("fk_duty_swaps_substitute_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_swaps")),
    )
    with op.batch_alter_table("duty_swaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_swaps_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_swaps_substitute_id"), ["substitute_id"], unique=False)

    op.create_table(
        "reception_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["leader_id"], ["users.id"], name=op.f("fk_reception_logs_leader_id_users")),
        sa.ForeignKeyConstraint(["slot_id"], ["duty_slots.id"], name=op.f("fk_reception_logs_slot_id_duty_slots")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_reception_logs_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_logs")),
        sa.UniqueConstraint("slot_id", name=op.f("uq_reception_logs_slot_id")),
    )
    with op.batch_alter_table("reception_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reception_logs_leader_id"), ["leader_id"], unique=False)

    op.create_table(
        "reception_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.Column("representatives", sa.JSON(), nullable=False),
        sa.Column(
            "handling",
            sa.Enum("answered", "transferred", name="handling", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column(
            "satisfaction",
            sa.Enum("satisfied", "basically", "unsatisfied", name="rating", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_reception_entries_case_id_cases")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_reception_entries_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_reception_entries_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["log_id"],
            ["reception_logs.id"],
            name=op.f("fk_reception_entries_log_id_reception_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_entries")),
        sa.UniqueConstraint("case_id", name=op.f("uq_reception_entries_case_id")),
        sa.UniqueConstraint("number", name=op.f("uq_reception_entries_number")),
    )
    with op.batch_alter_table("reception_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reception_entries_log_id"), ["log_id"], unique=False)

    op.create_table(
        "reception_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_reception_corrections_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["reception_entries.id"], name=op.f("fk_reception_corrections_entry_id_reception_entries")
        ),
        sa.ForeignKeyConstraint(
            ["log_id"],
            ["reception_logs.id"],
            name=op.f("fk_reception_corrections_log_id_reception_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_corrections")),
    )
    with op.batch_alter_table("reception_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reception_corrections_log_id"), ["log_id"], unique=False)

    with op.batch_alter_table("duty_slots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", sa.DateTime(), nullable=False, server_default=sa.func.current_timestamp())
        )
        batch_op.add_column(sa.Column("original_leader_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_duty_slots_original_leader_id_users"), "users", ["original_leader_id"], ["id"]
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_calendar_token"), ["calendar_token"])


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")

    with op.batch_alter_table("duty_slots", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_duty_slots_original_leader_id_users"), type_="foreignkey")
        batch_op.drop_column("original_leader_id")
        batch_op.drop_column("updated_at")

    with op.batch_alter_table("reception_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reception_corrections_log_id"))

    op.drop_table("reception_corrections")
    with op.batch_alter_table("reception_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reception_entries_log_id"))

    op.drop_table("reception_entries")
    with op.batch_alter_table("reception_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reception_logs_leader_id"))

    op.drop_table("reception_logs")
    with op.batch_alter_table("duty_swaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_swaps_substitute_id"))
        batch_op.drop_index(batch_op.f("ix_duty_swaps_slot_id"))

    op.drop_table("duty_swaps")
    op.drop_table("duty_special_periods")
