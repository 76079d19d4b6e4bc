"""Diagram functions for evaluation: the satisfaction survey, scores, the annual review and the community's rating
of the body that handled a need (双向评价)."""
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Integer, String, column, or_, select, table

from app import clock
from app.errors import FieldRefusal
from app.people.org import Organisation
from app.modules.decision.models import Project
from app.errors import FieldRefusal
from app.modules.needs.operations import new_tracking_code, start_follow_up
from app.modules.evaluation import operations as evaluation
from app.modules.evaluation.models import DepartmentRating
from app.modules.evaluation.ratings import COMMENT_LENGTH, DEPARTMENT_DIMENSIONS, score_errors
from app.workflow.helpers import (CHINA, OutsideCase, after_run, bound, case, own_community, own_key, own_record,
                                  reads_only, record_write)
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


# The annual review's grades (年度评议等级), best first: the form's fields and the words of the notice.
GRADES = (("grade_excellent", "excellent", "优秀"), ("grade_good", "good", "良好"),
          ("grade_pass", "pass", "合格"), ("grade_fail", "fail", "不合格"))
GRADE_WORDS = {grade: word for _, grade, word in GRADES}
STATUS_WORDS = {"deciding": "决策中", "claiming": "认领中", "delivering": "实施中", "completed": "已完工",
                "delivered": "已实施", "evaluating": "评估中", "evaluated": "已评估", "filed": "已备案",
                "disclosed": "决议公示中", "rejected": "未立项"}
UNIT_KINDS = ("unit",)  # 先进单位: the units that delivered the year's projects, and the list's 共建单位
ORGANISATION_KINDS = ("organisation", "volunteer")  # 先进组织: the list's social organisations and volunteer teams
# The resources list's columns read here (lists.models' table): lists reads delivery, which reads this module.
RESOURCES = table("resource", column("id", Integer), column("community_id", Integer), column("kind", String),
                  column("name", String), column("active", Boolean))


@reads_only
def year_projects(community, year) -> list[dict]:
    """The community's projects of that year (started or completed in it) as they stand now, with their scores."""
    session, _ = bound()
    own_community(community)
    return [{"key": p.project_key, "title": p.title, "status": p.status, "provider": p.provider_name,
             "satisfaction": p.satisfaction_avg, "self_score": p.self_score,
             "community_score": p.community_score, "third_party_score": p.third_party_score,
             "follow_up": p.follow_up_code is not None}
            for p in _year_projects(session, community, year)]


@reads_only
def project_options(community, year) -> list[dict]:
    """The year's projects as options (to grade, or to mark for follow-up): key, title and where it stands."""
    session, _ = bound()
    own_community(community)
    return [{"const": p.project_key, "title": f"{p.title}（{STATUS_WORDS.get(p.status, p.status)}）"}
            for p in _year_projects(session, community, year)]


@reads_only
def unit_options(community, year) -> list[dict]:
    """Candidates for 先进单位: the units that delivered the year's projects, then the list's 共建单位."""
    session, _ = bound()
    found = own_community(community)
    names = sorted({p.provider_name for p in _year_projects(session, community, year) if p.provider_name})
    names += [n for n in _resource_names(session, found, UNIT_KINDS) if n not in names]
    return [{"const": name, "title": name} for name in names]


@reads_only
def organisation_options(community) -> list[dict]:
    """Candidates for 先进组织: the social organisations and volunteer teams on the community's resources list."""
    session, _ = bound()
    found = own_community(community)
    return [{"const": name, "title": name} for name in _resource_names(session, found, ORGANISATION_KINDS)]


def record_annual_ratings(community, year, excellent, good, passing, failing) -> dict:
    """Each of the year's projects with the one grade the meeting gave it; refused when one has none or two."""
    session, _ = bound()
    own_community(community)
    given = dict(zip((field for field, _, _ in GRADES), (excellent, good, passing, failing)))
    ratings, twice = {}, {}
    for field, grade, _ in GRADES:
        for key in given[field] or []:
            if str(key) in ratings:
                twice[field] = "a project can have only one grade"
            ratings.setdefault(str(key), grade)
    keys = [p.project_key for p in _year_projects(session, community, year)]
    if twice:
        raise FieldRefusal(twice, "give each project one grade")
    if missing := [k for k in keys if k not in ratings]:
        raise FieldRefusal({field: "every project of the year needs a grade" for field, _, _ in GRADES},
                           "grade every project of the year (%(count)s not graded)", count=len(missing))
    if unknown := [k for k in ratings if k not in keys]:
        raise FieldRefusal({field: "choose one of the offered options" for field, _, _ in GRADES},
                           "%(key)s is not a project of the year", key=unknown[0])
    record_write("annual_ratings_recorded", summary=f"{year}", changes={"ratings": [None, ratings]})
    return ratings


