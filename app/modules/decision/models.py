"""The decision (五议) records: community registers, projects, meetings and ballots."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.status import StrEnum, transitions
from app.people.models import User
from app.people.org import Organisation
from app.workflow.models.attachment import Attachment

VOTES = ("for", "against", "abstain")
REGISTER_BODIES = ("party_committee", "two_committees", "party_members", "representatives", "residents")


class MemberStatus(StrEnum):
    """A registered member's standing (花名册「状态」): every status counts toward 应到 while the member is on the
    register (no left_on, or a later one); members on leave, away (流动) or abroad may be excused at a meeting, with
    a reason, and then leave that meeting's denominator."""

    ON_RECORD = "on_record"  # 在册
    ON_LEAVE = "on_leave"  # 请假
    AWAY = "away"  # 流动
    ABROAD = "abroad"  # 出国
    OTHER = "other"  # 其他


EXCUSABLE = (MemberStatus.ON_LEAVE, MemberStatus.AWAY, MemberStatus.ABROAD)


class RegisterMember(Base):
    """One person on a community body's register (花名册): the people the meeting rules count."""

    __tablename__ = "register_member"
    __table_args__ = (Index("ix_register_member_body", "community_id", "body", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    body: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    phone: Mapped[str] = mapped_column(String(20), default="")  # whole here; shown masked (138****1234)
    affiliation: Mapped[str] = mapped_column(String(100), default="")  # 身份/所属组织
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.ON_RECORD)
    joined_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grid: Mapped[Organisation | None] = relationship(foreign_keys=[grid_id], lazy="joined")
    user: Mapped["User | None"] = relationship(lazy="joined")

    def on_register(self, day: date) -> bool:
        """Whether the member counts on `day` (joined by then and not yet left)."""
        return (self.joined_on is None or self.joined_on <= day) and (self.left_on is None or self.left_on > day)


class MeetingAttendance(Base):
    """One line of a meeting's sign-in sheet (签到): a member present, or excused with the reason."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("register_member.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))  # as signed, so the record stays when the register changes
    excused: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(300), default="")


class ProjectStatus(StrEnum):
    """Where a project stands (项目清单); the diagrams set it with `set_project_status`, people see "project_<status>"."""

    DECIDING = "deciding"
    DISCLOSED = "disclosed"
    FILED = "filed"
    REJECTED = "rejected"
    CLAIMING = "claiming"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    EVALUATING = "evaluating"
    EVALUATED = "evaluated"


S = ProjectStatus
# The order the shipped diagrams go in; a status may be set again where a diagram loops back (a revised plan is
# disclosed again, a project nobody claimed is published again). A need the resident rates poorly is handled
# again (重新办理): its project, rejected or evaluated, goes through the decision once more.
transitions(ProjectStatus, {
    S.DECIDING: (S.DECIDING, S.DISCLOSED, S.REJECTED),
    S.DISCLOSED: (S.DISCLOSED, S.FILED, S.REJECTED, S.DECIDING),
    S.FILED: (S.FILED, S.CLAIMING),
    S.CLAIMING: (S.CLAIMING, S.DELIVERING),
    S.DELIVERING: (S.COMPLETED,),
    S.COMPLETED: (S.DELIVERED,),
    S.DELIVERED: (S.EVALUATING,),
    S.EVALUATING: (S.EVALUATED,),
    S.EVALUATED: (S.DISCLOSED, S.REJECTED),
    S.REJECTED: (S.DISCLOSED, S.REJECTED),
})
del S
# Not (or no longer) open to applications, progress reports and volunteers.
NOT_DELIVERING = (ProjectStatus.DECIDING, ProjectStatus.REJECTED, ProjectStatus.EVALUATED)


class Project(Base):
    """A project under decision or delivery (项目清单), keyed like the need it grew from."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_key: Mapped[str] = mapped_column(String(64), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default=ProjectStatus.DECIDING)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Delivery (精准实施): the list's columns, so lists and exports never read engine state.
    category: Mapped[str | None] = mapped_column(String(32))
    budget_fen: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    selection_mode: Mapped[str | None] = mapped_column(String(16))
    funding_mode: Mapped[str | None] = mapped_column(String(32))  # 直接资助 / 以奖代补 / 政府购买 / 公益创投
    # The budget not covered by committed funding at design time (fen); None until designed.
    funding_gap_fen: Mapped[int | None]
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    progress_percent: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Evaluation (精确评估).
    survey_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the process closed it
    survey_responses: Mapped[int] = mapped_column(default=0)
    satisfaction_avg: Mapped[float | None]
    satisfied_share: Mapped[float | None]
    self_score: Mapped[int | None]
    community_score: Mapped[int | None]
    third_party_score: Mapped[int | None]
    follow_up_code: Mapped[str | None] = mapped_column(String(64))

    community: Mapped[Organisation] = relationship()


class Meeting(Base):
    """One recorded deliberation (一议): the meeting record (会议记录), with the rule's verdict and its reason."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_project_id", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    meeting: Mapped[str] = mapped_column(String(64))
    held_on: Mapped[date | None] = mapped_column(Date)
    notice_date: Mapped[date | None] = mapped_column(Date)
    assembly: Mapped[str] = mapped_column(String(32), default="")
    members_total: Mapped[int] = mapped_column(default=0)
    present: Mapped[int] = mapped_column(default=0)
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)
    abstain: Mapped[int] = mapped_column(default=0)
    evidence_count: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[str] = mapped_column(Text, default="")
    is_valid: Mapped[bool] = mapped_column(Boolean)
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(300), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The meeting record (会议记录): when and where, who convened, chaired and recorded it, who sat in, what was
    # on the agenda and how it was discussed; the signed minutes are an attachment of the case.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    convener: Mapped[str] = mapped_column(String(32), default="")
    chair: Mapped[str] = mapped_column(String(50), default="")
    chair_post: Mapped[str] = mapped_column(String(32), default="")
    recorder: Mapped[str] = mapped_column(String(50), default="")
    observers: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    discussion: Mapped[str] = mapped_column(Text, default="")
    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    minutes_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    minutes_attachment: Mapped[Attachment | None] = relationship()


class MeetingNotice(Base):
    """A delivery record (送达记录): the plan sent to a body's members before its meeting, dated when recorded."""

    __tablename__ = "meeting_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    meeting: Mapped[str] = mapped_column(String(64))
    # Stamped by the app's clock when the delivery is recorded: a notice cannot be dated back.
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[int]
    delivered_by: Mapped[str] = mapped_column(String(50))
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Ballot(Base):
    """One registered member's online vote, cast through their account or recorded by the clerk with a reason;
    the unique keys make it one vote per member (and per account) per ballot."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("ballot_key", "voter_id"), UniqueConstraint("ballot_key", "member_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_key: Mapped[str] = mapped_column(String(120), index=True)
    # The case the ballot belongs to (its key is the case's business key, a colon, then the round).
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # the member's own account
    member_id: Mapped[int | None] = mapped_column(ForeignKey("register_member.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # the clerk, for a member
    reason: Mapped[str] = mapped_column(String(300), default="")  # why the clerk recorded it
    vote: Mapped[str] = mapped_column(String(16))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


