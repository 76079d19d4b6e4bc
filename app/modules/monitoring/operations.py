"""The monitoring dashboard for streets and districts (the "government interface"): volumes by stage,
tier, category and community; overdue tasks; time per step; satisfaction and two-way evaluation."""
import statistics
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from app.db import utcnow
from app import clock
from app.workflow.models.instance import Instance, InstanceStatus, ReadyTask, TaskSpan
from app.people.org import Organisation
from app.modules.decision.models import Project
from app.modules.evaluation.models import CommunityRating, DepartmentRating
from app.modules.evaluation.ratings import COMMUNITY_DIMENSIONS, DEPARTMENT_DIMENSIONS, period_start
from app.people.models import User
from app.people.scope import community_ids_in_scope
from app.errors import Forbidden
from app.tables.filters import read_filters
from app.workflow.queries import waiting_task_names
from app.modules.audit.search import communities_in_scope
from app.workflow.versions import bundle_for, engine
from app.people.policy import DASHBOARD_ROLES

NEED_PROCESS = "need_lifecycle"
SPAN_LIMIT = 50_000  # the newest completed steps that step times are computed from
# The steps whose submitted values the dashboard counts, by element id: deploy refuses a version without one.
TIER_TASK, FEEDBACK_TASK, RATING_TASK, DISTRICT_TASK = "grade_need", "resident_feedback", "rate_department", \
    "district_handle"
RELIED_ON = {NEED_PROCESS: {TIER_TASK: "the dashboard's needs by tier", FEEDBACK_TASK: "the dashboard's satisfaction",
                            RATING_TASK: "the dashboard's two-way evaluation",
                            DISTRICT_TASK: "the dashboard's two-way evaluation (district bodies)"}}


def require_dashboard_role(user: User) -> None:
    """The dashboard is for the street and district desks (and auditors)."""
    if not user.role_ids & DASHBOARD_ROLES:
        raise Forbidden("the dashboard is for street and district staff")


def dashboard_for(session: Session, user: User, raw) -> dict:
    """The dashboard for the filters in query parameters (community, year, from, to), or 400."""
    require_dashboard_role(user)
    found = read_filters(raw, communities_in_scope(session, user), {})
    return dashboard(session, user, found.since, found.until, found.community_id)


def dashboard(session: Session, user: User, since: datetime | None = None, until: datetime | None = None,
              community_id: int | None = None) -> dict:
    """Every figure of the dashboard for the user's communities (or one of them), needs started in the period."""
    require_dashboard_role(user)
    scope = community_ids_in_scope(session, user)
    communities = [community_id] if community_id in scope else sorted(scope)
    needs = _needs(session, communities, since, until)
    return {
        "generated_at": utcnow().isoformat(), "needs": len(needs),
        "by_stage": _by_stage(session, needs), "by_tier": _by_tier(session, needs),
        "by_category": _count(n.category or "none" for n in needs),
        "by_community": _by_community(session, needs, communities),
        "overdue": _overdue(session, communities), "step_times": step_times(session, communities, since, until),
        "satisfaction": _satisfaction(session, needs, communities), "two_way": _two_way(session, needs, communities, since, until),
    }


def _needs(session: Session, communities: list[int], since, until) -> list[Instance]:
    query = select(Instance).where(Instance.process_id == NEED_PROCESS, Instance.community_id.in_(communities))
    if since:
        query = query.where(Instance.created_at >= since)
    if until:
        query = query.where(Instance.created_at < until)
    # Only projected columns: the dashboard never loads engine state.
    return list(session.scalars(query.options(_columns())))


def _columns():
    return load_only(Instance.id, Instance.version_id, Instance.community_id, Instance.category, Instance.status,
                     Instance.outcome)


def _count(keys) -> list[dict]:
    return [{"key": key, "count": n} for key, n in Counter(keys).most_common()]


def _by_stage(session: Session, needs: list[Instance]) -> list[dict]:
    """Running needs by the step they wait at; finished ones by how they ended."""
    waiting = {i: names[0] for i, names in waiting_task_names(
        session, [n.id for n in needs if n.status == InstanceStatus.RUNNING]).items()}
    stages = []
    for need in needs:
        if need.status == InstanceStatus.RUNNING:
            stages.append(waiting.get(need.id, "timer"))
        else:
            stages.append(f"end:{need.outcome or need.status}")
    counted = _count(stages)
    labels = _end_labels(session, needs)
    for item in counted:
        item["label"] = labels.get(item["key"], item["key"])
    return counted


