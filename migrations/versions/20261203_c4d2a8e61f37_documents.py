"""Written notices (issue 14): documents (numbered per issuing organ, kind and year, frozen as sealed HTML and PDF
with their SHA-256) and document_deliveries (method, date, tracking number, recipient, who recorded it).

Reviewed: two new tables and nothing else; no existing row is read or written (documents are issued from the next
decision on; cases decided earlier keep their timeline texts). The HTML and PDF columns hold values sealed with the
data key, never the petitioner's details in clear. The downgrade drops both tables, deliveries first — and with them
every issued document, which is why a downgrade past this revision is for a development database only.

Revision ID: c4d2a8e61f37
Revises: 5d1f7c3a9e62
Create Date: 2026-12-03 09:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c4d2a8e61f37"
down_revision = "5d1f7c3a9e62"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=50), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("issuer_name", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("to_petitioner", sa.Boolean(), nullable=False),
        sa.Column("addressee", sa.String(length=100), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.Column("html_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("rendered_at", sa.DateTime(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_documents_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_documents_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_events.id"], name=op.f("fk_documents_event_id_case_events"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["issuer_id"], ["departments.id"], name=op.f("fk_documents_issuer_id_departments")),
        sa.ForeignKeyConstraint(["replaces_id"], ["documents.id"], name=op.f("fk_documents_replaces_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("issuer_id", "kind", "year", "sequence", name=op.f("uq_documents_issuer_id")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_replaces_id"), ["replaces_id"], unique=False)

    op.create_table(
        "document_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "in_person", "post", "sms", "online", "notice", name="deliverymethod", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=50), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_deliveries_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_document_deliveries_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_deliveries")),
    )
    with op.batch_alter_table("document_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_deliveries_document_id"), ["document_id"], unique=False)


def downgrade():
    with op.batch_alter_table("document_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_deliveries_document_id"))
    op.drop_table("document_deliveries")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_documents_kind"))
        batch_op.drop_index(batch_op.f("ix_documents_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_documents_case_id"))
    op.drop_table("documents")
