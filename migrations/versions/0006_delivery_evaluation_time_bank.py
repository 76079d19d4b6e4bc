"""delivery evaluation time bank

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 02:08:59.519438

Project delivery and evaluation columns, applications, the 1+X fund ledger, survey responses,
the resources list and the volunteer time bank.
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('capacity', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['organisation.id'], name=op.f('fk_resource_community_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource'))
    )
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.create_index('ix_resource_community_kind', ['community_id', 'kind'], unique=False)

    op.create_table('time_bank_account',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_time_bank_account_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_time_bank_account_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_time_bank_account'))
    )
    op.create_table('volunteer_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('tenths', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('tenths > 0', name=op.f('ck_volunteer_hours_positive_hours')),
    sa.ForeignKeyConstraint(['community_id'], ['organisation.id'], name=op.f('fk_volunteer_hours_community_id_organisation')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_volunteer_hours_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_volunteer_hours_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user_account.id'], name=op.f('fk_volunteer_hours_volunteer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_hours'))
    )
    with op.batch_alter_table('volunteer_hours', schema=None) as batch_op:
        batch_op.create_index('ix_volunteer_hours_community_status', ['community_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_hours_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('redemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['organisation.id'], name=op.f('fk_redemption_community_id_organisation')),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_redemption_instance_id_instance')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user_account.id'], name=op.f('fk_redemption_volunteer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redemption'))
    )
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemption_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('fund_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_fund_entry_positive_amount')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_fund_entry_project_id_project')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_fund_entry_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_entry'))
    )
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.create_index('ix_fund_entry_project', ['project_id', 'id'], unique=False)

    op.create_table('project_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['user_account.id'], name=op.f('fk_project_application_applicant_id_user_account')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_application_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_application')),
    sa.UniqueConstraint('project_id', 'applicant_id', name=op.f('uq_project_application_project_id_applicant_id'))
    )
    with op.batch_alter_table('project_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_application_project_id'), ['project_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('respondent_key', sa.String(length=80), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_survey_response_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('project_id', 'respondent_key', name=op.f('uq_survey_response_project_id_respondent_key'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_project_id'), ['project_id'], unique=False)

    op.create_table('time_bank_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('hours_id', sa.Integer(), nullable=True),
    sa.Column('redemption_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance_after >= 0', name=op.f('ck_time_bank_entry_not_negative')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_time_bank_entry_actor_id_user_account')),
    sa.ForeignKeyConstraint(['hours_id'], ['volunteer_hours.id'], name=op.f('fk_time_bank_entry_hours_id_volunteer_hours')),
    sa.ForeignKeyConstraint(['redemption_id'], ['redemption.id'], name=op.f('fk_time_bank_entry_redemption_id_redemption')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_time_bank_entry_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_bank_entry'))
    )
    with op.batch_alter_table('time_bank_entry', schema=None) as batch_op:
        batch_op.create_index('ix_time_bank_entry_user', ['user_id', 'id'], unique=False)

    op.create_table('volunteer_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_volunteer_signup_project_id_project')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user_account.id'], name=op.f('fk_volunteer_signup_volunteer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_signup')),
    sa.UniqueConstraint('project_id', 'volunteer_id', name=op.f('uq_volunteer_signup_project_id_volunteer_id'))
    )
    with op.batch_alter_table('volunteer_signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_signup_project_id'), ['project_id'], unique=False)

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('budget_fen', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('published_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claim_closes_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('selection_mode', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('provider_name', sa.String(length=200), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('progress_percent', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('completed_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('survey_opens_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('survey_closes_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('survey_closed_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('survey_responses', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('satisfaction_avg', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('satisfied_share', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('self_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('community_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('third_party_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_code', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_project_provider_id_user_account'), 'user_account', ['provider_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_project_provider_id_user_account'), type_='foreignkey')
        batch_op.drop_column('follow_up_code')
        batch_op.drop_column('third_party_score')
        batch_op.drop_column('community_score')
        batch_op.drop_column('self_score')
        batch_op.drop_column('satisfied_share')
        batch_op.drop_column('satisfaction_avg')
        batch_op.drop_column('survey_responses')
        batch_op.drop_column('survey_closed_at')
        batch_op.drop_column('survey_closes_at')
        batch_op.drop_column('survey_opens_at')
        batch_op.drop_column('completed_at')
        batch_op.drop_column('progress_percent')
        batch_op.drop_column('provider_name')
        batch_op.drop_column('provider_id')
        batch_op.drop_column('selection_mode')
        batch_op.drop_column('claim_closes_at')
        batch_op.drop_column('published_at')
        batch_op.drop_column('budget_fen')
        batch_op.drop_column('category')

    with op.batch_alter_table('volunteer_signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_signup_project_id'))

    op.drop_table('volunteer_signup')
    with op.batch_alter_table('time_bank_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_time_bank_entry_user')

    op.drop_table('time_bank_entry')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_project_id'))

    op.drop_table('survey_response')
    with op.batch_alter_table('project_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_application_project_id'))

    op.drop_table('project_application')
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_fund_entry_project')

    op.drop_table('fund_entry')
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redemption_volunteer_id'))

    op.drop_table('redemption')
    with op.batch_alter_table('volunteer_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_hours_volunteer_id'))
        batch_op.drop_index('ix_volunteer_hours_community_status')

    op.drop_table('volunteer_hours')
    op.drop_table('time_bank_account')
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_community_kind')

    op.drop_table('resource')
