"""The resources list (资源清单): units, organisations, volunteer teams, venues and funds on record."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.people.org import Organisation

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
