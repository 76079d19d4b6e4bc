"""The duty roster: one row per shift, a community worker on duty at a community from one day to another."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.people.models import User
from app.people.org import Organisation


class DutyShift(Base):
    """A 值班社工 on duty at a community on every day from `starts_on` to `ends_on` (China dates, both included).

    Shifts of one community never overlap, so each day has at most one on-duty worker."""

    __tablename__ = "duty_shift"
    __table_args__ = (Index("ix_duty_shift_day", "community_id", "starts_on", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Organisation] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
