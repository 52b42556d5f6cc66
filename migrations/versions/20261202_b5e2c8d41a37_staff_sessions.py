"""Staff sessions on the server (staff_sessions) and the forms kept when a session timed out (form_stashes).

Reviewed: two new tables and their indexes; no existing row is touched. Browsers signed in before this revision hold
no server session id, so their sessions are refused and those people sign in again once (intended: the old cookies
and remember tokens are exactly what this replaces). downgrade drops both tables, ending every session and dropping
every kept form.

Revision ID: b5e2c8d41a37
Revises: a7c3e9d1f4b2
Create Date: 2026-12-02 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5e2c8d41a37"
down_revision = "a7c3e9d1f4b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_stashes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_form_stashes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_stashes")),
        sa.UniqueConstraint("token", name=op.f("uq_form_stashes_token")),
    )
    with op.batch_alter_table("form_stashes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_stashes_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_form_stashes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column(
            "end_reason",
            sa.Enum(
                "logout",
                "idle",
                "absolute",
                "by_user",
                "by_security_admin",
                "disabled",
                name="endreason",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_ended_at"), ["ended_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_sessions_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_sessions_ended_at"))

    op.drop_table("staff_sessions")
    with op.batch_alter_table("form_stashes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_stashes_user_id"))
        batch_op.drop_index(batch_op.f("ix_form_stashes_expires_at"))

    op.drop_table("form_stashes")
