"""Workflow records: process definitions and versions, instances and their ready tasks, attachments."""
from app.workflow.models.attachment import Attachment
from app.workflow.models.instance import Instance, InstanceTrail, ReadyTask, TaskSpan
from app.workflow.models.process import ProcessDefinition, ProcessDraft, ProcessVersion

__all__ = ["Attachment", "Instance", "InstanceTrail", "ProcessDefinition", "ProcessDraft", "ProcessVersion", "ReadyTask",
           "TaskSpan"]
