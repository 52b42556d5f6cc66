"""Checklist items that tick themselves and 五包 items only the owner leader ticks.

checklist_template_items.mirrors and checklist_items.mirrors name the action whose event ticks the item (sign,
publish, follow_up); checklist_items.owner_only marks a 五包 item; checklist_items.done_event_id points at the event
that ticked it.

Reviewed: the upgrade fills the new columns for existing rows — 领导审签 → sign, 书面答复 → publish, 回访 → follow_up
(the labels the demo county and real templates use), owner_only from the item's template being the leader-owned
one (matched by label, the only link an item keeps) — and leaves the existing ticks as they are (done by hand,
no event). The downgrade drops exactly the columns the upgrade adds; no personal data is touched.

Revision ID: 9c1d3e7a5b20
Revises: 214da5a50f10
Create Date: 2026-12-02 09:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "9c1d3e7a5b20"
down_revision = "214da5a50f10"
branch_labels = None
depends_on = None

MIRRORS = {"领导审签": "sign", "书面答复": "publish", "回访": "follow_up"}


def upgrade():
    with op.batch_alter_table("checklist_template_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mirrors", sa.String(length=30), nullable=True))
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mirrors", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("owner_only", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("done_event_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_checklist_items_done_event_id_case_events"),
            "case_events",
            ["done_event_id"],
            ["id"],
            ondelete="SET NULL",
        )

    templates = sa.table("checklist_templates", sa.column("id"), sa.column("leader_owned"))
    template_items = sa.table(
        "checklist_template_items", sa.column("template_id"), sa.column("label"), sa.column("mirrors")
    )
    items = sa.table("checklist_items", sa.column("label"), sa.column("mirrors"), sa.column("owner_only"))
    for label, action in MIRRORS.items():
        op.execute(template_items.update().where(template_items.c.label == label).values(mirrors=action))
        op.execute(items.update().where(items.c.label == label).values(mirrors=action))
    five_bao = (
        sa.select(template_items.c.label)
        .join(templates, templates.c.id == template_items.c.template_id)
        .where(templates.c.leader_owned == sa.true())
    )
    op.execute(items.update().where(items.c.label.in_(five_bao)).values(owner_only=True))


def downgrade():
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_checklist_items_done_event_id_case_events"), type_="foreignkey")
        batch_op.drop_column("done_event_id")
        batch_op.drop_column("owner_only")
        batch_op.drop_column("mirrors")
    with op.batch_alter_table("checklist_template_items", schema=None) as batch_op:
        batch_op.drop_column("mirrors")
