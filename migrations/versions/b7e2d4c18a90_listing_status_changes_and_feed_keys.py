"""listing status changes, listing settings and feed keys

The record of each product listing status change (who, when, from, to, why), the
per-product food flag, and the per-enterprise salt behind channel-feed URLs.

Revision ID: b7e2d4c18a90
Revises: a4e1c9d27b53
Create Date: 2026-11-22 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'b7e2d4c18a90'
down_revision = 'a4e1c9d27b53'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('listing_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_role', sa.String(length=8), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_listing_status_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_listing_status_changes_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_status_changes'))
    )
    with op.batch_alter_table('listing_status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_listing_status_changes_product_created', ['product_id', 'created_at'], unique=False)

    op.create_table('product_listing_settings',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('is_food', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_listing_settings_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_listing_settings'))
    )

    op.create_table('enterprise_feed_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('rotated_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rotated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_feed_keys_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rotated_by_id'], ['users.id'], name=op.f('fk_enterprise_feed_keys_rotated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_feed_keys')),
    sa.UniqueConstraint('enterprise_id', name=op.f('uq_enterprise_feed_keys_enterprise_id'))
    )


def downgrade():
    op.drop_table('enterprise_feed_keys')
    op.drop_table('product_listing_settings')
    with op.batch_alter_table('listing_status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_status_changes_product_created')

    op.drop_table('listing_status_changes')
