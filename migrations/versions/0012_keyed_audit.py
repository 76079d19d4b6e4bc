"""keyed audit

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 11:50:00.000000

The audit chain gets a keyed MAC per event (`audit_event.mac`) and on its head (`audit_head.last_mac`),
an HMAC-SHA256 under AUDIT_KEY, which the database never holds. Events written before are signed here,
with the key in force, after their plain SHA-256 chain is checked: so a log that was intact stays
verifiable as one keyed chain (no second, weaker "legacy" class of event that a forger could claim).
If the plain chain is already broken, only the intact events before the break are signed; the break
and everything after it stay unsigned, and verification keeps naming it.
"""
import logging

from alembic import context, op
import sqlalchemy as sa
import app.db


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 1000
_HASHED = ("seq", "at", "actor_id", "actor_name", "event_type", "summary", "instance_id", "task_id",
           "task_bpmn_id", "task_name", "data_changes", "prev_hash")
events = sa.table("audit_event", *(sa.column(name) for name in _HASHED if name not in ("at", "data_changes")),
                  sa.column("at", app.db.UTCDateTime(timezone=True)), sa.column("data_changes", sa.JSON()),
                  sa.column("hash"), sa.column("mac"))
head = sa.table("audit_head", sa.column("id"), sa.column("last_seq"), sa.column("last_hash"), sa.column("last_mac"))


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_mac', sa.String(length=64), nullable=True))
    sign_existing(op.get_bind(), _key())


def downgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('last_mac')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('mac')


def _key() -> bytes:
    """The key `flask db upgrade` / `flask setup` passed, else the settings' (environment or dev key)."""
    key = context.config.attributes.get("audit_key")
    if key is None:
        from app.config import load_settings
        key = load_settings()["AUDIT_KEY"]
    return key.encode()


def sign_existing(connection, key: bytes) -> None:
    """Sign the intact prefix of the plain chain, and the head when the whole chain is intact."""
    from app.workflow.audit import GENESIS, _content_hash, event_mac, head_mac
    expected, prev, last = 1, GENESIS, 0
    while True:
        rows = connection.execute(sa.select(events).where(events.c.seq >= expected).order_by(events.c.seq)
                                  .limit(BATCH)).mappings().all()
        if not rows:
            break
        signed = []
        for row in rows:
            if row["seq"] != expected or row["prev_hash"] != prev or row["hash"] != _content_hash(row):
                logging.getLogger("alembic.runtime.migration").warning(
                    "audit chain already broken at event %s: it and later events are left unsigned", expected)
                _sign(connection, signed)
                return
            signed.append({"b_seq": row["seq"], "mac": event_mac(key, row["hash"])})
            expected, prev, last = row["seq"] + 1, row["hash"], row["seq"]
        _sign(connection, signed)
    connection.execute(head.update().where(head.c.id == 1, head.c.last_seq == last, head.c.last_hash == prev)
                       .values(last_mac=head_mac(key, last, prev)))


def _sign(connection, signed: list[dict]) -> None:
    if signed:
        connection.execute(events.update().where(events.c.seq == sa.bindparam("b_seq"))
                           .values(mac=sa.bindparam("mac")), signed)
