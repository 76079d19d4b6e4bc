"""People who follow a case wherever it goes, whatever their role's routing (a need's lead, its lines' contacts)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.people.models import User


class InstanceFollower(Base):
    """A person named on a case: they may open it wherever it stands (`reason`: lead, line)."""

    __tablename__ = "instance_follower"
    __table_args__ = (UniqueConstraint("instance_id", "user_id", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
