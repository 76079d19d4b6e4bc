"""The satisfaction survey: open or not, one answer per resident, the results."""
import hashlib
from datetime import datetime

from flask import current_app
from sqlalchemy import Integer, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.modules.decision.models import Project
from app.modules.evaluation.models import SurveyResponse
from app.people.models import User
from app.workflow import audit
from app.errors import Conflict, Forbidden, Invalid
from app.people.policy import survey_may_answer


def survey_is_open(project: Project, at: datetime | None = None) -> bool:
    """Whether residents can answer the project's satisfaction survey now."""
    at = at or clock.now()
    return bool(project.survey_opens_at and project.survey_closes_at and project.survey_closed_at is None
                and project.survey_opens_at <= at < project.survey_closes_at)


def respond_to_survey(session: Session, project: Project, user: User | None, payload) -> SurveyResponse:
    """One answer per resident: signed-in residents by account, others by phone number (kept hashed)."""
    if user is not None and not survey_may_answer(user):
        raise Forbidden("the satisfaction survey is for residents")
    payload = payload if isinstance(payload, dict) else {}
    score, comment, phone = payload.get("satisfaction"), payload.get("comment", ""), payload.get("phone", "")
    errors = {}
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        errors["satisfaction"] = "a whole number from 1 to 5"
    if not isinstance(comment, str) or len(comment) > 1000:
        errors["comment"] = "at most 1000 characters"
    if user is None and (not isinstance(phone, str) or not _is_phone(phone)):
        errors["phone"] = "a mobile number (11 digits), so that each resident answers once"
    if errors:
        raise Invalid("the answer needs correcting", errors)
    session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    if not survey_is_open(project):
        raise Conflict("this survey is not open: answers are taken only during its window")
    key = f"user:{user.id}" if user is not None else "phone:" + _phone_key(project, phone)
    response = SurveyResponse(project_id=project.id, respondent_key=key, satisfaction=score,
                              comment=comment.strip(), created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(response)
    except IntegrityError:
        raise Conflict("you have already answered this survey") from None
    audit.record(session, "survey_answered", user, actor_name=None if user else "resident",
                 summary=project.project_key, changes={"project_id": project.id, "satisfaction": [None, score]})
    return response


def survey_results(session: Session, project: Project) -> dict:
    """Responses, average score and the share scoring 4 or 5."""
    count, total, satisfied = session.execute(
        select(func.count(), func.sum(SurveyResponse.satisfaction),
               func.sum((SurveyResponse.satisfaction >= 4).cast(Integer)))
        .where(SurveyResponse.project_id == project.id)).one()
    if not count:
        return {"responses": 0, "average": None, "satisfied_share": None}
    return {"responses": count, "average": round(total / count, 2), "satisfied_share": round((satisfied or 0) / count, 3)}


def _is_phone(phone: str) -> bool:
    digits = phone.strip()
    return len(digits) == 11 and digits.isdigit() and digits.startswith("1")


def _phone_key(project: Project, phone: str) -> str:
    # Keyed by the app's secret and the project: answers stay one-per-phone without storing numbers.
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(secret + f"|{project.id}|{phone.strip()}".encode()).hexdigest()[:64]


