"""Evaluation records: residents' answers to a project's satisfaction survey."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


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


