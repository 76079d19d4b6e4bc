"""Diagram functions for filing (一备案): file the case's project decision with the street."""
from sqlalchemy import select

from app import clock
from app.modules.decision.models import Project
from app.modules.filing.operations import file_project
from app.errors import Refusal
from app.workflow.helpers import CHINA, bound, own_key, own_record


def file_decision(project_key, outcome, note) -> str:
    """File the case's project with its street ("filed": 予以备案; "rejected": 未通过，不予实施, with why);
    the filing number (芝罘区-幸福街道-2026-0001), for the process data and messages."""
    session, actor = bound()
    key = own_key(project_key)
    project = session.scalars(select(Project).where(Project.project_key == key)).first()
    if project is None:
        raise Refusal("no project %(key)s", key=project_key)
    own_record(project, f"project {project_key}")
    filed_on = clock.now().astimezone(CHINA).date()
    return file_project(session, project, str(outcome), str(note or ""), actor, filed_on).number


HELPERS = {f.__name__: f for f in (file_decision,)}
