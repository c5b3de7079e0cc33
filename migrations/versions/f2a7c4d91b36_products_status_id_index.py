"""products status and id index for the sitemaps

Each product sitemap lists the live products of one id range; this index lets it
read exactly that range (``status = 'live' AND id BETWEEN …``) whatever the size of
the catalogue.

Revision ID: f2a7c4d91b36
Revises: 23b8e16523ee
Create Date: 2026-12-02 20:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2a7c4d91b36'
down_revision = '23b8e16523ee'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_products_status_id', 'products', ['status', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_products_status_id', table_name='products')
