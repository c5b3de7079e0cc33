"""status changes

The generic history of the state machines that keep no table of their own
(shop/statemachine.py: StatusChangeLog): payments, refunds, payment slips, payouts,
payout batches and retail-buyer verification.

Revision ID: e8b3f1a6c2d9
Revises: 5e8b2c4f7a19
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'e8b3f1a6c2d9'
down_revision = '5e8b2c4f7a19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('machine', sa.String(length=24), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_status_changes_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_changes'))
    )
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_status_changes_machine_row', ['machine', 'row_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_status_changes_machine_row')

    op.drop_table('status_changes')
