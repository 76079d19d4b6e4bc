"""Delivery records: providers' applications, volunteer sign-ups, the 1+X fund ledger and the community micro-fund."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow
from app.status import StrEnum, transitions

# What comes into a fund, by source: 财政资金, 社会捐赠, 企业赞助, 冠名基金 (with its naming donor), 众筹.
CONTRIBUTION_KINDS = ("fiscal", "donation", "sponsorship", "named_fund", "crowdfunding")
# A project's ledger also receives its draws from the community micro-fund (micro_fund).
FUND_INCOME = CONTRIBUTION_KINDS + ("micro_fund",)
FUND_KINDS = FUND_INCOME + ("spending",)
# Sources whose giver must be named (the fiscal allocation's source defaults to 财政资金).
NAMED_SOURCES = ("donation", "sponsorship", "named_fund", "crowdfunding")
# The community micro-fund's movements: contributions in, draws out to a project.
POOL_KINDS = CONTRIBUTION_KINDS + ("draw",)
# How a project is funded, chosen with its provider (select_provider).
FUNDING_MODES = ("direct_grant", "reward_subsidy", "government_purchase", "venture_philanthropy")


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
    # A micro_fund line: the community micro-fund's draw it came from.
    pool_entry_id: Mapped[int | None] = mapped_column(ForeignKey("micro_fund_entry.id"))




class MicroFund(Base):
    """A community's micro-fund (社区微基金) for one calendar year (China time): the pool projects draw on."""

    __tablename__ = "micro_fund"
    __table_args__ = (UniqueConstraint("community_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MicroFundEntry(Base):
    """One movement of a micro-fund (台账): a contribution with its source, or a draw to a project."""

    __tablename__ = "micro_fund_entry"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="positive_pool_amount"),
                      Index("ix_micro_fund_entry_fund", "fund_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("micro_fund.id"))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200), default="")
    # A named fund's name (冠名基金, e.g. “张氏助老基金”); empty for other sources.
    fund_name: Mapped[str] = mapped_column(String(200), default="")
    amount_fen: Mapped[int]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
