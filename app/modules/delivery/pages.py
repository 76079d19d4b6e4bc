"""Project pages: the public project list, one project (claiming, fund, progress, survey)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.errors import Invalid
from app.extensions import commit, db
from app.modules.disclosure.models import Disclosure
from app.modules.decision import meetings
from app.modules.delivery import micro_fund, operations as projects
from app.modules.delivery.fund_ledger import COLUMNS, ledger_download, ledger_title
from app.modules.delivery.models import CONTRIBUTION_KINDS
from app.modules.evaluation import operations as evaluation
from app.modules.filing.operations import latest_filing
from app.people.policy import survey_may_answer

bp = Blueprint("projects", __name__, template_folder="templates")


@bp.get("/projects")
def project_list():
    found = projects.public_projects(db(), request.args.get("community"))
    return render_template("projects.html", projects=found,
                           raised=projects.income_by_project(db(), [p.id for p in found]))


@bp.get("/projects/<id:project_id>")
def project_page(project_id: int):
    project = projects.project_by_id(db(), project_id)
    staff = projects.is_project_staff(db(), current_user, project)
    if not staff:
        project = _visible(project_id)  # a project still deciding is seen only by its staff
    notices = db().scalars(select(Disclosure).where(Disclosure.project_id == project.id)
                           .order_by(Disclosure.id)).all()
    return render_template(
        "project.html", project=project, fund=projects.fund_totals(db(), project.id), notices=notices,
        survey_open=evaluation.survey_is_open(project), may_answer=survey_may_answer(current_user), staff=staff,
        ledger=projects.ledger(db(), project) if staff else [],
        applications=projects.applications(db(), project) if staff else [],
        keeps_ledger=staff and bool(projects.LEDGER_ROLES & current_user.role_ids),
        volunteers=projects.volunteer_count(db(), project),
        meetings=meetings.meetings_of(db(), project) if staff else [],
        meeting_notices=meetings.notices_of(db(), project) if staff else [],
        records_meetings=staff and bool(meetings.RECORDING_ROLES & current_user.role_ids),
        notice_methods=meetings.NOTICE_METHODS, filing=latest_filing(db(), project.id) if staff else None)


@bp.post("/projects/<id:project_id>/survey")
def survey_post(project_id: int):
    user = current_user if current_user.is_authenticated else None  # policy.survey_may_answer decides
    evaluation.respond_to_survey(db(), _visible(project_id), user, {
        "satisfaction": request.form.get("satisfaction", ""), "comment": request.form.get("comment", ""),
        "phone": request.form.get("phone", "")})
    commit()
    flash(_("Thank you: your answer was recorded."), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.post("/projects/<id:project_id>/apply")
@login_required
def apply_post(project_id: int):
    projects.apply_for_project(db(), _visible(project_id), current_user, {
        "unit_name": request.form.get("unit_name", ""), "plan": request.form.get("plan", "")})
    commit()
    flash(_("Your application was received."), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.post("/projects/<id:project_id>/signup")
@login_required
def signup_post(project_id: int):
    projects.sign_up_volunteer(db(), _visible(project_id), current_user)
    commit()
    flash(_("You are signed up as a volunteer."), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.post("/projects/<id:project_id>/fund")
@login_required
def fund_post(project_id: int):
    projects.add_fund_entry(db(), _visible(project_id), {
        "kind": request.form.get("kind", ""), "source": request.form.get("source", ""),
        "amount": request.form.get("amount", ""), "note": request.form.get("note", "")}, current_user)
    commit()
    flash(_("The ledger entry was recorded."), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.get("/micro-fund")
@login_required
def micro_fund_home():
    seen = micro_fund.communities_seen(db(), current_user)
    if not seen:
        abort(403)
    if len(seen) == 1:
        return redirect(url_for("projects.micro_fund_page", community=seen[0].code))
    year = micro_fund.fund_year()
    return render_template("micro_funds.html", year=year, funds=[
        (c, micro_fund.balance_fen(db(), c.id, year)) for c in seen])


@bp.get("/micro-fund/<community>")
@login_required
def micro_fund_page(community: str):
    org = micro_fund.community_for(db(), current_user, community)
    return _micro_fund(org, micro_fund.read_year(request.args.get("year")))


@bp.get("/micro-fund/<community>/export")
@login_required
def micro_fund_export(community: str):
    org = micro_fund.community_for(db(), current_user, community)
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        abort(400)
    return ledger_download(db(), org, micro_fund.read_year(request.args.get("year")), fmt)


@bp.post("/micro-fund/<community>")
@login_required
def micro_fund_post(community: str):
    org = micro_fund.community_for(db(), current_user, community, keeping=True)
    entered = {k: request.form.get(k, "") for k in ("kind", "source", "fund_name", "amount", "note")}
    try:
        micro_fund.add_contribution(db(), org, entered, current_user)
    except Invalid as refused:
        db().rollback()
        return _micro_fund(org, micro_fund.fund_year(), refused.fields, entered, refused.translated(_)), 400
    commit()
    flash(_("The contribution was recorded in the micro-fund."), "success")
    return redirect(url_for("projects.micro_fund_page", community=org.code))


def _micro_fund(org, year: int, errors: dict | None = None, entered: dict | None = None, message: str = ""):
    fund = micro_fund.pool_of(db(), org.id, year)
    this_year = micro_fund.fund_year()
    return render_template(
        "micro_fund.html", community=org, year=year, this_year=this_year, totals=micro_fund.pool_totals(db(), fund),
        title=ledger_title(org, year), columns=COLUMNS, rows=micro_fund.ledger_rows(db(), fund),
        kinds=CONTRIBUTION_KINDS, errors=errors or {}, entered=entered or {}, message=message,
        keeps=year == this_year and bool(projects.LEDGER_ROLES & current_user.role_ids))


def _visible(project_id: int):
    return projects.public_project(db(), project_id)
