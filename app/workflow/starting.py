"""Starting an instance of any deployed process on request, as Camunda's process-definition start does.

Who may start is read from the diagram: the roles its start events' lanes name, each in the
communities of their scope. Designers may start any process, but only as a trial in the trial
community (as the designer's start page does), never in a real one.

Processes the application starts itself, through an operation that also writes their records (a need's
tracking code, an objection against its notice, a redemption, the annual review), are not started here
in a real community: an instance without those records would be a case nobody can follow. Each module
declares its own (`STARTED_BY` in its operations); create_app installs them."""
from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people.models import User
from app.people.org import Organisation
from app.workflow.models.instance import Instance
from app.people.roles import members_of, role_for_lane
from app.people.scope import community_ids_in_scope
from app.errors import Conflict, Forbidden, Invalid, Unprocessable
from app.workflow.forms import form_pair, validate_submission
from app.workflow.instances import start_process
from app.workflow.trial import TRIAL_KIND, plays_trials, trial_key
from app.workflow.versions import bundle_for, engine, latest_version

# The request body; the OpenAPI document shows this same object.
START_BODY = {"type": "object", "required": ["community"], "additionalProperties": False, "properties": {
    "community": {"type": "string", "description": "a community code in your scope, or TRIAL for a designer's trial"},
    "data": {"type": "object", "description": "start data: the fields of the start form, when the process has one"}}}
_BODY = Draft202012Validator(START_BODY)
# process id -> how it is started instead (installed by create_app from the modules' declarations)
_started_elsewhere: dict[str, str] = {}


def install_started_elsewhere(entries: dict[str, str]) -> None:
    """Record the processes that only their own operations start in a real community."""
    _started_elsewhere.clear()
    _started_elsewhere.update(entries)


def start_roles(session: Session, process_id: str) -> set[str]:
    """The roles whose members may start the process's newest version (404 when nothing is deployed)."""
    bundle = bundle_for(session, latest_version(session, process_id).id)
    return set().union(*(members_of(role_for_lane(lane)) for lane in engine().start_lanes(bundle)))


def start_on_request(session: Session, process_id: str, body, actor: User) -> Instance:
    """Start the newest version of a process in a community with start data; nothing is stored when refused."""
    real_starter = bool(actor.role_ids & start_roles(session, process_id))
    if not real_starter and not plays_trials(actor):
        raise Forbidden("your roles may not start this process")
    body = _checked_body(body)
    community = _community(session, body["community"], actor, real_starter)
    trial = community.kind == TRIAL_KIND
    if not trial and process_id in _started_elsewhere:
        raise Conflict("this process is started by its own form, not here", started_by=_started_elsewhere[process_id])
    data = _start_data(session, process_id, body.get("data", {}))
    return start_process(session, process_id, data, community, actor, business_key=trial_key() if trial else None)


def _checked_body(body: dict) -> dict:
    """The body if START_BODY accepts it; else 422 naming each field that is missing, unknown or mistyped."""
    fields = {}
    for error in _BODY.iter_errors(body):
        if error.validator == "required":
            fields |= {name: "required" for name in error.validator_value if name not in error.instance}
        elif error.validator == "additionalProperties":
            fields |= {name: "unknown field" for name in error.instance if name not in START_BODY["properties"]}
        else:
            fields[".".join(map(str, error.absolute_path)) or "body"] = "wrong type"
    if fields:
        raise Unprocessable("send {\"community\": \"<code>\", \"data\": {...}}", fields)
    return body


def _community(session: Session, code: str, actor: User, real_starter: bool) -> Organisation:
    """The community to start in: one in the starter's scope, or the trial community for a designer."""
    found = session.scalars(select(Organisation).where(
        Organisation.code == code, Organisation.kind.in_(("community", TRIAL_KIND)))).first()
    if found is None:
        raise Unprocessable("unknown community", {"community": "unknown community"})
    if found.kind == TRIAL_KIND:
        if not plays_trials(actor):
            raise Unprocessable("only designers start instances in the trial community",
                                {"community": "outside your communities"})
        return found
    if not real_starter:
        raise Unprocessable("trial instances start only in the trial community",
                            {"community": "not the trial community"})
    if found.id not in community_ids_in_scope(session, actor):
        raise Unprocessable("this community is outside your communities", {"community": "outside your communities"})
    return found


def _start_data(session: Session, process_id: str, data: dict) -> dict:
    """The start data, checked against the start form of the version that will run (when it has one)."""
    bundle = bundle_for(session, latest_version(session, process_id).id)
    schema_file, ui_file = engine().start_form(bundle)
    if not schema_file:
        return dict(data)
    try:
        return validate_submission(form_pair(bundle, schema_file, ui_file)["schema"], data)
    except Invalid as err:
        raise Unprocessable(err.message, err.fields) from None
