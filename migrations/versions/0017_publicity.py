"""publicity: the period as a process state, objections recorded by workers, the bulletin-board notice

Revision ID: 0017_publicity
Revises: 0016_filing
Create Date: 2026-12-04 18:30:00

A disclosure is closed by its process (`closed_at`) and replaced by a newer notice (`superseded_by_id`); it
names the case that posted it (`instance_id`, backfilled from its project) and carries the notice's issuer,
where objections go and its posting photo. The string `project_key` goes: `project_id` names the project.
An objection says how it was made (`channel`), by whom, who recorded it and when the objector was told.
An outbox message may go to a number without an account (`recipient_id` NULL).
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '0017_publicity'
down_revision = '0016_filing'
branch_labels = None
depends_on = None

project = sa.table("project", sa.column("id"), sa.column("project_key"), sa.column("instance_id"))
disclosure = sa.table("disclosure", sa.column("project_id"), sa.column("project_key"), sa.column("instance_id"))


def upgrade() -> None:
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('issuer', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('objection_phone', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('objection_address', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('photo_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_disclosure_instance_id_instance'), 'instance',
                                    ['instance_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_disclosure_superseded_by_id_disclosure'), 'disclosure',
                                    ['superseded_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_disclosure_photo_id_attachment'), 'attachment', ['photo_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_disclosure_instance_id'), ['instance_id'], unique=False)
    op.get_bind().execute(disclosure.update().where(disclosure.c.project_id.is_not(None)).values(
        instance_id=sa.select(project.c.instance_id).where(project.c.id == disclosure.c.project_id).scalar_subquery()))
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_project_key'))
        batch_op.drop_column('project_key')
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), nullable=False, server_default='online'))
        batch_op.add_column(sa.Column('objector_name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('objector_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notified_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_objection_objector_id_user_account'), 'user_account',
                                    ['objector_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_objection_recorded_by_id_user_account'), 'user_account',
                                    ['recorded_by_id'], ['id'])
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    outbox = sa.table("outbox_message", sa.column("recipient_id"))
    op.get_bind().execute(outbox.delete().where(outbox.c.recipient_id.is_(None)))  # no account to send them to
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_objection_recorded_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_objection_objector_id_user_account'), type_='foreignkey')
        for column in ('notified_at', 'recorded_by_id', 'objector_id', 'objector_name', 'channel'):
            batch_op.drop_column(column)
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_disclosure_project_key'), ['project_key'], unique=False)
    op.get_bind().execute(disclosure.update().values(project_key=sa.func.coalesce(
        sa.select(project.c.project_key).where(project.c.id == disclosure.c.project_id).scalar_subquery(), "")))
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_instance_id'))
        batch_op.drop_constraint(batch_op.f('fk_disclosure_photo_id_attachment'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_disclosure_superseded_by_id_disclosure'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_disclosure_instance_id_instance'), type_='foreignkey')
        for column in ('photo_id', 'objection_address', 'objection_phone', 'issuer', 'superseded_by_id', 'closed_at',
                       'instance_id'):
            batch_op.drop_column(column)
