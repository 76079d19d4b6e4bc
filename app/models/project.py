"""五议两公开一备案 records: registers, projects, meetings, ballots, public disclosures, objections."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow
from .org import Organisation

REGISTER_BODIES = ("party_committee", "two_committees", "party_members", "representatives", "residents")


class CommunityRegister(Base):
    """How many members a community's body has on record: the denominators of quorum rules."""

    __tablename__ = "community_register"
    __table_args__ = (UniqueConstraint("community_id", "body"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    body: Mapped[str] = mapped_column(String(32))
    members: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Project(Base):
    """A project under decision or delivery (项目清单), keyed like the need it grew from."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_key: Mapped[str] = mapped_column(String(64), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default="deciding")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Organisation] = relationship()


class Meeting(Base):
    """One recorded deliberation (一议), with the rule's verdict and its reason."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_project", "project_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_key: Mapped[str] = mapped_column(String(64))
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    meeting: Mapped[str] = mapped_column(String(64))
    held_on: Mapped[date | None] = mapped_column(Date)
    notice_date: Mapped[date | None] = mapped_column(Date)
    assembly: Mapped[str] = mapped_column(String(32), default="")
    members_total: Mapped[int] = mapped_column(default=0)
    present: Mapped[int] = mapped_column(default=0)
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)
    abstain: Mapped[int] = mapped_column(default=0)
    evidence_count: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[str] = mapped_column(Text, default="")
    is_valid: Mapped[bool] = mapped_column(Boolean)
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(300), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Ballot(Base):
    """One member's online vote; the unique key makes it one vote per member per ballot."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("ballot_key", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_key: Mapped[str] = mapped_column(String(120), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    vote: Mapped[str] = mapped_column(String(16))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Disclosure(Base):
    """A public notice (公示): needs collected, a decision, progress, effects, or a rejection."""

    __tablename__ = "disclosure"
    __table_args__ = (Index("ix_disclosure_community_kind", "community_id", "kind", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    project_key: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Organisation] = relationship()
    objections: Mapped[list["Objection"]] = relationship(back_populates="disclosure", order_by="Objection.id")


class Objection(Base):
    """An objection to a disclosure, answered by the residents' committee within three days."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"))

    disclosure: Mapped[Disclosure] = relationship(back_populates="objections")
