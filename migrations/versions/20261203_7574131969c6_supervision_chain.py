"""督办 as its own records, and 第N轮办理 (issue 15, items 1–3).

Adds the tables of the supervision chain — supervisions (the numbered 督办单, its reason, department, running reply
deadline, stage and state), supervision_answers (the department head's answers, with the deadline each answered),
supervision_urgings (the numbered 催办 notices), supervision_interviews (约谈 records) and accountability_proposals
(问责建议 to a leader and the decision) — and handling_rounds (a supervisor's order to handle a 不满意 case again,
keeping the rating that led to it). cases.handling_round counts the rounds (1 for every existing case), and
cases.skipped_level gets an index for the 越级信访 list.

Reviewed: the upgrade creates empty tables, adds one NOT NULL column with server default 1 and one index; it writes
no row and reads no personal data. Cases already flagged supervised keep the flag (their earlier 督办 stays on the
timeline as it was written) and get a 督办单 only when a supervisor issues one. The downgrade drops the index, the
column and the tables in reverse order; what they held (督办 records, rounds) is lost with them, which is the point of
a downgrade — take a backup first (README, 备份).

Revision ID: 7574131969c6
Revises: c4d2a8e61f37
Create Date: 2026-12-03 09:11:08

"""

import sqlalchemy as sa
from alembic import op

revision = "7574131969c6"
down_revision = "c4d2a8e61f37"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "handling_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("ordered_by_id", sa.Integer(), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("acceptance_rating", sa.String(length=20), nullable=False),
        sa.Column("handling_rating", sa.String(length=20), nullable=False),
        sa.Column("rating_comment", sa.Text(), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_handling_rounds_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["ordered_by_id"], ["users.id"], name=op.f("fk_handling_rounds_ordered_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handling_rounds")),
    )
    with op.batch_alter_table("handling_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handling_rounds_case_id"), ["case_id"], unique=False)

    op.create_table(
        "supervisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "overdue",
                "due_soon",
                "unsatisfied",
                "repeat",
                "leader",
                "skipped_level",
                name="supervisionreason",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum("notice", "urged", "interviewed", "accountability", name="stage", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "awaiting",
                "answered",
                "accepted",
                "proposed",
                "decided",
                name="supervisionstate",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_supervisions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_supervisions_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_supervisions_issued_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisions")),
        sa.UniqueConstraint("number", name=op.f("uq_supervisions_number")),
    )
    with op.batch_alter_table("supervisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervisions_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_supervisions_department_state", ["department_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervisions_issued_on"), ["issued_on"], unique=False)
        batch_op.create_index("ix_supervisions_state_due", ["state", "reply_due"], unique=False)

    op.create_table(
        "accountability_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervision_id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("measure", sa.String(length=30), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["leader_id"], ["users.id"], name=op.f("fk_accountability_proposals_leader_id_users")),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_accountability_proposals_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supervision_id"],
            ["supervisions.id"],
            name=op.f("fk_accountability_proposals_supervision_id_supervisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_proposals")),
        sa.UniqueConstraint("supervision_id", name=op.f("uq_accountability_proposals_supervision_id")),
    )
    with op.batch_alter_table("accountability_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accountability_proposals_leader_id"), ["leader_id"], unique=False)

    op.create_table(
        "supervision_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervision_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum("notice", "urged", "interviewed", "accountability", name="stage", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_supervision_answers_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supervision_id"],
            ["supervisions.id"],
            name=op.f("fk_supervision_answers_supervision_id_supervisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_answers")),
    )
    with op.batch_alter_table("supervision_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_answers_supervision_id"), ["supervision_id"], unique=False)

    op.create_table(
        "supervision_interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervision_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("interviewee", sa.String(length=50), nullable=False),
        sa.Column("interviewee_post", sa.String(length=100), nullable=False),
        sa.Column("interviewers", sa.String(length=200), nullable=False),
        sa.Column("agreed", sa.Text(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_supervision_interviews_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supervision_id"],
            ["supervisions.id"],
            name=op.f("fk_supervision_interviews_supervision_id_supervisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_interviews")),
    )
    with op.batch_alter_table("supervision_interviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_interviews_supervision_id"), ["supervision_id"], unique=False)

    op.create_table(
        "supervision_urgings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervision_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_supervision_urgings_issued_by_id_users")),
        sa.ForeignKeyConstraint(
            ["supervision_id"],
            ["supervisions.id"],
            name=op.f("fk_supervision_urgings_supervision_id_supervisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_urgings")),
        sa.UniqueConstraint("number", name=op.f("uq_supervision_urgings_number")),
    )
    with op.batch_alter_table("supervision_urgings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_urgings_supervision_id"), ["supervision_id"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handling_round", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_index(batch_op.f("ix_cases_skipped_level"), ["skipped_level"], unique=False)


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_skipped_level"))
        batch_op.drop_column("handling_round")

    with op.batch_alter_table("supervision_urgings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_urgings_supervision_id"))

    op.drop_table("supervision_urgings")
    with op.batch_alter_table("supervision_interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_interviews_supervision_id"))

    op.drop_table("supervision_interviews")
    with op.batch_alter_table("supervision_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_answers_supervision_id"))

    op.drop_table("supervision_answers")
    with op.batch_alter_table("accountability_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accountability_proposals_leader_id"))

    op.drop_table("accountability_proposals")
    with op.batch_alter_table("supervisions", schema=None) as batch_op:
        batch_op.drop_index("ix_supervisions_state_due")
        batch_op.drop_index(batch_op.f("ix_supervisions_issued_on"))
        batch_op.drop_index("ix_supervisions_department_state")
        batch_op.drop_index(batch_op.f("ix_supervisions_case_id"))

    op.drop_table("supervisions")
    with op.batch_alter_table("handling_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handling_rounds_case_id"))

    op.drop_table("handling_rounds")
