"""community micro-fund

Revision ID: 0019_micro_fund
Revises: 0018_registers
Create Date: 2026-12-06 21:40:00

The community micro-fund (社区微基金, 1+X): one pool per community and calendar year (`micro_fund`), its
ledger (`micro_fund_entry`: contributions by source — fiscal, donation, sponsorship, named_fund with the
fund's name, crowdfunding — and draws to projects). A project's ledger line drawn from the pool names
that draw (`fund_entry.pool_entry_id`); existing project ledger lines keep their kinds and stay valid.
A project keeps the funding mode chosen with its provider and the funding gap found at design time.
"""
from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime


revision = '0019_micro_fund'
down_revision = '0018_registers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'micro_fund',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['organisation.id'],
                                name=op.f('fk_micro_fund_community_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_micro_fund')),
        sa.UniqueConstraint('community_id', 'year', name=op.f('uq_micro_fund_community_id_year')))
    op.create_table(
        'micro_fund_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('fund_name', sa.String(length=200), nullable=False),
        sa.Column('amount_fen', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount_fen > 0', name=op.f('ck_micro_fund_entry_positive_pool_amount')),
        sa.ForeignKeyConstraint(['fund_id'], ['micro_fund.id'], name=op.f('fk_micro_fund_entry_fund_id_micro_fund')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_micro_fund_entry_project_id_project')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_micro_fund_entry_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_micro_fund_entry')))
    op.create_index('ix_micro_fund_entry_fund', 'micro_fund_entry', ['fund_id', 'id'], unique=False)
    op.create_index(op.f('ix_micro_fund_entry_project_id'), 'micro_fund_entry', ['project_id'], unique=False)
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pool_entry_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_fund_entry_pool_entry_id_micro_fund_entry'), 'micro_fund_entry',
                                    ['pool_entry_id'], ['id'])
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funding_mode', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('funding_gap_fen', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): batch mode would rebuild the project table, which
    # SQLite refuses while other tables' foreign keys point at it and hold rows.
    op.execute("ALTER TABLE project DROP COLUMN funding_gap_fen")
    op.execute("ALTER TABLE project DROP COLUMN funding_mode")
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_fund_entry_pool_entry_id_micro_fund_entry'), type_='foreignkey')
        batch_op.drop_column('pool_entry_id')
    op.drop_index(op.f('ix_micro_fund_entry_project_id'), table_name='micro_fund_entry')
    op.drop_index('ix_micro_fund_entry_fund', table_name='micro_fund_entry')
    op.drop_table('micro_fund_entry')
    op.drop_table('micro_fund')
