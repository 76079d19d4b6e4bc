"""Filings (备案): one row per decision reported to the street, numbered per street and year."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.people.org import Organisation
from app.status import StrEnum


class FilingOutcome(StrEnum):
    """What was filed: a decision the street filed (予以备案), or a project rejected (未通过，不予实施)."""

    FILED = "filed"
    REJECTED = "rejected"


class Filing(Base):
    """A filed decision: its number (芝罘区-幸福街道-2026-0001) is sequential per street and year, and unique."""

    __tablename__ = "filing"
    __table_args__ = (UniqueConstraint("street_id", "year", "sequence"),
                      Index("ix_filing_project", "project_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    street_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # the street office filing it
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(120), unique=True)
    filed_on: Mapped[date] = mapped_column(Date)  # China date
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    street: Mapped[Organisation] = relationship()
