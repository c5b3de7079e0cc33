"""outbox jobs

Work the e-mail sender does after the request that asked for it
(shop/notifications/models.py: OutboxJob).

Revision ID: d5a9e3c71f04
Revises: 99cf2f5d2472
Create Date: 2026-12-03 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'd5a9e3c71f04'
down_revision = '99cf2f5d2472'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_until', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_jobs'))
    )
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_jobs_pending', ['done_at', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_jobs_pending')

    op.drop_table('outbox_jobs')
