"""The process designer's operations: package files, checks, drafts, retiring versions, diffs, dry runs."""
import re
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.engine import Problem, ProcessEngine, ProcessProblems
from app.engine.diff import diff_packages
from app.engine.dry_run import dry_run
from app.engine.package import SAFE_XML
from app.workflow.models.instance import Instance, InstanceStatus
from app.workflow.models.process import ProcessDefinition, ProcessDraft, ProcessVersion
from app.people.models import User
from app.workflow import audit
from app.workflow.helpers import now
from app.modules.workdays import days as workdays
from app.errors import Conflict, Invalid, NotFound, Undeployable
from app.workflow.forms import form_pair
from app.workflow.instances import start_process
from app.workflow.trial import TRIAL_CODE, trial_community, trial_key
from app.workflow.versions import (bundle_for, check_package, engine, latest_version, relied_on_problems,
                                   with_stored_forms)

PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,150}\.(bpmn|dmn|json)$")
MAX_FILES, MAX_FILE_CHARS, MAX_PACKAGE_CHARS = 200, 2_000_000, 8_000_000
DRY_RUN_KEY = "DRY-RUN"  # what case_key() gives in a dry run, where no instance exists


def package_files(raw) -> dict[str, str]:
    """A package sent by a designer ({file name: text}), refused with a reason when malformed."""
    if not isinstance(raw, dict) or not raw:
        raise Invalid("send 'files' as an object of file name → text", {"files": "required"})
    if len(raw) > MAX_FILES:
        raise Invalid("a package holds at most %(n)s files", {"files": "too many files"}, params={"n": MAX_FILES})
    for name, text in raw.items():
        if not isinstance(name, str) or not FILE_NAME.match(name):
            raise Invalid("'%(name)s' is not a .bpmn, .dmn or .json file name (letters, digits, _ . -)",
                          {"files": "bad file name"}, params={"name": name})
        if not isinstance(text, str) or len(text) > MAX_FILE_CHARS:
            raise Invalid("'%(name)s' must be text of at most %(n)s characters", {"files": "too large"},
                          params={"name": name, "n": MAX_FILE_CHARS})
    if sum(len(text) for text in raw.values()) > MAX_PACKAGE_CHARS:
        raise Invalid("the package is too large", {"files": "too large"})
    return dict(raw)


def check_process_id(process_id: str) -> str:
    """A process id as BPMN allows it (an XML name), or 400."""
    if not isinstance(process_id, str) or not PROCESS_ID.match(process_id):
        raise Invalid("a process id starts with a letter or _ and holds letters, digits, _ . - (at most 100)",
                      {"process_id": "invalid"})
    return process_id


def version_of(session: Session, process_id: str, number: int) -> ProcessVersion:
    """One stored version of a process, or 404."""
    version = session.scalars(select(ProcessVersion).join(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id, ProcessVersion.version == number)).first()
    if version is None:
        raise NotFound("process '%(process)s' has no version %(n)s", params={"process": process_id, "n": number})
    return version


def entry_process_of(value) -> str | None:
    """The entry process a designer chose for a package (None: the default rule), or 400."""
    return None if value in (None, "") else check_process_id(value)


def check_files(session: Session, files: dict[str, str], entry_process: str | None = None) -> list[Problem]:
    """Every problem deploying this package would meet ([] when it would deploy)."""
    try:
        bundle = check_package(with_stored_forms(session, files), entry_process)
    except ProcessProblems as err:
        return err.problems
    return relied_on_problems(bundle)


def running_counts(session: Session) -> dict[int, int]:
    """Running instances per version id: what retiring a version leaves in place."""
    rows = session.execute(select(Instance.version_id, func.count()).where(Instance.status == InstanceStatus.RUNNING)
                           .group_by(Instance.version_id))
    return dict(rows.all())


def set_retired(session: Session, process_id: str, number: int, retired: bool, actor: User) -> ProcessVersion:
    """Retire a version (new instances no longer start on it) or restore it; running ones go on."""
    definition = session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id).with_for_update()).first()
    version = version_of(session, process_id, number)
    if version.is_retired == retired:
        raise Conflict("version %(n)s is already retired" if retired else "version %(n)s is already in use",
                       params={"n": number})
    if retired and not any(v for v in definition.versions if not v.is_retired and v.id != version.id):
        raise Conflict("this is the only version in use: deploy or restore another version first, "
                       "or new instances of this process could not start")
    version.is_retired = retired
    audit.record(session, "process_version_retired" if retired else "process_version_restored", actor,
                 summary=f"{process_id} v{number}", changes={"is_retired": [not retired, retired]})
    return version


