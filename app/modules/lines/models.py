"""Cooperating lines (配合单位/条线) of a need: one row per line, its contact and what it reported."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.people.models import User
from app.status import StrEnum, transitions


class LineStatus(StrEnum):
    """Where a line stands: still to report (办理中) or reported (已办完)."""

    PENDING = "pending"
    DONE = "done"


# A line reports once per round; the lead sending the lines back opens a new round.
transitions(LineStatus, {LineStatus.PENDING: (LineStatus.DONE,), LineStatus.DONE: (LineStatus.PENDING,)})


class NeedLine(Base):
    """A cooperating line of a need with several lines; the lead is the case's follower with reason `lead`."""

    __tablename__ = "need_line"
    __table_args__ = (UniqueConstraint("instance_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    position: Mapped[int]
    line_name: Mapped[str] = mapped_column(String(100))
    contact_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=LineStatus.PENDING)
    report: Mapped[str] = mapped_column(Text, default="")
    rounds: Mapped[int] = mapped_column(default=1)  # 1, then one more each time the lead sends the lines back
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[User] = relationship(foreign_keys=[contact_id])
    lead: Mapped[User] = relationship(foreign_keys=[lead_id])
