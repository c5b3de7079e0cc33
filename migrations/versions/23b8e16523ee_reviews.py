"""reviews

Reviews from verified buyers: one per order line, the enterprise's one reply and
the staff's hidden flag (shop/reviews/models.py). The products' rating_sum and
rating_count columns already exist and start at zero.

Revision ID: 23b8e16523ee
Revises: c4d7e9a1b3f5
Create Date: 2026-12-02 19:40:52.070046

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = '23b8e16523ee'
down_revision = 'c4d7e9a1b3f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('reply_body', sa.Text(), nullable=True),
    sa.Column('reply_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('rating >= 1 AND rating <= 5', name=op.f('ck_reviews_review_rating_range')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_reviews_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_reviews_order_line_id_order_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_reviews_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reply_by_id'], ['users.id'], name=op.f('fk_reviews_reply_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reviews_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('order_line_id', name=op.f('uq_reviews_order_line_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_enterprise_created', ['enterprise_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_reviews_product_status_created', ['product_id', 'status', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_user_id'))
        batch_op.drop_index('ix_reviews_product_status_created')
        batch_op.drop_index('ix_reviews_enterprise_created')

    op.drop_table('reviews')
