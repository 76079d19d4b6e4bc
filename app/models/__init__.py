"""Typed SQLAlchemy models; import them from here."""
from .audit import AuditEvent, AuditHead
from .org import Organisation
from .process import ProcessDefinition, ProcessVersion
from .instance import Instance, ReadyTask
from .notification import Notification, OutboxMessage
from .user import ApiToken, User, UserRole

__all__ = [
    "ApiToken", "AuditEvent", "AuditHead", "Instance", "Notification", "Organisation", "OutboxMessage", "ProcessDefinition",
    "ProcessVersion", "ReadyTask", "User", "UserRole",
]
