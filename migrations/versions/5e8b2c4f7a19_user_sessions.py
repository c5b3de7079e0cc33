"""user sessions

One row per signed-in browser (shop/accounts/sessions.py): the login cookies name a
row and carry its secret, so signing out can end exactly that sign-in. The per-user
``users.session_token`` they replace goes (everyone signs in once more).

Revision ID: 5e8b2c4f7a19
Revises: b6fd60b414e5
Create Date: 2026-12-02 15:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

import shop.dbtypes

# revision identifiers, used by Alembic.
revision = '5e8b2c4f7a19'
down_revision = 'b6fd60b414e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('device_label', sa.String(length=80), nullable=True),
    sa.Column('created_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', shop.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_user_sessions_expires_at', ['expires_at'], unique=False)
        batch_op.create_index('ix_user_sessions_user_id', ['user_id'], unique=False)

    # A plain column: SQLite (3.35 and later) drops it in place. Batch mode would copy
    # and drop ``users``, and with foreign keys on that drop cascades to its children.
    op.drop_column('users', 'session_token')


def downgrade():
    op.add_column('users', sa.Column('session_token', sa.String(length=64), nullable=False, server_default=''))
    # A random token per user, as the column's default made them.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE users SET session_token = md5(random()::text || id::text)")
        op.alter_column('users', 'session_token', server_default=None)
    else:
        op.execute("UPDATE users SET session_token = lower(hex(randomblob(24)))")

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_user_sessions_user_id')
        batch_op.drop_index('ix_user_sessions_expires_at')

    op.drop_table('user_sessions')
