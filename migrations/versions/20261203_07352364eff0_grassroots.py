"""The grassroots network (issue 16): petition agents' matters and dispute screening.

Adds the agents' matters (agent_matters, with their timeline agent_matter_events, their sealed scans
agent_matter_files, the office's messages agent_office_messages and the agents' 形象测评 agent_department_ratings),
the screening reports (screening_daily_reports, screening_disputes, screening_weekly_reports), and cases.agent_id
(代理人: the agent who carried a case up). The roles agent and screening need no schema change (user_roles.role is
a VARCHAR without a list of values).

Reviewed: the upgrade creates empty tables and one nullable column; nothing existing is rewritten. The villager's
phone, ID number and address and a dispute's party and phone are sealed columns (portal.protection.EncryptedString,
VARCHAR sized for the sealed text), empty at creation. The downgrade drops exactly what the upgrade adds — the
grassroots records and their personal data go with their tables (scans in UPLOAD_FOLDER stay on disk, sealed,
unreferenced); cases keep everything else.

Revision ID: 07352364eff0
Revises: c41f7a2e9b58
Create Date: 2026-12-03 09:16:21

"""

import sqlalchemy as sa
from alembic import op

from portal.protection import cipher

# revision identifiers, used by Alembic.
revision = "07352364eff0"
down_revision = "c41f7a2e9b58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agent_department_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column(
            "rating",
            sa.Enum("satisfied", "basically", "unsatisfied", name="rating", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"], name=op.f("fk_agent_department_ratings_agent_id_users")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_agent_department_ratings_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_department_ratings")),
        sa.UniqueConstraint("agent_id", "department_id", "period", name=op.f("uq_agent_department_ratings_agent_id")),
    )
    with op.batch_alter_table("agent_department_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_department_ratings_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_department_ratings_department_id"), ["department_id"], unique=False)

    op.create_table(
        "screening_daily_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("zero", sa.Boolean(), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["departments.id"], name=op.f("fk_screening_daily_reports_area_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"], ["users.id"], name=op.f("fk_screening_daily_reports_filed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_daily_reports")),
        sa.UniqueConstraint("area_id", "day", name=op.f("uq_screening_daily_reports_area_id")),
    )
    with op.batch_alter_table("screening_daily_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_daily_reports_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_daily_reports_day"), ["day"], unique=False)

    op.create_table(
        "screening_weekly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("new_count", sa.Integer(), nullable=False),
        sa.Column("resolved_count", sa.Integer(), nullable=False),
        sa.Column("case_count", sa.Integer(), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["departments.id"], name=op.f("fk_screening_weekly_reports_area_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"], ["users.id"], name=op.f("fk_screening_weekly_reports_filed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_weekly_reports")),
        sa.UniqueConstraint("area_id", "week_start", name=op.f("uq_screening_weekly_reports_area_id")),
    )
    with op.batch_alter_table("screening_weekly_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_weekly_reports_area_id"), ["area_id"], unique=False)

    op.create_table(
        "agent_matters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "registered",
                "committed",
                "mediated",
                "carried_up",
                "fed_back",
                "closed",
                name="stage",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=cipher.sealed_text_length(20)), nullable=True),
        sa.Column("id_number", sa.String(length=cipher.sealed_text_length(18)), nullable=True),
        sa.Column("address", sa.String(length=cipher.sealed_text_length(200)), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("letter", "visit", "phone", "email", "online", "fax", name="channel", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column(
            "case_type",
            sa.Enum("suggestion", "accusation", "claim", name="casetype", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("accuses_local_cadres", sa.Boolean(), nullable=False),
        sa.Column("committed_on", sa.Date(), nullable=True),
        sa.Column("mediated_on", sa.Date(), nullable=True),
        sa.Column("mediation_parties", sa.String(length=200), nullable=False),
        sa.Column("mediation_outcome", sa.Text(), nullable=False),
        sa.Column("agreement_text", sa.Text(), nullable=False),
        sa.Column("villager_confirmed", sa.Boolean(), nullable=False),
        sa.Column("carried_up_on", sa.Date(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("fed_back_on", sa.Date(), nullable=True),
        sa.Column("feedback_text", sa.Text(), nullable=False),
        sa.Column(
            "villager_rating",
            sa.Enum("satisfied", "basically", "unsatisfied", name="rating", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column("villager_comment", sa.String(length=500), nullable=False),
        sa.Column("followed_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_text", sa.Text(), nullable=False),
        sa.Column("new_risk", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["departments.id"], name=op.f("fk_agent_matters_area_id_departments")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_agent_matters_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["users.id"], name=op.f("fk_agent_matters_registered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_matters")),
        sa.UniqueConstraint("case_id", name=op.f("uq_agent_matters_case_id")),
    )
    with op.batch_alter_table("agent_matters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_matters_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_matters_registered_by_id"), ["registered_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_matters_stage"), ["stage"], unique=False)

    op.create_table(
        "agent_office_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_agent_office_messages_author_id_users")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_agent_office_messages_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_office_messages")),
    )
    with op.batch_alter_table("agent_office_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_office_messages_case_id"), ["case_id"], unique=False)

    op.create_table(
        "screening_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=cipher.sealed_text_length(100)), nullable=False),
        sa.Column("party_phone", sa.String(length=cipher.sealed_text_length(20)), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "land",
                "family",
                "neighbour",
                "wages",
                "demolition",
                "environment",
                "other",
                name="disputekind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("risk", sa.Enum("low", "medium", "high", name="risk", native_enum=False, length=30), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "mediated", "case", name="disputestate", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["departments.id"], name=op.f("fk_screening_disputes_area_id_departments")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_screening_disputes_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["screening_daily_reports.id"],
            name=op.f("fk_screening_disputes_report_id_screening_daily_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_disputes")),
        sa.UniqueConstraint("case_id", name=op.f("uq_screening_disputes_case_id")),
    )
    with op.batch_alter_table("screening_disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_disputes_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_disputes_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_disputes_state"), ["state"], unique=False)

    op.create_table(
        "agent_matter_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_agent_matter_events_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["agent_matters.id"],
            name=op.f("fk_agent_matter_events_matter_id_agent_matters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_matter_events")),
    )
    with op.batch_alter_table("agent_matter_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_matter_events_matter_id"), ["matter_id"], unique=False)

    op.create_table(
        "agent_matter_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["agent_matters.id"],
            name=op.f("fk_agent_matter_files_matter_id_agent_matters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_agent_matter_files_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_matter_files")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_agent_matter_files_stored_name")),
    )
    with op.batch_alter_table("agent_matter_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_matter_files_matter_id"), ["matter_id"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_agent_id"), ["agent_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_cases_agent_id_users"), "users", ["agent_id"], ["id"])


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_agent_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_agent_id"))
        batch_op.drop_column("agent_id")

    with op.batch_alter_table("agent_matter_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_matter_files_matter_id"))

    op.drop_table("agent_matter_files")
    with op.batch_alter_table("agent_matter_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_matter_events_matter_id"))

    op.drop_table("agent_matter_events")
    with op.batch_alter_table("screening_disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_disputes_state"))
        batch_op.drop_index(batch_op.f("ix_screening_disputes_report_id"))
        batch_op.drop_index(batch_op.f("ix_screening_disputes_area_id"))

    op.drop_table("screening_disputes")
    with op.batch_alter_table("agent_office_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_office_messages_case_id"))

    op.drop_table("agent_office_messages")
    with op.batch_alter_table("agent_matters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_matters_stage"))
        batch_op.drop_index(batch_op.f("ix_agent_matters_registered_by_id"))
        batch_op.drop_index(batch_op.f("ix_agent_matters_area_id"))

    op.drop_table("agent_matters")
    with op.batch_alter_table("screening_weekly_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_weekly_reports_area_id"))

    op.drop_table("screening_weekly_reports")
    with op.batch_alter_table("screening_daily_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_daily_reports_day"))
        batch_op.drop_index(batch_op.f("ix_screening_daily_reports_area_id"))

    op.drop_table("screening_daily_reports")
    with op.batch_alter_table("agent_department_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_department_ratings_department_id"))
        batch_op.drop_index(batch_op.f("ix_agent_department_ratings_agent_id"))

    op.drop_table("agent_department_ratings")
