"""sign-in throttle per client, known devices and unlock links

Revision ID: b6fd60b414e5
Revises: d5a9e3c71f04
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = 'b6fd60b414e5'
down_revision = 'd5a9e3c71f04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.String(length=32), nullable=True))
        batch_op.drop_index('ix_login_attempts_ip_at')
        batch_op.create_index('ix_login_attempts_email_ip_at', ['email', 'ip_address', 'attempted_at'], unique=False)
        batch_op.create_index('ix_login_attempts_attempted_at', ['attempted_at'], unique=False)

    op.create_table('login_unlocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_unlocks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_unlocks'))
    )
    with op.batch_alter_table('login_unlocks', schema=None) as batch_op:
        batch_op.create_index('ix_login_unlocks_user_id_created_at', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_login_unlocks_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_unlocks', schema=None) as batch_op:
        batch_op.drop_index('ix_login_unlocks_created_at')
        batch_op.drop_index('ix_login_unlocks_user_id_created_at')

    op.drop_table('login_unlocks')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_attempted_at')
        batch_op.drop_index('ix_login_attempts_email_ip_at')
        batch_op.create_index('ix_login_attempts_ip_at', ['ip_address', 'attempted_at'], unique=False)
        batch_op.drop_column('device_id')
