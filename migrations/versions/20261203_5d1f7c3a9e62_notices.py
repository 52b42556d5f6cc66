"""Notices to petitioners (issue 14, item 4): the outbox knows each message's kind, whether it carries a query code
and which message it resends; the administrator's texts (message_texts); the petitioners' 退订 (sms_opt_outs).

Reviewed: the upgrade adds to sms_messages a NOT NULL kind with server default '' (earlier messages have no kind and
show as 短信), a NOT NULL carries_code with server default false (no earlier message carried a query code: the old
registration SMS never did), a nullable secret (EncryptedString(20): a query code waiting to be sent, encrypted, wiped
once sent — NULL for every existing row) and a nullable resent_from_id referencing sms_messages; it creates the two
new empty tables. No existing row is rewritten. The downgrade drops exactly these columns and tables; a query code
still waiting in ``secret`` would be lost with it, so run ``flask sms send`` before downgrading.

Revision ID: 5d1f7c3a9e62
Revises: 07352364eff0
Create Date: 2026-12-03 09:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5d1f7c3a9e62"
down_revision = "07352364eff0"
branch_labels = None
depends_on = None

# EncryptedString(20): the ciphertext of 20 characters of plaintext, base64 (portal.protection.cipher).
SEALED_20 = 152


def upgrade():
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=30), server_default="", nullable=False))
        batch_op.add_column(sa.Column("carries_code", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("secret", sa.String(length=SEALED_20), nullable=True))
        batch_op.add_column(sa.Column("resent_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sms_messages_resent_from_id_sms_messages"),
            "sms_messages",
            ["resent_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "message_texts",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_message_texts_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_message_texts")),
    )
    op.create_table(
        "sms_opt_outs",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_sms_opt_outs_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_sms_opt_outs_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_sms_opt_outs")),
    )


def downgrade():
    op.drop_table("sms_opt_outs")
    op.drop_table("message_texts")
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sms_messages_resent_from_id_sms_messages"), type_="foreignkey")
        batch_op.drop_column("resent_from_id")
        batch_op.drop_column("secret")
        batch_op.drop_column("carries_code")
        batch_op.drop_column("kind")
