"""meetings: the meeting record and the delivery records of notices

Revision ID: 0015_meetings
Revises: 0014
Create Date: 2026-12-04 18:30:00

Each recorded deliberation (`meeting`) gets its meeting record (会议记录): the instant it was held, place,
convener, chair and the chair's post, recorder, observers, agenda, discussion, whether it was an online vote,
and the signed minutes (an attachment). The string `meeting.project_key` goes (the project is named by
`project_id` since 0014); a downgrade restores it from the project. `meeting_notice` holds the delivery
records (送达记录) of the plans sent to a body's members before its meeting.
"""
from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime

revision = '0015_meetings'
down_revision = '0014'
branch_labels = None
depends_on = None

project = sa.table("project", sa.column("id"), sa.column("project_key"))
meeting = sa.table("meeting", sa.column("project_id"), sa.column("project_key"))
TEXT_COLUMNS = (("place", sa.String(200)), ("convener", sa.String(32)), ("chair", sa.String(50)),
                ("chair_post", sa.String(32)), ("recorder", sa.String(50)), ("observers", sa.Text()),
                ("agenda", sa.Text()), ("discussion", sa.Text()))


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', UTCDateTime(), nullable=True))
        for name, kind in TEXT_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=""))
        batch_op.add_column(sa.Column('is_online', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('minutes_attachment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meeting_minutes_attachment_id_attachment'), 'attachment',
                                    ['minutes_attachment_id'], ['id'])
        batch_op.drop_index('ix_meeting_project')
        batch_op.drop_column('project_key')
    op.create_table(
        'meeting_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('meeting', sa.String(length=64), nullable=False),
        sa.Column('delivered_at', UTCDateTime(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('delivered_by', sa.String(length=50), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_meeting_notice_project_id_project')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_meeting_notice_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_notice')))
    with op.batch_alter_table('meeting_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_notice_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('meeting_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_notice_project_id'))
    op.drop_table('meeting_notice')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_key', sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index('ix_meeting_project', ['project_key', 'id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_meeting_minutes_attachment_id_attachment'), type_='foreignkey')
        batch_op.drop_column('minutes_attachment_id')
        batch_op.drop_column('is_online')
        for name, _kind in reversed(TEXT_COLUMNS):
            batch_op.drop_column(name)
        batch_op.drop_column('held_at')
    op.get_bind().execute(meeting.update().where(meeting.c.project_id.is_not(None)).values(
        project_key=sa.select(project.c.project_key).where(project.c.id == meeting.c.project_id).scalar_subquery()))
