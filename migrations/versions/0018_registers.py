"""named registers

Revision ID: 0018_registers
Revises: 0017_publicity
Create Date: 2026-12-04 18:30:00

The registers (花名册) hold people, not typed head-counts: `register_member` (one row per member of a
community body, with grid, phone, status and dates, and the member's account when they have one) replaces
`community_register`. Each count a community had typed becomes that many placeholder members
(待补录成员1…N, status 在册), so the denominators of running decisions stay as they were until an
administrator imports the real register. Meetings keep their sign-in sheet (`meeting_attendance`); a ballot
names the register member who voted, and a vote the clerk recorded for a member without an account keeps
the clerk and the reason.
"""
from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime


revision = '0018_registers'
down_revision = '0017_publicity'
branch_labels = None
depends_on = None

counts = sa.table("community_register", sa.column("community_id"), sa.column("body"), sa.column("members"),
                  sa.column("updated_at"))
members = sa.table("register_member", sa.column("community_id"), sa.column("body"), sa.column("name"),
                   sa.column("phone"), sa.column("affiliation"), sa.column("status"), sa.column("updated_at"))


def upgrade() -> None:
    op.create_table(
        'register_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('grid_id', sa.Integer(), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('affiliation', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('joined_on', sa.Date(), nullable=True),
        sa.Column('left_on', sa.Date(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['organisation.id'],
                                name=op.f('fk_register_member_community_id_organisation')),
        sa.ForeignKeyConstraint(['grid_id'], ['organisation.id'], name=op.f('fk_register_member_grid_id_organisation')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_register_member_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_register_member')))
    op.create_index('ix_register_member_body', 'register_member', ['community_id', 'body', 'id'], unique=False)
    op.create_index(op.f('ix_register_member_user_id'), 'register_member', ['user_id'], unique=False)
    op.create_table(
        'meeting_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('excused', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_attendance_meeting_id_meeting')),
        sa.ForeignKeyConstraint(['member_id'], ['register_member.id'],
                                name=op.f('fk_meeting_attendance_member_id_register_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendance')),
        sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_meeting_attendance_meeting_id_member_id')))
    op.create_index(op.f('ix_meeting_attendance_meeting_id'), 'meeting_attendance', ['meeting_id'], unique=False)
    op.create_index(op.f('ix_meeting_attendance_member_id'), 'meeting_attendance', ['member_id'], unique=False)
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.alter_column('voter_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=300), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_ballot_member_id_register_member'), 'register_member',
                                    ['member_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ballot_recorded_by_id_user_account'), 'user_account',
                                    ['recorded_by_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_ballot_key_member_id'), ['ballot_key', 'member_id'])
    placeholders(op.get_bind())
    op.drop_table('community_register')


def placeholders(bind) -> None:
    """Each typed count becomes as many placeholder members, so no denominator changes under a running case."""
    now = sa.func.current_timestamp()
    for community_id, body, count in bind.execute(sa.select(counts.c.community_id, counts.c.body,
                                                            counts.c.members)).all():
        rows = [{"community_id": community_id, "body": body, "name": f"待补录成员{n}", "phone": "",
                 "affiliation": "", "status": "on_record"} for n in range(1, (count or 0) + 1)]
        if rows:
            bind.execute(members.insert().values(updated_at=now), rows)


def downgrade() -> None:
    op.create_table(
        'community_register',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.String(length=32), nullable=False),
        sa.Column('members', sa.Integer(), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['organisation.id'],
                                name=op.f('fk_community_register_community_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_community_register')),
        sa.UniqueConstraint('community_id', 'body', name=op.f('uq_community_register_community_id_body')))
    bind = op.get_bind()
    grouped = bind.execute(sa.select(members.c.community_id, members.c.body, sa.func.count())
                           .where(sa.text("left_on IS NULL")).group_by(members.c.community_id, members.c.body)).all()
    for community_id, body, count in grouped:
        bind.execute(counts.insert().values(community_id=community_id, body=body, members=count,
                                            updated_at=sa.func.current_timestamp()))
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ballot_ballot_key_member_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_ballot_recorded_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ballot_member_id_register_member'), type_='foreignkey')
        batch_op.drop_column('reason')
        batch_op.drop_column('recorded_by_id')
        batch_op.drop_column('member_id')
    op.execute("DELETE FROM ballot WHERE voter_id IS NULL")
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.alter_column('voter_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f('ix_meeting_attendance_member_id'), table_name='meeting_attendance')
    op.drop_index(op.f('ix_meeting_attendance_meeting_id'), table_name='meeting_attendance')
    op.drop_table('meeting_attendance')
    op.drop_index(op.f('ix_register_member_user_id'), table_name='register_member')
    op.drop_index('ix_register_member_body', table_name='register_member')
    op.drop_table('register_member')