def start_annual_follow_ups(community, year, project_keys) -> dict:
    """For each project the meeting marked 需跟进: a new need in next year's pool, linked to it; {key: code}."""
    session, _ = bound()
    found = own_community(community)
    projects = {p.project_key: p for p in _year_projects(session, community, year)}
    started = {}
    for key in dict.fromkeys(str(k) for k in project_keys or []):
        project = projects.get(key)
        if project is None:
            raise FieldRefusal({"follow_up_projects": "choose one of the offered options"},
                               "%(key)s is not a project of the year", key=key)
        code = started[key] = new_tracking_code(session)
        if project.follow_up_code is None:  # a need the evaluation already started stays the project's link
            project.follow_up_code = code
        record_write("follow_up_linked", summary=f"{key} → {code}", changes={"follow_up_need": [None, code]})
        source = f"{int(year)}年度项目评议"
        description = (f"来源：{source}。项目“{project.title}”经年度项目评议需跟进，"
                       f"纳入{int(year) + 1}年度需求库。")
        extra = {"follow_up_source": source, "pool_year": int(year) + 1}
        after_run(lambda project=project, code=code, description=description, extra=extra: start_follow_up(
            session, found, f"跟进：{project.title}", description, project.category, project.project_key, code,
            extra=extra))
    return started


def annual_disclosure_text(community, year, outstanding_units, remarks, ratings=None,
                           outstanding_organisations=None, follow_ups=None) -> str:
    """The annual review's public notice: each project with its grade and scores, the honours, remarks."""
    session, _ = bound()
    own_community(community)
    ratings, follow_ups = ratings or {}, follow_ups or {}
    lines = [f"{year} 年度项目评议结果"]
    for p in _year_projects(session, community, year):
        scores = "，".join(f"{label}{value}" for label, value in (
            ("满意度", p.satisfaction_avg), ("自评", p.self_score), ("社区评价", p.community_score),
            ("第三方", p.third_party_score)) if value is not None)
        grade = f"评议等级：{GRADE_WORDS[ratings[p.project_key]]}；" if ratings.get(p.project_key) in GRADE_WORDS else ""
        follow = "；需跟进，已转入下一年度需求库" if p.project_key in follow_ups else ""
        lines.append(f"· {p.title}（{p.provider_name or '未选定实施单位'}）{grade}{scores}{follow}")
    units = "、".join(str(u) for u in outstanding_units or []) or "无"
    lines.append(f"先进单位：{units}")
    if outstanding_organisations is not None:
        lines.append(f"先进组织：{'、'.join(str(o) for o in outstanding_organisations) or '无'}")
    lines.append(f"评议意见：{remarks}")
    return "\n".join(lines)


def handling_org(rated_body) -> str:
    """The code of the body that handled the case's need: the community's street, or the district above it."""
    street = case().community.parent
    body = {"street": street, "district": street.parent if street is not None else None}.get(str(rated_body))
    if body is None:
        raise OutsideCase("%(body)s is not a body that handles this case's needs", body=rated_body)
    return body.code


def record_department_rating(rated_org, guidance, service, payment, interference, comment) -> int:
    """Store the community's rating of the body that handled its need (指导、服务、支付、行政干预, 1–5 each)."""
    session, actor = bound()
    scores = dict(zip(DEPARTMENT_DIMENSIONS, (guidance, service, payment, interference)))
    errors = score_errors(scores, DEPARTMENT_DIMENSIONS)
    if errors:
        raise FieldRefusal(errors, "each score is a whole number from 1 to 5")
    comment = "" if comment is None else str(comment).strip()
    if len(comment) > COMMENT_LENGTH:
        raise FieldRefusal({"rating_comment": "too long"}, "the comment is too long")
    rated = _handling_body(session, rated_org)
    need = case()
    rating = DepartmentRating(rater_org_id=need.community.id, rated_org_id=rated.id, instance_id=need.instance.id,
                              need_key=need.key or "", rated_by_id=actor.id if actor else None, comment=comment,
                              rated_at=clock.now(), **scores)
    session.add(rating)
    session.flush()
    # Named by the form's fields (labelled in the history as on the form) and the body's name, not its code.
    record_write("department_rated", summary=f"{need.key or need.instance.id}: {rated.name}",
                 changes={"handling_body": [None, rated.name], **{k: [None, v] for k, v in scores.items()},
                          "rating_comment": [None, comment]})
    return rating.id


def _handling_body(session, code) -> Organisation:
    """The organisation `code` names, if it may handle this case's needs: the community's street, the district
    above it, or one of the district's departments."""
    org = session.scalars(select(Organisation).where(Organisation.code == str(code))).first()
    above, parent = set(), case().community.parent
    while parent is not None:
        above.add(parent.id)
        parent = parent.parent
    if org is not None and (org.id in above if org.kind in ("street", "district") else
                            org.kind == "department" and (org.parent_id is None or org.parent_id in above)):
        return org
    raise OutsideCase("%(org)s is not a body that handles this case's needs", org=code)


def _resource_names(session, community, kinds) -> list[str]:
    """The names on the community's resources list of these kinds, still active, in the order entered."""
    return list(dict.fromkeys(session.scalars(select(RESOURCES.c.name).where(
        RESOURCES.c.community_id == community.id, RESOURCES.c.kind.in_(kinds), RESOURCES.c.active.is_(True))
        .order_by(RESOURCES.c.id))))


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
    open_survey, close_survey, record_scores, year_projects, unit_options, annual_disclosure_text, handling_org,
    record_department_rating, project_options, organisation_options, record_annual_ratings, start_annual_follow_ups)}
