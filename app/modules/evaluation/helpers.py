"""Diagram functions for evaluation: the satisfaction survey, scores and the annual review."""
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from app import clock
from app.people.org import Organisation
from app.modules.decision.models import Project
from app.modules.evaluation import operations as evaluation
from app.workflow.helpers import CHINA, bound, own_community, own_key, own_record, record_write
from app.workflow.notifications import notify, users_for

SATISFIED_SCORE = 4  # a 4 or 5 counts as satisfied


def open_survey(project_key, days) -> str:
    """Open the residents' satisfaction survey for `days` days; returns when it closes (ISO)."""
    session, actor = bound()
    project = _own_project(session, project_key)
    now = clock.now()
    project.survey_opens_at, project.survey_closes_at = now, now + timedelta(days=int(days))
    record_write("survey_opened", summary=project_key,
                 changes={"survey_closes_at": [None, project.survey_closes_at.isoformat()]})
    notify(session, users_for(session, "resident", project.community_id), f"项目满意度调查已开始：{project.title}")
    return project.survey_closes_at.astimezone(CHINA).isoformat()


def close_survey(project_key) -> dict:
    """Close the survey and return responses, average and the satisfied share."""
    session, actor = bound()
    project = _own_project(session, project_key)
    results = evaluation.survey_results(session, project)
    project.survey_responses = results["responses"]
    project.satisfaction_avg, project.satisfied_share = results["average"], results["satisfied_share"]
    project.survey_closed_at = clock.now()
    record_write("survey_closed", summary=project_key, changes={"results": results})
    return results


def record_scores(project_key, self_score, community_score, third_party_score) -> bool:
    """Keep the evaluation scores on the project list."""
    session, _ = bound()
    project = _own_project(session, project_key)
    before = [project.self_score, project.community_score, project.third_party_score]
    project.self_score = _score(self_score)
    project.community_score = _score(community_score)
    project.third_party_score = _score(third_party_score)
    record_write("project_scores_recorded", summary=str(project_key), changes={
        "scores": [before, [project.self_score, project.community_score, project.third_party_score]]})
    return True


def year_projects(community, year) -> list[dict]:
    """The community's projects of that year (started or completed in it) with their scores."""
    session, _ = bound()
    own_community(community)
    return [{"title": p.title, "status": p.status, "provider": p.provider_name,
             "satisfaction": p.satisfaction_avg, "self_score": p.self_score,
             "community_score": p.community_score, "third_party_score": p.third_party_score}
            for p in _year_projects(session, community, year)]


def unit_options(community, year) -> list[dict]:
    """The units that delivered the year's projects, as options for outstanding units."""
    session, _ = bound()
    own_community(community)
    names = sorted({p.provider_name for p in _year_projects(session, community, year) if p.provider_name})
    return [{"const": name, "title": name} for name in names]


def annual_disclosure_text(community, year, outstanding_units, remarks) -> str:
    """The annual review's public notice: each project with its scores, the outstanding units, remarks."""
    session, _ = bound()
    own_community(community)
    lines = [f"{year} 年度项目评议结果"]
    for p in _year_projects(session, community, year):
        scores = "，".join(f"{label}{value}" for label, value in (
            ("满意度", p.satisfaction_avg), ("自评", p.self_score), ("社区评价", p.community_score),
            ("第三方", p.third_party_score)) if value is not None)
        lines.append(f"· {p.title}（{p.provider_name or '未选定实施单位'}）{scores}")
    units = "、".join(str(u) for u in outstanding_units or []) or "无"
    lines += [f"先进单位：{units}", f"评议意见：{remarks}"]
    return "\n".join(lines)


def _own_project(session, project_key) -> Project:
    """The case's project: its key is the case's business key, and it is of the case's community."""
    project = session.scalars(select(Project).where(Project.project_key == own_key(project_key))).first()
    if project is None:
        raise ValueError(f"no project {project_key}")
    return own_record(project, f"project {project_key}")


def _year_projects(session, community, year) -> list[Project]:
    start = datetime(int(year), 1, 1, tzinfo=CHINA)
    end = datetime(int(year) + 1, 1, 1, tzinfo=CHINA)
    return list(session.scalars(select(Project).join(Organisation, Project.community_id == Organisation.id).where(
        Organisation.code == str(community),
        or_(Project.started_at.between(start, end), Project.completed_at.between(start, end)))
        .order_by(Project.id)))


def _score(value) -> int | None:
    return int(value) if value not in (None, "") else None


HELPERS = {f.__name__: f for f in (
    open_survey, close_survey, record_scores, year_projects, unit_options, annual_disclosure_text)}
