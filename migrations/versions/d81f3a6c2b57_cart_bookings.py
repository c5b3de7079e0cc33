"""cart bookings; an enterprise may have two parts in one order

Seats on an experience session waiting in a signed-in user's cart, booked with the
rest of the cart at checkout. A booking is a fulfilment of its own, so an enterprise
selling products and hosting an experience in the same order has two parts: the
unique (order, enterprise) pair goes (``order_id`` keeps its own index).

Revision ID: d81f3a6c2b57
Revises: c7d2e9a41f36
Create Date: 2026-12-03 14:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'd81f3a6c2b57'
down_revision = 'c7d2e9a41f36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cart_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('children', sa.Integer(), nullable=False),
    sa.Column('price_seen_satang', sa.Integer(), nullable=False),
    sa.Column('added_at', shop.dbtypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('adults >= 0 AND children >= 0 AND adults + children >= 1', name=op.f('ck_cart_bookings_cart_booking_seats')),
    sa.ForeignKeyConstraint(['session_id'], ['experience_sessions.id'], name=op.f('fk_cart_bookings_session_id_experience_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cart_bookings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_bookings')),
    sa.UniqueConstraint('user_id', 'session_id', name=op.f('uq_cart_bookings_user_id_session_id'))
    )
    with op.batch_alter_table('cart_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_bookings_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('fulfilments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_fulfilments_order_id_enterprise_id'), type_='unique')


def downgrade():
    with op.batch_alter_table('fulfilments', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_fulfilments_order_id_enterprise_id'),
                                          ['order_id', 'enterprise_id'])
    with op.batch_alter_table('cart_bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_bookings_user_id'))

    op.drop_table('cart_bookings')
