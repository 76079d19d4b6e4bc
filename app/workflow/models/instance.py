"""Process instances (state only, pinned to a version) and the ready-task projection."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.status import StrEnum, transitions
from app.people.org import Organisation
from app.workflow.models.process import ProcessVersion
from app.people.models import User


class InstanceStatus(StrEnum):
    """Where an instance stands: the engine's run result, stored as is."""

    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"  # an incident: retried (running again) or cancelled by an administrator
    CANCELLED = "cancelled"


transitions(InstanceStatus, {
    InstanceStatus.RUNNING: (InstanceStatus.RUNNING, InstanceStatus.COMPLETED, InstanceStatus.ERROR,
                             InstanceStatus.CANCELLED),
    InstanceStatus.ERROR: (InstanceStatus.RUNNING, InstanceStatus.COMPLETED, InstanceStatus.ERROR,
                           InstanceStatus.CANCELLED),
})
ENDED = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)


class Instance(Base):
    __tablename__ = "instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    business_key: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # Projected from the start data, for the overlap check and lists (never read back into the engine).
    category: Mapped[str | None] = mapped_column(String(32))
    grid: Mapped[str | None] = mapped_column(String(64))
    supporters: Mapped[int] = mapped_column(default=1)
    priority: Mapped[int] = mapped_column(default=0)
    merged_into: Mapped[str | None] = mapped_column(String(64))
    # ",street_officer,district_department,": roles any task was ever offered to, for scoping.
    routed_roles: Mapped[str] = mapped_column(String(400), default=",")
    # ",zhifu-mz,": codes of the organisations a task was ever restricted to (`candidate_org`), for scoping.
    routed_orgs: Mapped[str] = mapped_column(Text, default=",", server_default=",")
    status: Mapped[str] = mapped_column(String(16), default=InstanceStatus.RUNNING, index=True)
    outcome: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # 首问责任人, projected from the start data's `first_responder` (a username): told of every stage, and may
    # follow the case wherever it goes. No foreign key: see migration 0019 (adding one rebuilds this table).
    first_responder_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last failure (status "error": an incident): when, at which element, and the engine's message.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_element: Mapped[str | None] = mapped_column(String(100))
    failed_element_name: Mapped[str | None] = mapped_column(String(200))
    failure: Mapped[str | None] = mapped_column(Text)
    # Timer passes begun on this instance and never finished (the process was killed meanwhile).
    timer_attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    # Loaded when shown, not on the hot path (which needs only the ids).
    version: Mapped[ProcessVersion] = relationship()
    community: Mapped[Organisation] = relationship()
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    first_responder: Mapped[User | None] = relationship(
        primaryjoin="foreign(Instance.first_responder_id) == User.id", viewonly=True)

    __table_args__ = (Index("ix_instance_overlap", "community_id", "category", "status"),)
    __mapper_args__ = {"version_id_col": lock_version}


class ReadyTask(Base):
    """A ready user task, projected from instance state in the same transaction, for inboxes."""

    __tablename__ = "ready_task"
    __table_args__ = (Index("ix_ready_task_role_community", "role", "community_id", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(32))
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Offered only to the users of this organisation (the task's `candidate_org` property names the variable).
    candidate_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    instance: Mapped[Instance] = relationship()
    community: Mapped[Organisation] = relationship(foreign_keys=[community_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class TaskSpan(Base):
    """One user task from ready to done: the projection behind step times and the dashboard.

    Written beside the ready-task projection, in the same transaction; rows are never deleted."""

    __tablename__ = "task_span"
    __table_args__ = (Index("ix_task_span_step", "process_id", "bpmn_id", "ended_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(32))
    community_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # completed (by a person) or cancelled (a timer or the process moved on without it)
    outcome: Mapped[str | None] = mapped_column(String(16))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The submitted values, for figures such as tiers and ratings (small: one form's fields).
    result: Mapped[dict | None] = mapped_column(JSON)


class InstanceTrail(Base):
    """History compaction moved out of an instance's live state: elements completed, flows taken.

    Append-only; read only by the instance's history diagram, with the live state."""

    __tablename__ = "instance_trail"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    path: Mapped[list] = mapped_column(JSON)
    flows: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
