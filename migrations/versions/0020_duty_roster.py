"""duty roster and first responders

Revision ID: 0020_duty_roster
Revises: 0019_micro_fund
Create Date: 2026-12-06 21:30:00

首问负责: `duty_shift` is the duty roster (值班表), a community worker on duty at a community from one China date
to another; online needs go to the day's on-duty worker. `instance.first_responder_id` names the person who
answers for a need (首问责任人): notified at its every stage, able to follow it wherever it goes. Backfilled for
existing needs from their start data (the `first_responder` username the instance_started event recorded).
The column has no foreign key: adding one to `instance` on SQLite rebuilds the table, and dropping the old one
would cascade into its ready tasks, spans and trails.
"""
import json

from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime


revision = '0020_duty_roster'
down_revision = '0019_micro_fund'
branch_labels = None
depends_on = None

instance = sa.table("instance", sa.column("id"), sa.column("process_id"), sa.column("first_responder_id"))
event = sa.table("audit_event", sa.column("instance_id"), sa.column("event_type"), sa.column("data_changes"))
user = sa.table("user_account", sa.column("id"), sa.column("username"))


def upgrade() -> None:
    op.create_table(
        'duty_shift',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=100), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['organisation.id'],
                                name=op.f('fk_duty_shift_community_id_organisation')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_duty_shift_user_id_user_account')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_duty_shift_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_shift')))
    op.create_index('ix_duty_shift_day', 'duty_shift', ['community_id', 'starts_on', 'ends_on'], unique=False)
    op.create_index(op.f('ix_duty_shift_user_id'), 'duty_shift', ['user_id'], unique=False)
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_responder_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_instance_first_responder_id'), ['first_responder_id'], unique=False)
    backfill(op.get_bind())


def backfill(bind) -> None:
    """Each need's first responder from the username its start data named (none when that account is gone)."""
    ids = dict(bind.execute(sa.select(user.c.username, user.c.id)).all())
    rows = bind.execute(sa.select(event.c.instance_id, event.c.data_changes)
                        .select_from(event.join(instance, instance.c.id == event.c.instance_id))
                        .where(event.c.event_type == "instance_started", instance.c.process_id == "need_lifecycle"))
    found: dict[int, int] = {}
    for instance_id, changes in rows:
        changes = json.loads(changes) if isinstance(changes, str) else (changes or {})
        named = (changes.get("first_responder") or [None, None])[-1]
        if isinstance(named, str) and named in ids:
            found[instance_id] = ids[named]
    for instance_id, user_id in found.items():
        bind.execute(instance.update().where(instance.c.id == instance_id).values(first_responder_id=user_id))


def downgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instance_first_responder_id'))
    op.execute("ALTER TABLE instance DROP COLUMN first_responder_id")
    op.drop_index(op.f('ix_duty_shift_user_id'), table_name='duty_shift')
    op.drop_index('ix_duty_shift_day', table_name='duty_shift')
    op.drop_table('duty_shift')
