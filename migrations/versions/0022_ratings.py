"""two-way ratings

Revision ID: 0022_ratings
Revises: 0021_departments
Create Date: 2026-12-06 21:40:00

双向评价 as records: `department_rating` (a community rates the body that handled one of its needs on
指导、服务、支付、行政干预, 1–5 each) and `community_rating` (the street rates each of its communities'
performance of its management and service duties, once per quarter). Ratings made before this revision
stay where they are: the single 1–5 `score` of `rate_department` in the task's submitted values, which the
dashboard still reads and shows apart as earlier single-score ratings.
"""
from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime


revision = '0022_ratings'
down_revision = '0021_departments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'department_rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rater_org_id', sa.Integer(), nullable=False),
        sa.Column('rated_org_id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('need_key', sa.String(length=64), nullable=False),
        sa.Column('rated_by_id', sa.Integer(), nullable=True),
        sa.Column('guidance', sa.Integer(), nullable=False),
        sa.Column('service', sa.Integer(), nullable=False),
        sa.Column('payment', sa.Integer(), nullable=False),
        sa.Column('interference', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('rated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['rater_org_id'], ['organisation.id'],
                                name=op.f('fk_department_rating_rater_org_id_organisation')),
        sa.ForeignKeyConstraint(['rated_org_id'], ['organisation.id'],
                                name=op.f('fk_department_rating_rated_org_id_organisation')),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_department_rating_instance_id_instance')),
        sa.ForeignKeyConstraint(['rated_by_id'], ['user_account.id'],
                                name=op.f('fk_department_rating_rated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_department_rating')))
    op.create_index(op.f('ix_department_rating_rater_org_id'), 'department_rating', ['rater_org_id'], unique=False)
    op.create_index(op.f('ix_department_rating_rated_org_id'), 'department_rating', ['rated_org_id'], unique=False)
    op.create_index(op.f('ix_department_rating_instance_id'), 'department_rating', ['instance_id'], unique=False)
    op.create_table(
        'community_rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('rater_org_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('need_response', sa.Integer(), nullable=False),
        sa.Column('handling_quality', sa.Integer(), nullable=False),
        sa.Column('democratic_procedure', sa.Integer(), nullable=False),
        sa.Column('resident_satisfaction', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('rated_by_id', sa.Integer(), nullable=False),
        sa.Column('rated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['organisation.id'],
                                name=op.f('fk_community_rating_community_id_organisation')),
        sa.ForeignKeyConstraint(['rater_org_id'], ['organisation.id'],
                                name=op.f('fk_community_rating_rater_org_id_organisation')),
        sa.ForeignKeyConstraint(['rated_by_id'], ['user_account.id'],
                                name=op.f('fk_community_rating_rated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_community_rating')),
        sa.UniqueConstraint('community_id', 'period', name=op.f('uq_community_rating_community_id_period')))
    op.create_index(op.f('ix_community_rating_community_id'), 'community_rating', ['community_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_community_rating_community_id'), table_name='community_rating')
    op.drop_table('community_rating')
    op.drop_index(op.f('ix_department_rating_instance_id'), table_name='department_rating')
    op.drop_index(op.f('ix_department_rating_rated_org_id'), table_name='department_rating')
    op.drop_index(op.f('ix_department_rating_rater_org_id'), table_name='department_rating')
    op.drop_table('department_rating')
