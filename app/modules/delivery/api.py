"""Projects in delivery: the public project list, applications, sign-ups, the fund ledger, the survey."""
from flask import Blueprint, jsonify, request

from app.errors import Invalid

from app.extensions import commit, db
from app.modules.delivery import micro_fund, operations as projects
from app.modules.delivery.fund_ledger import ledger_download
from app.modules.delivery.models import CONTRIBUTION_KINDS, FUND_KINDS
from app.tables.exports import CSV_TYPE, XLSX_TYPE
from app.modules.evaluation import operations as evaluation
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented
from app.people.policy import PROJECT_STAFF

bp = Blueprint("api_projects", __name__, url_prefix="/api")

# The project's newest filing (一备案); null until its decision is filed with the street.
FILING = {"type": ["object", "null"], "required": ["number", "outcome", "filed_on", "receipt_url"], "properties": {
    "number": {"type": "string", "description": "备案号: district-street-year-sequence, 芝罘区-幸福街道-2026-0001"},
    "outcome": {"enum": ["filed", "rejected"], "description": "filed: 予以备案; rejected: 未通过，不予实施"},
    "filed_on": {"type": "string", "format": "date", "description": "the filing date, China time"},
    "note": {"type": "string", "description": "why a rejected project does not proceed"},
    "receipt_url": {"type": "string", "description": "the printable receipt (备案回执), for the community's staff"}}}
PROJECT = {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                             "status": {"type": "string"}, "filing": FILING}}


@bp.get("/public/projects")
@documented("The public project list (项目清单)", errors=(), ok_content={"application/json": {"schema": {
    "type": "object", "properties": {"projects": {"type": "array", "items": PROJECT}}}}})
def public_list():
    found = projects.public_projects(db(), community=request.args.get("community"))
    return jsonify({"projects": [projects.project_json(db(), p) for p in found]})


@bp.get("/public/projects/<id:project_id>")
@documented("One project: status, 1+X fund, scores, its filing (number, outcome, date, receipt)", errors=(404,),
            ok_content={"application/json": {"schema": PROJECT}})
def public_detail(project_id: int):
    return jsonify(projects.project_json(db(), _public_project(project_id)))


@bp.post("/public/projects/<id:project_id>/survey")
@documented("Answer the satisfaction survey (once per resident account or mobile number)", ok=201, body={
    "type": "object", "required": ["satisfaction"], "properties": {
        "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5},
        "comment": {"type": "string", "maxLength": 1000}, "phone": {"type": "string"}}})
def survey_answer(project_id: int):
    # A signed-in resident answers once per account; anyone else once per mobile number (policy.survey_may_answer).
    user = api_user() if request.headers.get("Authorization") else None
    response = evaluation.respond_to_survey(db(), _public_project(project_id), user, json_body())
    commit()
    return jsonify({"id": response.id}), 201


@bp.post("/projects/<id:project_id>/applications")
@documented("A provider applies to deliver a project (认领)", ok=201, body={
    "type": "object", "required": ["unit_name", "plan"], "properties": {
        "unit_name": {"type": "string", "maxLength": 200}, "plan": {"type": "string", "maxLength": 5000}}})
@requires("provider")
def application_create(project_id: int):
    application = projects.apply_for_project(db(), _public_project(project_id), api_user(), json_body())
    commit()
    return jsonify({"id": application.id, "status": application.status}), 201


@bp.get("/projects/<id:project_id>/applications")
@documented("Providers' applications (staff)")
@requires(*PROJECT_STAFF)
def application_list(project_id: int):
    project = _staff_project(project_id)
    return jsonify({"applications": [projects.application_json(a) for a in projects.applications(db(), project)]})


@bp.post("/projects/<id:project_id>/volunteers")
@documented("A volunteer signs up", ok=201)
@requires("volunteer")
def volunteer_signup(project_id: int):
    signup = projects.sign_up_volunteer(db(), _public_project(project_id), api_user())
    commit()
    return jsonify({"id": signup.id}), 201


