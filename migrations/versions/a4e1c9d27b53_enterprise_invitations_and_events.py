"""enterprise invitations and events

Invitations to join an enterprise (only a digest of the token is stored) and the
record of each change of an enterprise's status or track stage.

Revision ID: a4e1c9d27b53
Revises: 5c1a2e7d9f30
Create Date: 2026-11-22 04:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'a4e1c9d27b53'
down_revision = '5c1a2e7d9f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('enterprise_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', shop.dbtypes.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_enterprise_invitations_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_invitations_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_enterprise_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_enterprise_invitations_token_hash'))
    )
    with op.batch_alter_table('enterprise_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_enterprise_invitations_enterprise_email', ['enterprise_id', 'email'], unique=False)

    op.create_table('enterprise_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_value', sa.String(length=16), nullable=True),
    sa.Column('to_value', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_enterprise_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_events_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_events'))
    )
    with op.batch_alter_table('enterprise_events', schema=None) as batch_op:
        batch_op.create_index('ix_enterprise_events_enterprise_created', ['enterprise_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('enterprise_events', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_events_enterprise_created')

    op.drop_table('enterprise_events')
    with op.batch_alter_table('enterprise_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_invitations_enterprise_email')

    op.drop_table('enterprise_invitations')
