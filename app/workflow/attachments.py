"""Attachments: files people add to a case, checked for type and size, audited."""
import hashlib
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workflow.models.attachment import Attachment
from app.workflow.models.instance import Instance
from app.people.models import User
from app.workflow import audit
from app.errors import Invalid, NotFound
from app.workflow.queries import visible_instance

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
ALLOWED_TYPES = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
}
# Leading bytes of the binary types, so a renamed executable is not stored as a "photo".
SIGNATURES = {".pdf": (b"%PDF",), ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8",), ".jpeg": (b"\xff\xd8",),
              ".docx": (b"PK",), ".xlsx": (b"PK",), ".doc": (b"\xd0\xcf",), ".xls": (b"\xd0\xcf",)}


def read_uploads(files) -> list[tuple[str, bytes]]:
    """(name, bytes) of uploaded files, each closed once read: a large one is spooled to a temporary file."""
    uploads = []
    for upload in files:
        with upload.stream:
            if upload.filename:
                uploads.append((upload.filename, upload.read()))
    return uploads


def add_attachments(session: Session, instance: Instance, uploads: list[tuple[str, bytes]], actor: User,
                    task=None) -> list[Attachment]:
    """Store uploaded files (name, bytes) on a case; refuse unknown types, fakes and oversized files."""
    if len(uploads) > MAX_FILES:
        raise Invalid("at most %(n)s files at a time", {"attachments": "too many files"}, params={"n": MAX_FILES})
    stored = []
    for name, data in uploads:
        filename, suffix = _checked(name, data)
        row = Attachment(instance_id=instance.id, task_bpmn_id=getattr(task, "bpmn_id", None),
                         task_name=getattr(task, "name", None), filename=filename, content_type=ALLOWED_TYPES[suffix],
                         size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                         uploaded_by_id=actor.id if actor else None)
        session.add(row)
        stored.append(row)
        audit.record(session, "attachment_added", actor, instance=instance, task=task, summary=filename,
                     changes={"filename": filename, "size": len(data), "sha256": row.sha256})
    return stored


def attachments_of(session: Session, instance_id: int) -> list[Attachment]:
    """A case's attachments, oldest first."""
    return list(session.scalars(select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id)))


def attachment_for(session: Session, user: User, attachment_id: int) -> Attachment:
    """An attachment the user may download (its case is visible to them)."""
    found = session.get(Attachment, attachment_id)
    if found is None:
        raise NotFound("no such attachment")
    visible_instance(session, user, found.instance_id)
    return found


def _checked(name: str, data: bytes) -> tuple[str, str]:
    filename = PurePath((name or "").replace("\\", "/")).name[:200]
    suffix = PurePath(filename).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise Invalid("'%(name)s' is not an accepted file type (pdf, jpg, png, doc(x), xls(x), txt)",
                      {"attachments": "unsupported file type"}, params={"name": filename})
    if not data:
        raise Invalid("'%(name)s' is empty", {"attachments": "empty file"}, params={"name": filename})
    if len(data) > MAX_BYTES:
        raise Invalid("'%(name)s' is larger than 5 MB", {"attachments": "file too large"}, params={"name": filename})
    if suffix in SIGNATURES and not data.startswith(SIGNATURES[suffix]):
        raise Invalid("'%(name)s' is not really a %(type)s file", {"attachments": "content does not match its type"},
                      params={"name": filename, "type": suffix})
    return filename, suffix
