"""Case search: an index on petitioners.name for the name-prefix search, and case_terms (the character bigrams of
each case's title and the random part of its tracking code), backfilled for the cases that exist.

Reviewed: on PostgreSQL petitioners.name moves to the C collation (code-point order, as SQLite's BINARY) so that the
plain index serves a prefix range whatever the database's locale; equality is unchanged (deterministic collations
compare bytes) and nothing sorts petitioners by name. The backfill computes the terms with a frozen copy of
portal.cases.search.case_terms as of this revision (tests/cases/test_search.py checks that both agree). downgrade
drops exactly what upgrade adds and gives the name its database's default collation back.

Revision ID: 82b2faa872dc
Revises: 9c1d3e7a5b20
Create Date: 2026-12-02 09:30:00.000000

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "82b2faa872dc"
down_revision = "9c1d3e7a5b20"
branch_labels = None
depends_on = None

_RUN = re.compile(r"\w+")
_BATCH = 1000


def _case_terms(title: str, tracking_code: str) -> set[str]:
    folded = unicodedata.normalize("NFKC", title).lower()
    terms = {run[i : i + 2] for run in _RUN.findall(folded) for i in range(len(run) - 1)}
    code_part = tracking_code.partition("-")[2].upper()
    return terms | ({code_part} - {""})


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "petitioners",
            "name",
            existing_type=sa.String(length=50),
            type_=sa.String(length=50, collation="C"),
            existing_nullable=False,
        )
    with op.batch_alter_table("petitioners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_petitioners_name"), ["name"], unique=False)

    case_terms = op.create_table(
        "case_terms",
        sa.Column("term", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_terms_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("term", "case_id", name=op.f("pk_case_terms")),
    )
    with op.batch_alter_table("case_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_terms_case_id"), ["case_id"], unique=False)

    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("title"), sa.column("tracking_code"))
    connection = op.get_bind()
    rows = []
    for case_id, title, tracking_code in connection.execute(
        sa.select(cases.c.id, cases.c.title, cases.c.tracking_code)
    ).all():
        rows += [{"term": t, "case_id": case_id} for t in sorted(_case_terms(title or "", tracking_code or ""))]
        if len(rows) >= _BATCH:
            connection.execute(case_terms.insert(), rows)
            rows = []
    if rows:
        connection.execute(case_terms.insert(), rows)


def downgrade():
    with op.batch_alter_table("case_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_terms_case_id"))

    op.drop_table("case_terms")
    with op.batch_alter_table("petitioners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petitioners_name"))

    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "petitioners",
            "name",
            existing_type=sa.String(length=50, collation="C"),
            type_=sa.String(length=50),
            existing_nullable=False,
        )
