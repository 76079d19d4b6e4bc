"""Typed SQLAlchemy models; import them from here."""
from .attachment import Attachment
from .audit import AuditEvent, AuditHead
from .org import Organisation
from .process import ProcessDefinition, ProcessDraft, ProcessVersion
from .instance import Instance, InstanceTrail, ReadyTask, TaskSpan
from .notification import Notification, OutboxMessage
from .project import (Ballot, CommunityRegister, Disclosure, FundEntry, Meeting, Objection, Project, ProjectApplication,
                      Resource, SurveyResponse, VolunteerSignup)
from .timebank import Redemption, TimeBankAccount, TimeBankEntry, VolunteerHours
from .user import ApiToken, LoginFailure, User, UserRole

__all__ = [
    "Attachment",
    "Ballot", "CommunityRegister", "Disclosure", "FundEntry", "Meeting", "Objection", "Project", "ProjectApplication",
    "Resource", "SurveyResponse", "VolunteerSignup",
    "Redemption", "TimeBankAccount", "TimeBankEntry", "VolunteerHours",
    "ApiToken", "AuditEvent", "LoginFailure", "AuditHead", "Instance", "InstanceTrail", "Notification", "Organisation", "OutboxMessage", "ProcessDefinition",
    "ProcessDraft", "ProcessVersion", "ReadyTask", "TaskSpan", "User", "UserRole",
]
