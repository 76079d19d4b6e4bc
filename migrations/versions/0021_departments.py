"""district departments

Revision ID: 0021_departments
Revises: 0020_duty_roster
Create Date: 2026-12-06 21:45:00

District departments (区级职能部门) are organisations of kind `department` under their district, each with its
own users; a street dispatches (派单) a need to one of them. A ready task may be restricted to one organisation
(`ready_task.candidate_org_id`, from the task's `candidate_org` property), and an instance keeps the codes of
the organisations it was dispatched to (`instance.routed_orgs`), so a department's users see exactly those
cases. Existing rows need no data change: no task is restricted and no case dispatched yet, and the users who
hold `district_department` at the district keep seeing what is routed to that role.
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_departments'
down_revision = '0020_duty_roster'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('routed_orgs', sa.Text(), nullable=False, server_default=','))
    with op.batch_alter_table('ready_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidate_org_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ready_task_candidate_org_id_organisation'), 'organisation',
                                    ['candidate_org_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_ready_task_candidate_org_id'), ['candidate_org_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ready_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ready_task_candidate_org_id'))
        batch_op.drop_constraint(batch_op.f('fk_ready_task_candidate_org_id_organisation'), type_='foreignkey')
        batch_op.drop_column('candidate_org_id')
    # A plain DROP COLUMN: batch mode would rebuild the instance table, which SQLite refuses while other
    # tables' rows point at it.
    op.execute("ALTER TABLE instance DROP COLUMN routed_orgs")