def version_diff(session: Session, process_id: str, old: int, new: int) -> dict:
    """Elements added, removed and changed from one version to another."""
    before, after = version_of(session, process_id, old), version_of(session, process_id, new)
    return {"process_id": process_id, "from": old, "to": new} | diff_packages(before.files, after.files)


def dry_run_files(session: Session, files: dict[str, str], scenario: dict) -> dict:
    """Run a package in memory against scripted answers; nothing is stored, no helper is called.

    The scenario's `entry_process` (or `process_id`) chooses the process that runs."""
    entry = entry_process_of(scenario.get("entry_process", scenario.get("process_id")))
    try:
        bundle = check_package(with_stored_forms(session, files), entry)
    except ProcessProblems as err:
        raise Undeployable("the process has problems to fix before it can run",
                           problems=err.problems) from None
    calendar = workdays.Calendar.snapshot(session)  # the recorded holidays, read before the transaction ends
    session.commit()  # nothing was written: end the transaction, so the run holds no lock while it runs
    # Side-effect free, so real: the simulated clock, a stand-in for the case's business key, working days.
    side_effect_free = {"now": now, "case_key": lambda: DRY_RUN_KEY,
                        "add_working_days": lambda start, count: workdays.deadline(calendar, start, count)[0]}
    return dry_run(bundle, engine().helpers.keys(), side_effect_free=side_effect_free, **_scenario(scenario))


def _scenario(body: dict) -> dict:
    """The dry run's inputs, checked: answers per task, start data, helper results, start time."""
    answers, data, results = body.get("answers", {}), body.get("data", {}), body.get("helper_results", {})
    for name, value in (("answers", answers), ("data", data), ("helper_results", results)):
        if not isinstance(value, dict):
            raise Invalid("'%(name)s' must be an object", {name: "must be an object"}, params={"name": name})
    for task, given in answers.items():
        if not isinstance(given, dict) and not (isinstance(given, list) and all(isinstance(a, dict) for a in given)):
            raise Invalid("the answer for '%(task)s' must be an object or a list of objects", {"answers": task},
                          params={"task": task})
    start_at = body.get("start_at")
    try:
        start_at = datetime.fromisoformat(start_at) if start_at else None
    except (TypeError, ValueError):
        raise Invalid("'start_at' must be an ISO 8601 time with a zone", {"start_at": "invalid"}) from None
    if start_at is not None and start_at.tzinfo is None:
        raise Invalid("'start_at' must carry a time zone, e.g. +08:00", {"start_at": "no zone"})
    steps = body.get("max_steps", 300)
    if not isinstance(steps, int) or not 1 <= steps <= 1000:
        raise Invalid("'max_steps' must be a whole number from 1 to 1000", {"max_steps": "invalid"})
    return {"answers": answers, "data": data, "helper_results": results, "start_at": start_at, "max_steps": steps}


def draft_of(session: Session, user: User, process_id: str) -> ProcessDraft | None:
    """The designer's saved draft of a process, if any."""
    return session.scalars(select(ProcessDraft).where(
        ProcessDraft.user_id == user.id, ProcessDraft.process_id == process_id)).first()


def save_draft(session: Session, user: User, process_id: str, files: dict[str, str],
               base_version: int | None) -> ProcessDraft:
    """Keep the editor's files so that nothing is lost between visits (not a version)."""
    if base_version is not None and (not isinstance(base_version, int) or isinstance(base_version, bool)):
        raise Invalid("'base_version' must be a version number or null", {"base_version": "invalid"})
    draft = draft_of(session, user, check_process_id(process_id))
    before = sorted(draft.files) if draft else None
    if draft is None:
        draft = ProcessDraft(user_id=user.id, process_id=process_id)
        session.add(draft)
    draft.files, draft.base_version = package_files(files), base_version
    session.flush()
    audit.record(session, "process_draft_saved", user, summary=process_id,
                 changes={"files": [before, sorted(draft.files)], "base_version": [None, base_version]})
    return draft


def discard_draft(session: Session, user: User, process_id: str) -> None:
    """Forget a designer's draft (after deploying it, or on request)."""
    draft = draft_of(session, user, process_id)
    if draft is not None:
        audit.record(session, "process_draft_discarded", user, summary=process_id,
                     changes={"files": [sorted(draft.files), None]})
        session.delete(draft)


