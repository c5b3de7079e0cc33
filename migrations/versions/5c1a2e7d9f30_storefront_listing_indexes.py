"""storefront listing indexes

Indexes that let each storefront listing (new arrivals, featured, a category sorted
by newest, price or best-selling, an enterprise's products) read one page in index
order and stop, instead of sorting every live product.

Revision ID: 5c1a2e7d9f30
Revises: 7bdc108dcb37
Create Date: 2026-11-22 02:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c1a2e7d9f30'
down_revision = '7bdc108dcb37'
branch_labels = None
depends_on = None


INDEXES = {
    'ix_products_status_published': ['status', 'published_at', 'id'],
    'ix_products_status_featured_published': ['status', 'is_featured', 'published_at', 'id'],
    'ix_products_status_category_published': ['status', 'category_id', 'published_at', 'id'],
    'ix_products_status_category_price': ['status', 'category_id', 'min_price_satang', 'id'],
    'ix_products_status_category_sales': ['status', 'category_id', 'sales_count', 'id'],
    'ix_products_enterprise_status_published': ['enterprise_id', 'status', 'published_at', 'id'],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, 'products', columns, unique=False)


def downgrade():
    for name in reversed(list(INDEXES)):
        op.drop_index(name, table_name='products')
