"""Workflow records: process definitions and versions, instances and their ready tasks, attachments,
the audit log and the notifications every layer writes to."""
from app.workflow.models.attachment import Attachment
from app.workflow.models.audit import AuditEvent, AuditHead
from app.workflow.models.follower import InstanceFollower
from app.workflow.models.instance import Instance, InstanceTrail, ReadyTask, TaskSpan
from app.workflow.models.notification import Notification, OutboxMessage
from app.workflow.models.process import ProcessDefinition, ProcessDraft, ProcessVersion

__all__ = ["Attachment", "AuditEvent", "AuditHead", "Instance", "InstanceFollower", "InstanceTrail", "Notification",
           "OutboxMessage", "ProcessDefinition", "ProcessDraft", "ProcessVersion", "ReadyTask", "TaskSpan"]
