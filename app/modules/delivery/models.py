"""Delivery records: providers' applications, volunteer sign-ups and the 1+X fund ledger."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow
from app.status import StrEnum, transitions

FUND_INCOME = ("fiscal", "donation", "sponsorship", "crowdfunding")
FUND_KINDS = FUND_INCOME + ("spending",)


class ApplicationStatus(StrEnum):
    """A provider's application: waiting, then chosen or not when the provider is selected."""

    APPLIED = "applied"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"


# A project handled again (重新办理) selects its provider again, among the same applications.
transitions(ApplicationStatus, {
    ApplicationStatus.APPLIED: (ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED),
    ApplicationStatus.SELECTED: (ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED),
    ApplicationStatus.NOT_SELECTED: (ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED),
})


class ProjectApplication(Base):
    """A provider's application to deliver a published project (认领)."""

    __tablename__ = "project_application"
    __table_args__ = (UniqueConstraint("project_id", "applicant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    unit_name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.APPLIED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerSignup(Base):
    """A volunteer signed up to serve on a published project."""

    __tablename__ = "volunteer_signup"
    __table_args__ = (UniqueConstraint("project_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


