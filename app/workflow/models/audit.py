"""The append-only audit log: each event carries the hash of the one before it, and a keyed MAC of its own."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    summary: Mapped[str] = mapped_column(String(300), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    task_bpmn_id: Mapped[str | None] = mapped_column(String(100))
    task_name: Mapped[str | None] = mapped_column(String(200))
    data_changes: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA256 of `hash` under AUDIT_KEY (not in the database); NULL only where never signed.
    mac: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User", viewonly=True)


class AuditHead(Base):
    """One row: the chain's last sequence number and hash; locked while appending."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    last_mac: Mapped[str | None] = mapped_column(String(64))  # HMAC of (last_seq, last_hash) under AUDIT_KEY
