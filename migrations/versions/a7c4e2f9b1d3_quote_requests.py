"""quote requests

Requests for quote (shop/quotes): the buyer's request and the enterprise's quote on
one row, and the messages written on it.

Revision ID: a7c4e2f9b1d3
Revises: e8b3f1a6c2d9
Create Date: 2026-12-02 19:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'a7c4e2f9b1d3'
down_revision = 'e8b3f1a6c2d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quote_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('target_unit_satang', sa.Integer(), nullable=True),
    sa.Column('delivery_date', sa.Date(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('quoted_unit_satang', sa.Integer(), nullable=True),
    sa.Column('quoted_quantity', sa.Integer(), nullable=True),
    sa.Column('quoted_shipping_satang', sa.Integer(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.Column('quote_note', sa.Text(), nullable=True),
    sa.Column('quoted_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('quoted_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_quote_requests_quantity_positive')),
    sa.CheckConstraint('target_unit_satang IS NULL OR target_unit_satang >= 1', name=op.f('ck_quote_requests_target_positive')),
    sa.CheckConstraint('quoted_quantity IS NULL OR quoted_quantity >= 1', name=op.f('ck_quote_requests_quoted_quantity_positive')),
    sa.CheckConstraint('quoted_unit_satang IS NULL OR quoted_unit_satang >= 1', name=op.f('ck_quote_requests_quoted_unit_positive')),
    sa.CheckConstraint('quoted_shipping_satang IS NULL OR quoted_shipping_satang >= 0', name=op.f('ck_quote_requests_quoted_shipping_not_negative')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_quote_requests_buyer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_quote_requests_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_quote_requests_variant_id_variants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quoted_by_id'], ['users.id'], name=op.f('fk_quote_requests_quoted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_quote_requests_order_id_orders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_requests'))
    )
    with op.batch_alter_table('quote_requests', schema=None) as batch_op:
        batch_op.create_index('ix_quote_requests_buyer', ['buyer_id', 'id'], unique=False)
        batch_op.create_index('ix_quote_requests_enterprise_status', ['enterprise_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quote_requests_order_id'), ['order_id'], unique=False)

    op.create_table('quote_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_role', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['quote_requests.id'], name=op.f('fk_quote_messages_request_id_quote_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_quote_messages_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_messages'))
    )
    with op.batch_alter_table('quote_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_messages_request_id'), ['request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quote_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_messages_request_id'))

    op.drop_table('quote_messages')
    with op.batch_alter_table('quote_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_requests_order_id'))
        batch_op.drop_index('ix_quote_requests_enterprise_status')
        batch_op.drop_index('ix_quote_requests_buyer')

    op.drop_table('quote_requests')
