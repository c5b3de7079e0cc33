"""search outbox

The rows catalogue changes leave for the search indexer (shop/search/models.py).

Revision ID: c3f8a1d5e7b2
Revises: b7e2d4c18a90
Create Date: 2026-11-22 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'c3f8a1d5e7b2'
down_revision = 'b7e2d4c18a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('op', sa.String(length=16), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('enterprise_id', sa.Integer(), nullable=True),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox')),
    )


def downgrade():
    op.drop_table('search_outbox')
