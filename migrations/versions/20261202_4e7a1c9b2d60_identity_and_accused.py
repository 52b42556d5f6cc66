"""Identity never taken over by a claim, and whom an accusation accuses (issue 11).

Adds to ``cases``: ``anonymous`` (匿名检举控告) and ``identity_unconfirmed`` (an online submission whose ID number or
phone is a known petitioner's, waiting for the clerk's 同一人 answer), both false for every existing row; and the
contact details given with the case, ``contact_phone`` / ``contact_id_number`` / ``contact_address``, sealed with
the data key like the petitioners' columns (portal.protection.EncryptedString, so sized for the base64 of a sealed
value). Existing cases get NULL there: what they were given was written into the petitioner's record, which this
migration cannot take apart; their pages show the petitioner's record as before. Creates ``case_accused`` (the
accused person — name, post, user account — and/or unit, with the 干部管理权限), empty.

Reviewed: no existing row is rewritten; the downgrade drops the table and the five columns (the contact details
given with cases registered since, and every accused recorded, are lost — the petitioners' records are untouched).

Revision ID: 4e7a1c9b2d60
Revises: d8bf19c8e290
Create Date: 2026-12-02 15:30:00

"""

import sqlalchemy as sa
from alembic import op

from portal.protection import cipher

revision = "4e7a1c9b2d60"
down_revision = "d8bf19c8e290"
branch_labels = None
depends_on = None


def _sealed(length: int) -> sa.String:
    return sa.String(length=cipher.sealed_text_length(length))


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("identity_unconfirmed", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("contact_phone", _sealed(20), nullable=True))
        batch_op.add_column(sa.Column("contact_id_number", _sealed(18), nullable=True))
        batch_op.add_column(sa.Column("contact_address", _sealed(200), nullable=True))

    op.create_table(
        "case_accused",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "cadre_level",
            sa.Enum("city", "county", "township", "village", "none", name="cadrelevel", native_enum=False, length=30),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["departments.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_accused", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_accused_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_accused_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_accused_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("case_accused", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_accused_user_id"))
        batch_op.drop_index(batch_op.f("ix_case_accused_unit_id"))
        batch_op.drop_index(batch_op.f("ix_case_accused_case_id"))
    op.drop_table("case_accused")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("contact_address")
        batch_op.drop_column("contact_id_number")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("identity_unconfirmed")
        batch_op.drop_column("anonymous")
