"""incidents

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00

Incidents: a failed instance keeps when it failed, the element it failed at and the engine's message,
for the incident list and its retry. Instances that failed before have none of these (shown as unknown).
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_element', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('failed_element_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('failure', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_column('failure')
        batch_op.drop_column('failed_element_name')
        batch_op.drop_column('failed_element')
        batch_op.drop_column('failed_at')
