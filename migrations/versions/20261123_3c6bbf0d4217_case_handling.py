"""Case handling: channel details on cases (postmark, caller number, group visit, representatives), new facts on a
repeat, the simple-procedure reason, the reviewing organ, extension and hearing clocks; investigation notes,
extension requests, hearings and the SMS outbox.

Reviewed: new NOT NULL columns on cases carry server defaults so that existing rows get '' / false / [] / 0;
downgrade drops exactly what upgrade adds.

Revision ID: 3c6bbf0d4217
Revises: 45b36e163039
Create Date: 2026-11-23 12:07:35.415677

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c6bbf0d4217"
down_revision = "45b36e163039"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_case_notes_author_id_users")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("requested", "approved", "refused", name="extensionstate", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("original_due", sa.Date(), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_extension_requests_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_extension_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_extension_requests_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_requests")),
    )
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extension_requests_case_id"), ["case_id"], unique=False)

    op.create_table(
        "hearings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_hearings_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_hearings_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearings")),
    )
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hearings_case_id"), ["case_id"], unique=False)

    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "state", sa.Enum("queued", "sent", "failed", name="smsstate", native_enum=False, length=30), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_sms_messages_case_id_cases"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
    )
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_messages_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_messages_state"), ["state"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("postmarked_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("caller_number", sa.String(length=20), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("group_visit", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("representatives", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("new_facts", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("procedure_reason", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("reviewing_department_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("clock_length", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("clock_paused_days", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(batch_op.f("ix_cases_reviewing_department_id"), ["reviewing_department_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_reviewing_department_id_departments"),
            "departments",
            ["reviewing_department_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_reviewing_department_id_departments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_reviewing_department_id"))
        batch_op.drop_column("clock_paused_days")
        batch_op.drop_column("clock_length")
        batch_op.drop_column("reviewing_department_id")
        batch_op.drop_column("procedure_reason")
        batch_op.drop_column("new_facts")
        batch_op.drop_column("representatives")
        batch_op.drop_column("group_visit")
        batch_op.drop_column("caller_number")
        batch_op.drop_column("postmarked_on")

    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_messages_state"))
        batch_op.drop_index(batch_op.f("ix_sms_messages_case_id"))

    op.drop_table("sms_messages")
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hearings_case_id"))

    op.drop_table("hearings")
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_requests_case_id"))

    op.drop_table("extension_requests")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_notes_case_id"))

    op.drop_table("case_notes")
