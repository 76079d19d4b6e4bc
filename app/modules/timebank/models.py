"""The volunteer time bank (志愿服务时间储蓄): hours, confirmed into points; redemptions; the ledger."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.status import StrEnum, transitions
from app.people.models import User


class HoursStatus(StrEnum):
    """Logged hours: waiting for a worker, then confirmed (points credited) or rejected."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


transitions(HoursStatus, {HoursStatus.PENDING: (HoursStatus.CONFIRMED, HoursStatus.REJECTED)})


class RedemptionStatus(StrEnum):
    """A redemption request: waiting for its approval process, then redeemed (points debited) or refused."""

    REQUESTED = "requested"
    REDEEMED = "redeemed"
    REFUSED = "refused"


transitions(RedemptionStatus, {RedemptionStatus.REQUESTED: (RedemptionStatus.REDEEMED, RedemptionStatus.REFUSED)})


class VolunteerHours(Base):
    """Hours a volunteer served on one activity; points are credited when a worker confirms them."""

    __tablename__ = "volunteer_hours"
    __table_args__ = (CheckConstraint("tenths > 0", name="positive_hours"),
                      Index("ix_volunteer_hours_community_status", "community_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    activity: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(64), default="")  # a project key or tracking code, if any
    served_on: Mapped[date] = mapped_column(Date)
    tenths: Mapped[int]  # hours × 10: exact arithmetic for half hours
    status: Mapped[str] = mapped_column(String(16), default=HoursStatus.PENDING)
    points: Mapped[int | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])


class TimeBankAccount(Base):
    """A volunteer's points balance; the check constraint keeps it from ever going negative."""

    __tablename__ = "time_bank_account"
    __table_args__ = (CheckConstraint("balance >= 0", name="not_negative"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TimeBankEntry(Base):
    """One movement of points (earned or redeemed) with the balance after it."""

    __tablename__ = "time_bank_entry"
    __table_args__ = (CheckConstraint("balance_after >= 0", name="not_negative"),
                      Index("ix_time_bank_entry_user", "user_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int]
    balance_after: Mapped[int]
    hours_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_hours.id"))
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemption.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Redemption(Base):
    """A request to redeem points for goods or a service, decided through `time_bank_redemption`."""

    __tablename__ = "redemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    item: Mapped[str] = mapped_column(String(200))
    points: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=RedemptionStatus.REQUESTED)
    reason: Mapped[str] = mapped_column(String(500), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    volunteer: Mapped[User] = relationship()
