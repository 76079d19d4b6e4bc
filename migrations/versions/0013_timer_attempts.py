"""timer attempts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 14:00:00.000000

A timer pass commits an attempt on an instance before it fires its timers, and clears it when the
fire ends (fired, or failed with a reason). An attempt left standing is a pass that was ended from
outside (the hard CPU stop, an out-of-memory kill): after two, the pass marks the instance failed
instead of running it a third time.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timer_attempts', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): batch mode would rebuild the instance table,
    # which SQLite refuses while other tables' foreign keys point at it.
    op.execute("ALTER TABLE instance DROP COLUMN timer_attempts")