@bp.get("/projects/<id:project_id>/fund")
@documented("The project's 1+X ledger (staff)")
@requires(*PROJECT_STAFF)
def fund_ledger(project_id: int):
    project = _staff_project(project_id)
    return jsonify({"totals": {k: v / 100 for k, v in projects.fund_totals(db(), project.id).items()},
                    "plan": projects.funding_plan_json(project),
                    "entries": [projects.fund_entry_json(e) for e in projects.ledger(db(), project)]})


@bp.post("/projects/<id:project_id>/fund")
@documented("Add a ledger line: fiscal, donation, sponsorship, named_fund (source: the naming donor), crowdfunding, "
            "micro_fund (a draw on the community micro-fund, never past its 结余) or spending", ok=201, body={
    "type": "object", "required": ["kind", "amount"], "properties": {
        "kind": {"type": "string", "enum": list(FUND_KINDS)},
        "amount": {"type": "number", "exclusiveMinimum": 0}, "source": {"type": "string"}, "note": {"type": "string"}}})
@requires(*projects.LEDGER_ROLES)
def fund_entry_create(project_id: int):
    entry = projects.add_fund_entry(db(), _staff_project(project_id), json_body(), api_user())
    commit()
    return jsonify({"id": entry.id, "balance": projects.fund_totals(db(), entry.project_id)["balance"] / 100}), 201


YEAR = {"name": "year", "in": "query", "required": False, "schema": {"type": "integer"},
        "description": "the calendar year (China time); this year when left out"}
CONTRIBUTION = {"type": "object", "required": ["kind", "amount"], "properties": {
    "kind": {"enum": list(CONTRIBUTION_KINDS), "description": "fiscal 财政资金, donation 社会捐赠, sponsorship 企业赞助, "
             "named_fund 冠名基金, crowdfunding 众筹"},
    "amount": {"type": "number", "exclusiveMinimum": 0, "description": "yuan, at most two decimals"},
    "source": {"type": "string", "maxLength": 200, "description": "who gave it (required but for fiscal); "
               "for a named fund, the naming donor"},
    "fund_name": {"type": "string", "maxLength": 200, "description": "the named fund's name (named_fund only)"},
    "note": {"type": "string", "maxLength": 500}}}


@bp.get("/micro-fund/<community>")
@documented("A community's micro-fund (社区微基金) of a year: totals by source, drawn, 结余, and every movement",
            query=[YEAR], errors=(400, 401, 403, 404))
@requires(*projects.PROJECT_STAFF)
def micro_fund_show(community: str):
    org = micro_fund.community_for(db(), api_user(), community)
    return jsonify(micro_fund.pool_json(db(), org, micro_fund.read_year(request.args.get("year"))))


@bp.post("/micro-fund/<community>/entries")
@documented("Record a contribution to this year's micro-fund, with its source (audited)", ok=201, body=CONTRIBUTION,
            errors=(400, 401, 403, 404))
@requires(*projects.LEDGER_ROLES)
def micro_fund_contribute(community: str):
    org = micro_fund.community_for(db(), api_user(), community, keeping=True)
    entry = micro_fund.add_contribution(db(), org, json_body(), api_user())
    commit()
    return jsonify({"id": entry.id, "year": micro_fund.fund_year(entry.recorded_at),
                    "balance": micro_fund.balance_fen(db(), org.id) / 100}), 201


@bp.get("/micro-fund/<community>/export")
@documented("The micro-fund's 台账 of a year as xlsx (default) or CSV: every movement with its source and the 结余",
            query=[YEAR, {"name": "format", "in": "query", "required": False,
                          "schema": {"enum": ["xlsx", "csv"]}}], errors=(400, 401, 403, 404),
            ok_content={XLSX_TYPE: {}, CSV_TYPE: {}})
@requires(*projects.PROJECT_STAFF)
def micro_fund_export(community: str):
    org = micro_fund.community_for(db(), api_user(), community)
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Invalid("some fields need correcting", {"format": "choose one of the offered options"})
    return ledger_download(db(), org, micro_fund.read_year(request.args.get("year")), fmt)


def _public_project(project_id: int):
    return projects.public_project(db(), project_id)


def _staff_project(project_id: int):
    return projects.staff_project(db(), api_user(), project_id)
