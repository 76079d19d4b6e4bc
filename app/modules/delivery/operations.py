"""Projects in delivery: applications, volunteer sign-ups, the 1+X fund ledger."""
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.modules.delivery.models import ApplicationStatus, FundEntry, ProjectApplication, VolunteerSignup
from app.people.org import Organisation
from app.modules.decision.models import NOT_DELIVERING, Project, ProjectStatus
from app.people.models import User
from app.modules.delivery.models import FUND_INCOME, FUND_KINDS, NAMED_SOURCES
from app.modules.delivery import micro_fund
from app.modules.delivery.money import entry_errors
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.modules.evaluation.operations import survey_is_open
from app.modules.filing.operations import filing_json, latest_filing
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.workflow.trial import TRIAL_KIND, is_public
from app.people.policy import LEDGER_ROLES, NOT_PUBLIC_STATUSES, PROJECT_STAFF, holds_any, project_is_public



def project_by_id(session: Session, project_id: int) -> Project:
    """The project, or 404 (a trial's project is nobody's to see or change)."""
    project = session.get(Project, project_id)
    if project is None or project.community.kind == TRIAL_KIND:
        raise NotFound("no such project")
    return project


def public_project(session: Session, project_id: int) -> Project:
    """A project the public may see, or 404: one still deciding is not public (pages and API alike)."""
    project = project_by_id(session, project_id)
    if not project_is_public(project):
        raise NotFound("no such project")
    return project


def staff_project(session: Session, user: User, project_id: int) -> Project:
    """A project for the staff of its community (ledger, applications), or 403 outside their communities."""
    project = project_by_id(session, project_id)
    if not is_project_staff(session, user, project):
        raise Forbidden("this project is outside your communities")
    return project


def is_project_staff(session: Session, user: User | None, project: Project) -> bool:
    """Whether this user sees the project's internals: a staff role in the project's community."""
    return holds_any(user, PROJECT_STAFF) and project.community_id in community_ids_in_scope(session, user)


def application_json(application: ProjectApplication) -> dict:
    """A provider's application as staff see it."""
    return {"id": application.id, "unit_name": application.unit_name, "plan": application.plan,
            "status": application.status, "created_at": application.created_at.isoformat()}


def fund_entry_json(entry: FundEntry) -> dict:
    """One fund-ledger entry in yuan (a micro_fund line names the pool's draw it came from)."""
    return {"id": entry.id, "kind": entry.kind, "source": entry.source, "amount": entry.amount_fen / 100,
            "note": entry.note, "recorded_at": entry.recorded_at.isoformat(), "pool_entry_id": entry.pool_entry_id}


def funding_plan_json(project: Project) -> dict:
    """The project's budget, funding mode and the gap found at design time, in yuan (staff)."""
    return {"budget": project.budget_fen / 100, "funding_mode": project.funding_mode,
            "funding_gap": None if project.funding_gap_fen is None else project.funding_gap_fen / 100}


def project_by_key(session: Session, project_key) -> Project:
    """The project a process refers to by its key."""
    project = session.scalars(select(Project).where(Project.project_key == str(project_key))).first()
    if project is None:
        raise ValueError(f"no project {project_key}")
    return project


def fund_totals(session: Session, project_id: int) -> dict[str, int]:
    """Fen per ledger kind, plus income, spent and balance."""
    rows = dict(session.execute(select(FundEntry.kind, func.sum(FundEntry.amount_fen))
                                .where(FundEntry.project_id == project_id).group_by(FundEntry.kind)).all())
    totals = {kind: int(rows.get(kind) or 0) for kind in FUND_KINDS}
    totals["income"] = sum(totals[k] for k in FUND_INCOME)
    totals["spent"] = totals.pop("spending")
    totals["balance"] = totals["income"] - totals["spent"]
    return totals


def income_by_project(session: Session, project_ids: list[int]) -> dict[int, int]:
    """Fen raised per project, for many projects in one query (lists)."""
    return dict(session.execute(select(FundEntry.project_id, func.sum(FundEntry.amount_fen)).where(
        FundEntry.project_id.in_(project_ids), FundEntry.kind.in_(FUND_INCOME)).group_by(FundEntry.project_id)).all())


def fund_summary_yuan(session: Session, project_id: int) -> dict:
    """The ledger totals in yuan, with the number of entries (what disclosures print)."""
    summary = {k: v / 100 for k, v in fund_totals(session, project_id).items()}
    summary["entries"] = session.scalar(select(func.count()).where(FundEntry.project_id == project_id))
    return summary


def ledger(session: Session, project: Project) -> list[FundEntry]:
    """Every ledger line of a project, oldest first."""
    return list(session.scalars(select(FundEntry).where(FundEntry.project_id == project.id).order_by(FundEntry.id)))


def add_fund_entry(session: Session, project: Project, payload, actor: User | None) -> FundEntry:
    """Record a contribution or a spending line; spending never takes the balance below zero."""
    if actor is not None:
        _require_ledger_keeper(session, actor, project)
    payload = payload if isinstance(payload, dict) else {}
    kind, source, note = payload.get("kind"), payload.get("source", ""), payload.get("note", "")
    errors, fen = entry_errors(payload, kind, NAMED_SOURCES)
    if kind not in FUND_KINDS:
        errors["kind"] = "choose one of: " + ", ".join(FUND_KINDS)
    if errors:
        raise Invalid("the ledger entry needs correcting", errors)
    if project.status in NOT_DELIVERING:
        raise Conflict("this project's fund is not open: it is not in delivery")
    # The project row lock serialises ledger writers, so two spendings cannot both pass the check.
    session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    if kind == "micro_fund":  # a draw on the community micro-fund: a movement out of the pool, audited there
        return micro_fund.draw_for_project(session, project, fen, actor, note.strip())
    if kind == "spending" and fen > fund_totals(session, project.id)["balance"]:
        raise Invalid("spending would exceed the fund's balance", {"amount": "more than the balance"})
    entry = FundEntry(project_id=project.id, kind=kind, source=source.strip(), amount_fen=fen, note=note.strip(),
                      recorded_by_id=actor.id if actor else None, recorded_at=clock.now())
    session.add(entry)
    session.flush()
    audit.record(session, "fund_entry_added", actor, summary=f"{project.project_key}: {kind} {fen / 100:.2f}",
                 changes={"project_id": project.id, "kind": kind, "amount": [None, fen / 100], "source": source})
    return entry


