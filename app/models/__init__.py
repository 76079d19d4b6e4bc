"""Typed SQLAlchemy models; import them from here."""
from app.models.attachment import Attachment
from app.models.audit import AuditEvent, AuditHead
from app.models.org import Organisation
from app.models.process import ProcessDefinition, ProcessDraft, ProcessVersion
from app.models.instance import Instance, InstanceTrail, ReadyTask, TaskSpan
from app.models.notification import Notification, OutboxMessage
from app.models.project import (Ballot, CommunityRegister, Disclosure, FundEntry, Meeting, Objection, Project, ProjectApplication,
                      Resource, SurveyResponse, VolunteerSignup)
from app.models.timebank import Redemption, TimeBankAccount, TimeBankEntry, VolunteerHours
from app.models.user import ApiToken, LoginFailure, User, UserRole

__all__ = [
    "Attachment",
    "Ballot", "CommunityRegister", "Disclosure", "FundEntry", "Meeting", "Objection", "Project", "ProjectApplication",
    "Resource", "SurveyResponse", "VolunteerSignup",
    "Redemption", "TimeBankAccount", "TimeBankEntry", "VolunteerHours",
    "ApiToken", "AuditEvent", "LoginFailure", "AuditHead", "Instance", "InstanceTrail", "Notification", "Organisation", "OutboxMessage", "ProcessDefinition",
    "ProcessDraft", "ProcessVersion", "ReadyTask", "TaskSpan", "User", "UserRole",
]
