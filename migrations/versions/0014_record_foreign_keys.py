"""record foreign keys

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 14:30:00

Meetings and disclosures name their project by a foreign key (`project_id` → project.id), ballots their case
(`instance_id` → instance.id), besides the string keys the diagrams pass. Backfilled from those keys: a
meeting or disclosure whose key names no project, or a ballot whose key names no case, keeps NULL.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

project = sa.table("project", sa.column("id"), sa.column("project_key"))
instance = sa.table("instance", sa.column("id"), sa.column("business_key"))
ballot = sa.table("ballot", sa.column("id"), sa.column("ballot_key"), sa.column("instance_id"))


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meeting_project_id_project'), 'project', ['project_id'], ['id'])
        batch_op.create_index('ix_meeting_project_id', ['project_id', 'id'], unique=False)
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_disclosure_project_id_project'), 'project', ['project_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_disclosure_project_id'), ['project_id'], unique=False)
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ballot_instance_id_instance'), 'instance', ['instance_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_ballot_instance_id'), ['instance_id'], unique=False)
    backfill(op.get_bind())


def backfill(bind) -> None:
    """Resolve the string keys to rows (one correlated UPDATE per table; ballots by their key's prefix)."""
    for name in ("meeting", "disclosure"):
        table = sa.table(name, sa.column("project_id"), sa.column("project_key"))
        bind.execute(table.update().where(table.c.project_key.is_not(None), table.c.project_key != "").values(
            project_id=sa.select(project.c.id).where(project.c.project_key == table.c.project_key)
            .scalar_subquery()))
    cases: dict[str, int | None] = {}
    for ballot_id, key in bind.execute(sa.select(ballot.c.id, ballot.c.ballot_key)).all():
        case_key = key.split(":", 1)[0]
        if case_key not in cases:
            cases[case_key] = bind.scalar(sa.select(sa.func.min(instance.c.id))
                                          .where(instance.c.business_key == case_key))
        if cases[case_key] is not None:
            bind.execute(ballot.update().where(ballot.c.id == ballot_id).values(instance_id=cases[case_key]))


def downgrade() -> None:
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_instance_id'))
        batch_op.drop_constraint(batch_op.f('fk_ballot_instance_id_instance'), type_='foreignkey')
        batch_op.drop_column('instance_id')
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_project_id'))
        batch_op.drop_constraint(batch_op.f('fk_disclosure_project_id_project'), type_='foreignkey')
        batch_op.drop_column('project_id')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_project_id')
        batch_op.drop_constraint(batch_op.f('fk_meeting_project_id_project'), type_='foreignkey')
        batch_op.drop_column('project_id')
