"""instance trails

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 05:11:57.028745

Instance trails: history that compaction moves out of an instance's live state (elements completed,
flows taken), kept for the history diagram. Existing instances are compacted on their next step.
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('instance_trail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.JSON(), nullable=False),
    sa.Column('flows', sa.JSON(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_instance_trail_instance_id_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instance_trail'))
    )
    with op.batch_alter_table('instance_trail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instance_trail_instance_id'), ['instance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('instance_trail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instance_trail_instance_id'))

    op.drop_table('instance_trail')