def apply_for_project(session: Session, project: Project, user: User, payload) -> ProjectApplication:
    """A provider applies to deliver a project while it is open for claiming (认领)."""
    if "provider" not in user.role_ids:
        raise Forbidden("only service providers can apply for projects")
    payload = payload if isinstance(payload, dict) else {}
    unit, plan = payload.get("unit_name"), payload.get("plan", "")
    errors = {}
    if not isinstance(unit, str) or not unit.strip() or len(unit) > 200:
        errors["unit_name"] = "required, at most 200 characters"
    if not isinstance(plan, str) or not plan.strip() or len(plan) > 5000:
        errors["plan"] = "required, at most 5000 characters"
    if errors:
        raise Invalid("the application needs correcting", errors)
    _require_claiming(project)
    application = ProjectApplication(project_id=project.id, applicant_id=user.id, unit_name=unit.strip(),
                                     plan=plan.strip(), created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(application)
    except IntegrityError:
        raise Conflict("you have already applied for this project") from None
    audit.record(session, "project_applied", user, summary=f"{project.project_key}: {unit.strip()}",
                 changes={"project_id": project.id, "unit_name": [None, unit.strip()]})
    return application


def sign_up_volunteer(session: Session, project: Project, user: User) -> VolunteerSignup:
    """A volunteer signs up to serve on a project being claimed or delivered."""
    if "volunteer" not in user.role_ids:
        raise Forbidden("only volunteers can sign up")
    if project.status not in (ProjectStatus.CLAIMING, ProjectStatus.DELIVERING):
        raise Conflict("this project is not taking volunteers now")
    signup = VolunteerSignup(project_id=project.id, volunteer_id=user.id, created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(signup)
    except IntegrityError:
        raise Conflict("you have already signed up for this project") from None
    audit.record(session, "volunteer_signed_up", user, summary=project.project_key, changes={"project_id": project.id})
    return signup


def applications(session: Session, project: Project) -> list[ProjectApplication]:
    """The providers' applications for a project, in order of arrival."""
    return list(session.scalars(select(ProjectApplication).where(ProjectApplication.project_id == project.id)
                                .order_by(ProjectApplication.id)))


def volunteer_count(session: Session, project: Project) -> int:
    """How many volunteers signed up."""
    return session.scalar(select(func.count()).where(VolunteerSignup.project_id == project.id))


def project_json(session: Session, project: Project) -> dict:
    """A project as the public project list shows it (no personal data)."""
    fund = fund_totals(session, project.id)
    return {
        "id": project.id, "title": project.title, "community": project.community.code,
        "category": project.category, "status": project.status, "budget": project.budget_fen / 100,
        "provider": project.provider_name or None, "selection_mode": project.selection_mode,
        "funding_mode": project.funding_mode,
        "progress_percent": project.progress_percent,
        "claim_closes_at": _iso(project.claim_closes_at), "survey_closes_at": _iso(project.survey_closes_at),
        "survey_open": survey_is_open(project),
        "fund": {k: v / 100 for k, v in fund.items()},
        "satisfaction": {"responses": project.survey_responses, "average": project.satisfaction_avg,
                         "satisfied_share": project.satisfied_share},
        "scores": {"self": project.self_score, "community": project.community_score,
                   "third_party": project.third_party_score},
        "volunteers": volunteer_count(session, project),
        "filing": filing_json(latest_filing(session, project.id)),
    }


def public_projects(session: Session, community: str | None = None) -> list[Project]:
    """Projects past their decision, newest first (the public project list)."""
    query = (select(Project).join(Organisation, Project.community_id == Organisation.id)
             .where(Project.status.notin_(NOT_PUBLIC_STATUSES), is_public(Organisation.kind))
             .order_by(Project.id.desc()).limit(200))
    if community:
        query = query.where(Organisation.code == community)
    return list(session.scalars(query))


def mark_selection(session: Session, project: Project, chosen_user_id: int | None) -> None:
    """Mark each application selected or not."""
    session.execute(update(ProjectApplication).where(ProjectApplication.project_id == project.id).values(
        status=ApplicationStatus.NOT_SELECTED))
    if chosen_user_id is not None:
        session.execute(update(ProjectApplication).where(
            ProjectApplication.project_id == project.id, ProjectApplication.applicant_id == chosen_user_id)
            .values(status=ApplicationStatus.SELECTED))


def _require_claiming(project: Project) -> None:
    if project.status != ProjectStatus.CLAIMING or (project.claim_closes_at and clock.now() >= project.claim_closes_at):
        raise Conflict("this project is not open for applications now")


def _require_ledger_keeper(session: Session, actor: User, project: Project) -> None:
    if not LEDGER_ROLES & set(actor.role_ids) or project.community_id not in community_ids_in_scope(session, actor):
        raise Forbidden("only the community's workers and the street office keep this ledger")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
