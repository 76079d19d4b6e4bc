"""五议两公开一备案 records: registers, projects, meetings, ballots, public disclosures, objections."""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.org import Organisation

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
    # Delivery (精准实施): the list's columns, so lists and exports never read engine state.
    category: Mapped[str | None] = mapped_column(String(32))
    budget_fen: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    selection_mode: Mapped[str | None] = mapped_column(String(16))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    progress_percent: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Evaluation (精确评估).
    survey_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the process closed it
    survey_responses: Mapped[int] = mapped_column(default=0)
    satisfaction_avg: Mapped[float | None]
    satisfied_share: Mapped[float | None]
    self_score: Mapped[int | None]
    community_score: Mapped[int | None]
    third_party_score: Mapped[int | None]
    follow_up_code: Mapped[str | None] = mapped_column(String(64))

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


class ProjectApplication(Base):
    """A provider's application to deliver a published project (认领)."""

    __tablename__ = "project_application"
    __table_args__ = (UniqueConstraint("project_id", "applicant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    unit_name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="applied")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerSignup(Base):
    """A volunteer signed up to serve on a published project."""

    __tablename__ = "volunteer_signup"
    __table_args__ = (UniqueConstraint("project_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


FUND_INCOME = ("fiscal", "donation", "sponsorship", "crowdfunding")
FUND_KINDS = FUND_INCOME + ("spending",)


class FundEntry(Base):
    """One line of a project's 微基金 1+X ledger: the fiscal share, an X contribution, or spending."""

    __tablename__ = "fund_entry"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="positive_amount"),
                      Index("ix_fund_entry_project", "project_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200), default="")
    amount_fen: Mapped[int]
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyResponse(Base):
    """One resident's answer in a project's satisfaction survey: one per respondent."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("project_id", "respondent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    respondent_key: Mapped[str] = mapped_column(String(80))
    satisfaction: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


RESOURCE_KINDS = ("unit", "organisation", "volunteer", "venue", "fund")


class Resource(Base):
    """A line of the resources list (资源清单): a unit, organisation, volunteer team, venue or fund."""

    __tablename__ = "resource"
    __table_args__ = (Index("ix_resource_community_kind", "community_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Organisation] = relationship()
