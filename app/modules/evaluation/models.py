"""Evaluation records: residents' answers to a project's satisfaction survey, and the two-way ratings (双向评价)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.people.org import Organisation


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




class DepartmentRating(Base):
    """双向评价 (community → government): a community's rating of the body that handled one of its needs,
    on source 001's four dimensions (指导、服务、支付、行政干预), each 1–5, written when `rate_department` completes."""

    __tablename__ = "department_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    rater_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # the community
    rated_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # street, district, department
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)  # the need
    need_key: Mapped[str] = mapped_column(String(64), default="")  # the need's tracking code
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    guidance: Mapped[int]
    service: Mapped[int]
    payment: Mapped[int]
    interference: Mapped[int]  # 5: no undue administrative interference; 1: heavy interference
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityRating(Base):
    """双向评价 (street → community): the street's rating of one community's performance of its management and
    service duties in one quarter (`2026-Q4`), four dimensions 1–5: one per community per quarter."""

    __tablename__ = "community_rating"
    __table_args__ = (UniqueConstraint("community_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    rater_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # the street
    period: Mapped[str] = mapped_column(String(8))
    need_response: Mapped[int]
    handling_quality: Mapped[int]
    democratic_procedure: Mapped[int]
    resident_satisfaction: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Organisation] = relationship(foreign_keys=[community_id])
