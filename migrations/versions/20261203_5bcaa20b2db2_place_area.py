"""问题属地 on cases (cases.place_area_id).

The township or village where the matter arose, chosen from the department tree at registration; the free-text
cases.place stays as the detail. The staff dashboard counts cases by it.

Reviewed: the upgrade adds one nullable integer column with its index and a foreign key to departments, and writes
nothing: existing cases keep NULL (shown as 未选问题属地), since the free text cannot be mapped to the tree reliably.
Not personal data. The downgrade drops exactly the column, its index and its foreign key.

Revision ID: 5bcaa20b2db2
Revises: 7574131969c6
Create Date: 2026-12-03 09:15:54

"""

import sqlalchemy as sa
from alembic import op

revision = "5bcaa20b2db2"
down_revision = "7574131969c6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_area_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_place_area_id"), ["place_area_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_place_area_id_departments"), "departments", ["place_area_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_place_area_id_departments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_place_area_id"))
        batch_op.drop_column("place_area_id")
