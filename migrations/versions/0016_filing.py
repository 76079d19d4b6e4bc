"""filing and the working-day calendar

Revision ID: 0016_filing
Revises: 0015_meetings
Create Date: 2026-12-04 18:30:00

Filings (一备案): each decision reported to the street, filed or rejected, with its number (sequential per
street and year, unique: `street_id, year, sequence`), date, filer, outcome and note. The calendar table
(`calendar_day`): the days an administrator records as public holidays or adjusted working days, overriding
the chinese-calendar package (and extending it to years it does not know).
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0016_filing'
down_revision = '0015_meetings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calendar_day',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('is_working_day', sa.Boolean(), nullable=False),
        sa.Column('note', sa.String(length=100), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_calendar_day_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day')),
    )
    op.create_table(
        'filing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('street_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=120), nullable=False),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('filed_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_filing_project_id_project')),
        sa.ForeignKeyConstraint(['street_id'], ['organisation.id'], name=op.f('fk_filing_street_id_organisation')),
        sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_filing_filed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_filing')),
        sa.UniqueConstraint('number', name=op.f('uq_filing_number')),
        sa.UniqueConstraint('street_id', 'year', 'sequence', name=op.f('uq_filing_street_id_year_sequence')),
    )
    op.create_index('ix_filing_project', 'filing', ['project_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_filing_project', table_name='filing')
    op.drop_table('filing')
    op.drop_table('calendar_day')
