"""Public disclosures (公示) and the objections residents file against them."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.people.org import Organisation
from app.people.models import User
from app.workflow.models.attachment import Attachment
from app.workflow.models.instance import Instance
from app.status import StrEnum, transitions


class Disclosure(Base):
    """A public notice (公示): needs collected, a decision, progress, effects, or a rejection."""

    __tablename__ = "disclosure"
    __table_args__ = (Index("ix_disclosure_community_kind", "community_id", "kind", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)  # None: a community notice
    # The case that posted it (its posting photo is an attachment of that case).
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the process leaves the publicity period (its timer fired, or it ended): objections close then,
    # whatever the clock says. A newer notice of the same decision (re-disclosure after revision) replaces it.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure.id"))
    # The bulletin-board notice (公示栏): who issues it, where objections go, and a photo of it posted.
    issuer: Mapped[str] = mapped_column(String(200), default="")
    objection_phone: Mapped[str] = mapped_column(String(50), default="")
    objection_address: Mapped[str] = mapped_column(String(200), default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))

    community: Mapped[Organisation] = relationship()
    project: Mapped["Project"] = relationship("Project")  # noqa: F821 (app.modules.decision.models; None: no project)
    objections: Mapped[list["Objection"]] = relationship(back_populates="disclosure", order_by="Objection.id")
    superseded_by: Mapped["Disclosure | None"] = relationship(remote_side=[id])
    instance: Mapped[Instance | None] = relationship()
    photo: Mapped[Attachment | None] = relationship()


OBJECTION_CHANNELS = ("online", "in_person", "phone", "written")  # 网上 / 现场 / 电话 / 书面
RECORDED_CHANNELS = OBJECTION_CHANNELS[1:]  # the ones a worker records on the objector's behalf


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
    # How it was made: online by the objector, or in person, by phone or in writing and recorded by a worker.
    channel: Mapped[str] = mapped_column(String(16), default="online")
    objector_name: Mapped[str] = mapped_column(String(100), default="")
    objector_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # told in-app when set
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    disclosure: Mapped[Disclosure] = relationship(back_populates="objections")
    objector: Mapped[User | None] = relationship(foreign_keys=[objector_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


