"""a need's lead and cooperating lines

Revision ID: 0023_lines
Revises: 0022_ratings
Create Date: 2026-12-06 21:30:00

指定责任 / 兜底负责: `need_line` holds each cooperating line (配合单位/条线) of a need that needs several, with
its contact, the lead, its status and report; `instance_follower` names the people who follow a case
wherever it goes (the lead, the lines' contacts), so they may open it whatever their role's routing.
"""
from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime


revision = '0023_lines'
down_revision = '0022_ratings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'instance_follower',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], ondelete='CASCADE',
                                name=op.f('fk_instance_follower_instance_id_instance')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_instance_follower_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_instance_follower')),
        sa.UniqueConstraint('instance_id', 'user_id', 'reason',
                            name=op.f('uq_instance_follower_instance_id_user_id_reason')))
    op.create_index(op.f('ix_instance_follower_instance_id'), 'instance_follower', ['instance_id'], unique=False)
    op.create_index(op.f('ix_instance_follower_user_id'), 'instance_follower', ['user_id'], unique=False)
    op.create_table(
        'need_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('line_name', sa.String(length=100), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('report', sa.Text(), nullable=False),
        sa.Column('rounds', sa.Integer(), nullable=False),
        sa.Column('reported_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], ondelete='CASCADE',
                                name=op.f('fk_need_line_instance_id_instance')),
        sa.ForeignKeyConstraint(['community_id'], ['organisation.id'],
                                name=op.f('fk_need_line_community_id_organisation')),
        sa.ForeignKeyConstraint(['contact_id'], ['user_account.id'], name=op.f('fk_need_line_contact_id_user_account')),
        sa.ForeignKeyConstraint(['lead_id'], ['user_account.id'], name=op.f('fk_need_line_lead_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_need_line')),
        sa.UniqueConstraint('instance_id', 'position', name=op.f('uq_need_line_instance_id_position')))
    op.create_index(op.f('ix_need_line_instance_id'), 'need_line', ['instance_id'], unique=False)
    op.create_index(op.f('ix_need_line_contact_id'), 'need_line', ['contact_id'], unique=False)
    op.create_index(op.f('ix_need_line_lead_id'), 'need_line', ['lead_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_need_line_lead_id'), table_name='need_line')
    op.drop_index(op.f('ix_need_line_contact_id'), table_name='need_line')
    op.drop_index(op.f('ix_need_line_instance_id'), table_name='need_line')
    op.drop_table('need_line')
    op.drop_index(op.f('ix_instance_follower_user_id'), table_name='instance_follower')
    op.drop_index(op.f('ix_instance_follower_instance_id'), table_name='instance_follower')
    op.drop_table('instance_follower')
