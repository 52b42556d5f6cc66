"""Sign-in controls (issue 10): password age and forced change, demo accounts, lockout, second factors.

users gains password_changed_at, must_change_password, demo_account, recent_failures and locked_until. Existing rows:
must_change_password is set to true and password_changed_at stays NULL, because their passwords were set under the
old 8-character rule — each person chooses a password under the new policy at the next sign-in (a local demo
database: delete var/portal.sqlite3 and run ``make run`` again to get demo accounts without it). demo_account is
false, nobody is locked. New tables user_factors (one sealed second-factor secret per user) and recovery_codes (keyed
hashes of one-time codes) start empty: people who need a second factor enrol at their next sign-in.

Downgrade drops the two tables and the five columns: enrolments, lockouts and password ages are lost, the password
hashes stay.

Revision ID: 6bfa602153b7
Revises: 82b2faa872dc
Create Date: 2026-12-02 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6bfa602153b7"
down_revision = "82b2faa872dc"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("demo_account", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("recent_failures", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    users = sa.table("users", sa.column("must_change_password", sa.Boolean()))
    op.execute(users.update().values(must_change_password=True))

    op.create_table(
        "user_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_factors_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_factors")),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_factors_user_id")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    op.drop_table("user_factors")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("recent_failures")
        batch_op.drop_column("demo_account")
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("password_changed_at")
