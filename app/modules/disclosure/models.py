"""Public disclosures (公示) and the objections residents file against them."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.people.org import Organisation
from app.status import StrEnum, transitions


class Disclosure(Base):
    """A public notice (公示): needs collected, a decision, progress, effects, or a rejection."""

    __tablename__ = "disclosure"
    __table_args__ = (Index("ix_disclosure_community_kind", "community_id", "kind", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    project_key: Mapped[str | None] = mapped_column(String(64), index=True)  # "" or None: a community notice
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Organisation] = relationship()
    project: Mapped["Project"] = relationship("Project")  # noqa: F821 (app.modules.decision.models; None: no project)
    objections: Mapped[list["Objection"]] = relationship(back_populates="disclosure", order_by="Objection.id")


class ObjectionStatus(StrEnum):
    """An objection: open until the residents' committee answers it, settled or not."""

    OPEN = "open"
    SETTLED = "settled"
    UNSETTLED = "unsettled"


transitions(ObjectionStatus, {ObjectionStatus.OPEN: (ObjectionStatus.SETTLED, ObjectionStatus.UNSETTLED)})


class Objection(Base):
    """An objection to a disclosure, answered by the residents' committee within three days."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(16), default=ObjectionStatus.OPEN)
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"))

    disclosure: Mapped[Disclosure] = relationship(back_populates="objections")


