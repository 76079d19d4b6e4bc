"""Process definitions and their immutable, content-addressed versions."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow


class ProcessDefinition(Base):
    __tablename__ = "process_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list["ProcessVersion"]] = relationship(
        back_populates="definition", order_by="ProcessVersion.version"
    )


class ProcessVersion(Base):
    """One deployed version: every BPMN, DMN and form file, stored once and never changed."""

    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("definition_id", "version"),
        UniqueConstraint("definition_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    # Read only when a version is parsed (once per process), never with every instance load.
    files: Mapped[dict] = mapped_column(JSON, deferred=True)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    definition: Mapped[ProcessDefinition] = relationship(back_populates="versions", lazy="joined")


class ProcessDraft(Base):
    """A designer's unsaved work on one process: the package files as last saved in the editor.

    One per designer and process id (the id may be new: a process not deployed yet)."""

    __tablename__ = "process_draft"
    __table_args__ = (UniqueConstraint("user_id", "process_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    base_version: Mapped[int | None]
    files: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
