"""task spans

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 03:29:02.532697

Task spans: each user task from ready to done, for step times and the monitoring dashboard.
Tasks ready at upgrade time get their span from the ready-task projection.
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('task_span',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('bpmn_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('ready_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['organisation.id'], name=op.f('fk_task_span_community_id_organisation')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user_account.id'], name=op.f('fk_task_span_completed_by_id_user_account')),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_task_span_instance_id_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_span'))
    )
    with op.batch_alter_table('task_span', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_span_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_span_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_task_span_step', ['process_id', 'bpmn_id', 'ended_at'], unique=False)
    op.execute("INSERT INTO task_span (id, instance_id, process_id, bpmn_id, name, role, community_id, ready_at, due_at) "
               "SELECT id, instance_id, process_id, bpmn_id, name, role, community_id, created_at, due_at FROM ready_task")


def downgrade() -> None:
    with op.batch_alter_table('task_span', schema=None) as batch_op:
        batch_op.drop_index('ix_task_span_step')
        batch_op.drop_index(batch_op.f('ix_task_span_instance_id'))
        batch_op.drop_index(batch_op.f('ix_task_span_community_id'))

    op.drop_table('task_span')

