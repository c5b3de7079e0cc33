"""experiences, sessions and bookings

An enterprise's workshops and village visits, their dated sessions with the seats
left, and the bookings (each one fulfilment of an order) that hold those seats.

Revision ID: c7d2e9a41f36
Revises: a3c5e7f90b12
Create Date: 2026-12-03 08:42:42.164884

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'c7d2e9a41f36'
down_revision = 'a3c5e7f90b12'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('experiences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title_th', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('description_th', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('village', sa.String(length=120), nullable=False),
    sa.Column('subdistrict', sa.String(length=120), nullable=False),
    sa.Column('district', sa.String(length=120), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('postcode', sa.String(length=5), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('included_th', sa.Text(), nullable=True),
    sa.Column('included_en', sa.Text(), nullable=True),
    sa.Column('languages', sa.String(length=40), nullable=False),
    sa.Column('accessibility_th', sa.Text(), nullable=True),
    sa.Column('accessibility_en', sa.Text(), nullable=True),
    sa.Column('price_satang', sa.Integer(), nullable=False),
    sa.Column('child_price_satang', sa.Integer(), nullable=True),
    sa.Column('group_price_satang', sa.Integer(), nullable=True),
    sa.Column('group_min_size', sa.Integer(), nullable=True),
    sa.Column('cancellation_policy', sa.String(length=16), nullable=False),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_experiences_experience_duration_positive')),
    sa.CheckConstraint('price_satang >= 0', name=op.f('ck_experiences_experience_price_not_negative')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_experiences_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiences')),
    sa.UniqueConstraint('slug', name=op.f('uq_experiences_slug'))
    )
    with op.batch_alter_table('experiences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experiences_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('experience_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('experience_id', sa.Integer(), nullable=False),
    sa.Column('image_key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['experience_id'], ['experiences.id'], name=op.f('fk_experience_photos_experience_id_experiences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience_photos'))
    )
    with op.batch_alter_table('experience_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experience_photos_experience_id'), ['experience_id'], unique=False)

    op.create_table('experience_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('experience_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('seats_total', sa.Integer(), nullable=False),
    sa.Column('seats_left', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('seats_left <= seats_total', name=op.f('ck_experience_sessions_session_seats_within_total')),
    sa.CheckConstraint('seats_left >= 0', name=op.f('ck_experience_sessions_session_seats_not_negative')),
    sa.ForeignKeyConstraint(['experience_id'], ['experiences.id'], name=op.f('fk_experience_sessions_experience_id_experiences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience_sessions')),
    sa.UniqueConstraint('experience_id', 'day', 'start_time', name=op.f('uq_experience_sessions_experience_id_day_start_time'))
    )
    with op.batch_alter_table('experience_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_experience_sessions_day', ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_experience_sessions_experience_id'), ['experience_id'], unique=False)

    op.create_table('experience_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('fulfilment_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('children', sa.Integer(), nullable=False),
    sa.Column('guest_name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('ticket_code', sa.String(length=12), nullable=False),
    sa.Column('seats_released', sa.Boolean(), nullable=False),
    sa.Column('checked_in_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('adults + children >= 1', name=op.f('ck_experience_bookings_booking_has_guests')),
    sa.ForeignKeyConstraint(['fulfilment_id'], ['fulfilments.id'], name=op.f('fk_experience_bookings_fulfilment_id_fulfilments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_experience_bookings_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['experience_sessions.id'], name=op.f('fk_experience_bookings_session_id_experience_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience_bookings')),
    sa.UniqueConstraint('fulfilment_id', name=op.f('uq_experience_bookings_fulfilment_id')),
    sa.UniqueConstraint('ticket_code', name=op.f('uq_experience_bookings_ticket_code'))
    )
    with op.batch_alter_table('experience_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experience_bookings_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_experience_bookings_session', ['session_id'], unique=False)



def downgrade():
    with op.batch_alter_table('experience_bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_experience_bookings_session')
        batch_op.drop_index(batch_op.f('ix_experience_bookings_order_id'))

    op.drop_table('experience_bookings')
    with op.batch_alter_table('experience_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experience_sessions_experience_id'))
        batch_op.drop_index('ix_experience_sessions_day')

    op.drop_table('experience_sessions')
    with op.batch_alter_table('experience_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experience_photos_experience_id'))

    op.drop_table('experience_photos')
    with op.batch_alter_table('experiences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experiences_enterprise_id'))

    op.drop_table('experiences')