def _end_labels(session: Session, needs: list[Instance]) -> dict[str, str]:
    """`end:<end event id>` → the end event's name in the need's version."""
    labels = {}
    for need in needs:
        key = f"end:{need.outcome or need.status}"
        if key not in labels and need.outcome:
            labels[key] = engine().element_name(bundle_for(session, need.version_id), need.outcome)
    return labels


def _results(session: Session, bpmn_id: str, ids: list[int]) -> dict[int, dict]:
    """The latest submitted values of one step per instance (from the task spans)."""
    found: dict[int, dict] = {}
    for chunk in (ids[n:n + 500] for n in range(0, len(ids), 500)):
        rows = session.execute(select(TaskSpan.instance_id, TaskSpan.result)
                               .where(TaskSpan.bpmn_id == bpmn_id, TaskSpan.outcome == "completed",
                                      TaskSpan.instance_id.in_(chunk)).order_by(TaskSpan.ended_at))
        found.update({instance_id: result or {} for instance_id, result in rows})
    return found


def _by_tier(session: Session, needs: list[Instance]) -> list[dict]:
    graded = _results(session, TIER_TASK, [n.id for n in needs])
    return _count(str(graded.get(n.id, {}).get("tier") or "ungraded") for n in needs)


def _by_community(session: Session, needs: list[Instance], communities: list[int]) -> list[dict]:
    names = dict(session.execute(select(Organisation.id, Organisation.code)
                                 .where(Organisation.id.in_(communities))).all())
    counts = Counter(names[n.community_id] for n in needs)
    return [{"key": names[c], "count": counts.get(names[c], 0)} for c in communities]


def _overdue(session: Session, communities: list[int]) -> dict:
    rows = session.execute(select(ReadyTask.bpmn_id, ReadyTask.name, func.count())
                           .where(ReadyTask.community_id.in_(communities), ReadyTask.due_at < clock.now())
                           .group_by(ReadyTask.bpmn_id, ReadyTask.name).order_by(func.count().desc())).all()
    return {"count": sum(r[2] for r in rows),
            "by_step": [{"key": bpmn_id, "label": name, "count": n} for bpmn_id, name, n in rows]}


def step_times(session: Session, communities: list[int], since=None, until=None) -> list[dict]:
    """Median and count of the time from ready to completed, per step, slowest first."""
    query = (select(TaskSpan.process_id, TaskSpan.bpmn_id, TaskSpan.name, TaskSpan.ready_at, TaskSpan.ended_at)
             .where(TaskSpan.community_id.in_(communities), TaskSpan.outcome == "completed")
             .order_by(TaskSpan.ended_at.desc()).limit(SPAN_LIMIT))
    if since:
        query = query.where(TaskSpan.ended_at >= since)
    if until:
        query = query.where(TaskSpan.ended_at < until)
    hours: dict[tuple[str, str], list[float]] = {}
    names: dict[tuple[str, str], str] = {}
    for process_id, bpmn_id, name, ready_at, ended_at in session.execute(query):
        hours.setdefault((process_id, bpmn_id), []).append((ended_at - ready_at).total_seconds() / 3600)
        names.setdefault((process_id, bpmn_id), name)
    rows = [{"process_id": p, "key": b, "label": names[(p, b)], "count": len(v),
             "median_hours": round(statistics.median(v), 2)} for (p, b), v in hours.items()]
    return sorted(rows, key=lambda r: (-r["median_hours"], r["key"]))


def _average(values) -> float | None:
    values = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return round(sum(values) / len(values), 2) if values else None


def _satisfaction(session: Session, needs: list[Instance], communities: list[int]) -> dict:
    """Residents' ratings of their resolved needs (1–5) and the projects' surveys."""
    rated = [r.get("satisfaction") for r in _results(session, FEEDBACK_TASK, [n.id for n in needs]).values()]
    projects = session.execute(select(func.count(Project.id), func.avg(Project.satisfaction_avg),
                                      func.avg(Project.satisfied_share))
                               .where(Project.community_id.in_(communities),
                                      Project.satisfaction_avg.is_not(None))).one()
    return {"needs": {"count": len([v for v in rated if v is not None]), "average": _average(rated),
                      "by_score": _count(str(v) for v in rated if v is not None)},
            "projects": {"count": projects[0], "average": _rounded(projects[1]), "satisfied_share": _rounded(projects[2])}}


