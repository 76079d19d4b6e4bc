"""needs: overlap projection, assignees, notifications, outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:35:56.506554
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'], name=op.f('fk_outbox_message_recipient_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_pending', ['sent_at', 'id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_notification_instance_id_instance')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('grid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('supporters', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('priority', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('merged_into', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('routed_roles', sa.String(length=400), nullable=False, server_default=','))
        batch_op.create_index('ix_instance_overlap', ['community_id', 'category', 'status'], unique=False)

    with op.batch_alter_table('ready_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ready_task_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ready_task_assignee_id_user_account'), 'user_account', ['assignee_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('ready_task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ready_task_assignee_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ready_task_assignee_id'))
        batch_op.drop_column('assignee_id')

    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_index('ix_instance_overlap')
        batch_op.drop_column('merged_into')
        batch_op.drop_column('routed_roles')
        batch_op.drop_column('priority')
        batch_op.drop_column('supporters')
        batch_op.drop_column('grid')
        batch_op.drop_column('category')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index(batch_op.f('ix_notification_instance_id'))

    op.drop_table('notification')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_pending')

    op.drop_table('outbox_message')
