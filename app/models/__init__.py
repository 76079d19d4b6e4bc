"""Typed SQLAlchemy models; import them from here."""
from .audit import AuditEvent, AuditHead
from .org import Organisation
from .process import ProcessDefinition, ProcessVersion
from .instance import Instance, ReadyTask
from .user import ApiToken, User, UserRole

__all__ = [
    "ApiToken", "AuditEvent", "AuditHead", "Instance", "Organisation", "ProcessDefinition",
    "ProcessVersion", "ReadyTask", "User", "UserRole",
]
