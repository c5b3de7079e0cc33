"""the expansion item "a community visit or experience offered" proved by the data

The item was ticked by staff or a mentor; it is now automatic (the rule
``experience_offered``: a published experience with a session). Its earlier ticks stay
as history, as an automatic item's ticks do.

Revision ID: d4e8a1c7b2f5
Revises: d81f3a6c2b57
Create Date: 2026-12-03 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4e8a1c7b2f5'
down_revision = 'd81f3a6c2b57'
branch_labels = None
depends_on = None

RULE = "experience_offered"
LABEL_EN = "A community visit or experience offered"


def upgrade():
    items = sa.table("track_checklist_items", sa.column("rule", sa.String), sa.column("label_en", sa.String),
                     sa.column("stage", sa.String))
    bind = op.get_bind()
    if bind.execute(sa.select(sa.func.count()).select_from(items).where(items.c.rule == RULE)).scalar():
        return
    bind.execute(items.update().where(items.c.rule.is_(None), items.c.stage == "expansion",
                                      items.c.label_en == LABEL_EN).values(rule=RULE))


def downgrade():
    items = sa.table("track_checklist_items", sa.column("rule", sa.String))
    op.get_bind().execute(items.update().where(items.c.rule == RULE).values(rule=None))