def drafts_of(session: Session, user: User) -> list[ProcessDraft]:
    """A designer's drafts, newest first."""
    return list(session.scalars(select(ProcessDraft).where(ProcessDraft.user_id == user.id)
                                .order_by(ProcessDraft.updated_at.desc())))


def editor_package(session: Session, user: User, process_id: str, from_version: int | None) -> dict:
    """What the editor opens: a chosen version, else the draft, else the newest version."""
    draft = draft_of(session, user, process_id)
    if from_version is None and draft is not None:
        return {"files": draft.files, "base_version": draft.base_version, "source": "draft",
                "saved_at": draft.updated_at}
    version = (version_of(session, process_id, from_version) if from_version is not None
               else session.scalars(select(ProcessVersion).join(ProcessDefinition)
                                    .where(ProcessDefinition.process_id == process_id)
                                    .order_by(ProcessVersion.version.desc()).limit(1)).first())
    if version is None:
        raise NotFound("process '%(process)s' has no version and no draft", params={"process": process_id})
    return {"files": version.files, "base_version": version.version, "source": "version",
            "has_draft": draft is not None}


def start_trial(session: Session, process_id: str, community_code: str, data: dict, actor: User) -> Instance:
    """Start the newest version of a process in the trial community, as a designer trying it out.

    A trial never runs in a real community: its helpers act only inside its own case, and the trial
    community holds no real cases, so nothing a trial does reaches residents' records."""
    community = trial_community(session)
    if community is None or (community_code or TRIAL_CODE) != TRIAL_CODE:
        raise Invalid("trial instances start only in the trial community", {"community": "not the trial community"})
    latest_version(session, process_id)  # 404 with a clear message when nothing is deployed
    return start_process(session, process_id, data, community, actor, business_key=trial_key())


def trial_form(session: Session, process_id: str) -> dict | None:
    """The start form of a process's newest version in use, or None when it starts without one."""
    bundle = bundle_for(session, latest_version(session, process_id).id)
    schema_file, ui_file = ProcessEngine.start_form(bundle)
    return form_pair(bundle, schema_file, ui_file) if schema_file else None


def imported_process_id(text: str, fallback: str) -> str:
    """The id a BPMN file from another tool is kept under: its executable process, else its first."""
    try:
        tree = etree.fromstring(text.encode(), SAFE_XML)
    except etree.XMLSyntaxError as err:
        # the parser's own words go to `detail`: people read the line in their language
        raise Invalid("the file is not well-formed XML (line %(line)s)", params={"line": err.lineno},
                      detail=str(err)) from None
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    ids = (tree.xpath("//bpmn:process[@isExecutable='true']/@id", namespaces=ns)
           + tree.xpath("//bpmn:process/@id", namespaces=ns))
    candidate = next((i for i in ids if PROCESS_ID.match(i)), None) or re.sub(r"[^A-Za-z0-9_.-]", "_", fallback)
    return check_process_id(candidate if PROCESS_ID.match(candidate) else f"imported_{candidate}"[:100])


def new_process_template(process_id: str, name: str) -> dict[str, str]:
    """A starting point for a new process: a pool with one lane, a start and an end event."""
    check_process_id(process_id)
    name = (name or process_id).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")[:100]
    return {f"{process_id}.bpmn": TEMPLATE.format(pid=process_id, name=name)}


TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="definitions_{pid}" targetNamespace="http://minxu.local/bpmn">
  <bpmn:collaboration id="collaboration_{pid}">
    <bpmn:participant id="participant_{pid}" name="{name}" processRef="{pid}" />
  </bpmn:collaboration>
  <bpmn:process id="{pid}" name="{name}" isExecutable="true">
    <bpmn:laneSet id="laneset_{pid}">
      <bpmn:lane id="lane_community_worker" name="社区工作者">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始" />
    <bpmn:endEvent id="end" name="结束" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{pid}">
    <bpmndi:BPMNPlane id="plane_{pid}" bpmnElement="collaboration_{pid}">
      <bpmndi:BPMNShape id="participant_{pid}_di" bpmnElement="participant_{pid}" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="760" height="240" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="lane_community_worker_di" bpmnElement="lane_community_worker" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="730" height="240" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="200" y="182" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="760" y="182" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
