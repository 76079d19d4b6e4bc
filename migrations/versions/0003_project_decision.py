"""project decision records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 00:53:40.526279
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('community_register',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=32), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['organisation.id'], name=op.f('fk_community_register_community_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_register')),
    sa.UniqueConstraint('community_id', 'body', name=op.f('uq_community_register_community_id_body'))
    )
    op.create_table('disclosure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('project_key', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('starts_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['organisation.id'], name=op.f('fk_disclosure_community_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure'))
    )
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_community_kind', ['community_id', 'kind', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_project_key'), ['project_key'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_key', sa.String(length=120), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('vote', sa.String(length=16), nullable=False),
    sa.Column('cast_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['voter_id'], ['user_account.id'], name=op.f('fk_ballot_voter_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('ballot_key', 'voter_id', name=op.f('uq_ballot_ballot_key_voter_id'))
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_ballot_key'), ['ballot_key'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_key', sa.String(length=64), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('meeting', sa.String(length=64), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('notice_date', sa.Date(), nullable=True),
    sa.Column('assembly', sa.String(length=32), nullable=False),
    sa.Column('members_total', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('abstain', sa.Integer(), nullable=False),
    sa.Column('evidence_count', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('is_valid', sa.Boolean(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('recorded_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['organisation.id'], name=op.f('fk_meeting_community_id_organisation')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_meeting_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_project', ['project_key', 'id'], unique=False)

    op.create_table('objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disclosure_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosure.id'], name=op.f('fk_objection_disclosure_id_disclosure')),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_objection_instance_id_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection'))
    )
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objection_disclosure_id'), ['disclosure_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_key', sa.String(length=64), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('started_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['organisation.id'], name=op.f('fk_project_community_id_organisation')),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_project_instance_id_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('project_key', name=op.f('uq_project_project_key'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_instance_id'), ['instance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_instance_id'))
        batch_op.drop_index(batch_op.f('ix_project_community_id'))

    op.drop_table('project')
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objection_disclosure_id'))

    op.drop_table('objection')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_project')

    op.drop_table('meeting')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_ballot_key'))

    op.drop_table('ballot')
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_project_key'))
        batch_op.drop_index('ix_disclosure_community_kind')

    op.drop_table('disclosure')
    op.drop_table('community_register')