def _two_way(session: Session, needs: list[Instance], communities: list[int], since=None, until=None) -> dict:
    """双向评价: communities rate the bodies that handled their needs; the street rates each community; projects'
    three scores. Earlier single-score ratings (before the four dimensions) are shown apart, by body."""
    scores = session.execute(select(func.avg(Project.self_score), func.avg(Project.community_score),
                                    func.avg(Project.third_party_score))
                             .where(Project.community_id.in_(communities))).one()
    return {"departments": _department_ratings(session, communities, since, until),
            "earlier_scores": _earlier_scores(session, needs),
            "communities": _community_ratings(session, communities, since, until),
            "projects": {"self_score": _rounded(scores[0]), "community_score": _rounded(scores[1]),
                         "third_party_score": _rounded(scores[2])}}


def _department_ratings(session: Session, communities: list[int], since, until) -> list[dict]:
    """Per rated body (street, district, department): how many ratings and the average of each dimension, for
    the needs started in the period."""
    columns = [func.avg(getattr(DepartmentRating, name)) for name in DEPARTMENT_DIMENSIONS]
    query = (select(Organisation.code, Organisation.name, Organisation.kind, func.count(DepartmentRating.id), *columns)
             .join(Organisation, Organisation.id == DepartmentRating.rated_org_id)
             .join(Instance, Instance.id == DepartmentRating.instance_id)
             .where(DepartmentRating.rater_org_id.in_(communities))
             .group_by(Organisation.code, Organisation.name, Organisation.kind))
    if since:
        query = query.where(Instance.created_at >= since)
    if until:
        query = query.where(Instance.created_at < until)
    rows = []
    for code, name, kind, count, *averages in session.execute(query):
        dimensions = dict(zip(DEPARTMENT_DIMENSIONS, (_rounded(a) for a in averages)))
        rows.append({"key": code, "name": name, "kind": kind, "count": count,
                     "average": _average(dimensions.values()), **dimensions})
    return sorted(rows, key=lambda r: (_BODY_ORDER.get(r["kind"], len(_BODY_ORDER)), r["key"]))


_BODY_ORDER = {"street": 0, "district": 1, "department": 2}


def _earlier_scores(session: Session, needs: list[Instance]) -> list[dict]:
    """Ratings made with the earlier one-score form of `rate_department` (its `score`), by body: kept readable."""
    ratings = {i: r for i, r in _results(session, RATING_TASK, [n.id for n in needs]).items() if "score" in r}
    if not ratings:
        return []
    district = set(_results(session, DISTRICT_TASK, list(ratings)))
    bodies: dict[str, list] = {"street": [], "district": []}
    for instance_id, result in ratings.items():
        bodies["district" if instance_id in district else "street"].append(result.get("score"))
    return [{"key": body, "count": len([v for v in values if v is not None]), "average": _average(values)}
            for body, values in bodies.items() if values]


def _community_ratings(session: Session, communities: list[int], since, until) -> list[dict]:
    """Per community: the street's quarterly ratings whose quarter begins in the period, averaged per dimension,
    with the latest quarter rated and its comment."""
    orgs = session.execute(select(Organisation.id, Organisation.code, Organisation.name)
                           .where(Organisation.id.in_(communities)).order_by(Organisation.code)).all()
    rated: dict[int, list[CommunityRating]] = {}
    for row in session.scalars(select(CommunityRating).where(CommunityRating.community_id.in_(communities))
                               .order_by(CommunityRating.period)):
        begins = period_start(row.period)
        if (since is None or begins >= since) and (until is None or begins < until):
            rated.setdefault(row.community_id, []).append(row)
    found = []
    for org_id, code, name in orgs:
        rows = rated.get(org_id, [])
        dimensions = {d: _average([getattr(r, d) for r in rows]) for d in COMMUNITY_DIMENSIONS}
        found.append({"key": code, "name": name, "count": len(rows), "average": _average(dimensions.values()),
                      **dimensions, "latest_period": rows[-1].period if rows else None,
                      "latest_comment": rows[-1].comment if rows else None})
    return found


def _rounded(value) -> float | None:
    return round(float(value), 2) if value is not None else None
