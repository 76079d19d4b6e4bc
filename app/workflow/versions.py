"""Process versions: deploy (check, then store once), find the latest, and the parsed-spec cache."""
import re
import threading
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, object_session

from app.engine import Problem, ProcessBundle, ProcessEngine, ProcessProblems, content_hash, parse_package
from app.engine.text import Text
from app.workflow.models.process import ProcessDefinition, ProcessVersion
from app.people.models import User
from app.people.roles import role_for_lane
from app.workflow import audit

from app.errors import NotFound, Undeployable

_engine: ProcessEngine | None = None
# Parsed bundles by what they were parsed from: (content hash, entry process id). A row id is no key:
# a rolled-back deploy's id is given again to the next (SQLite reuses it), maybe by another process.
_bundles: dict[tuple[str, str], ProcessBundle] = {}
# The key of each committed version row, by database and id (a committed version is never changed or
# removed; the database is part of the key because the test suite runs many in one process).
_keys: dict[tuple[object, int], tuple[str, str]] = {}
# In session.info, for the open transaction: the versions it inserted, and the bundles its deploys parsed.
_NEW_VERSIONS, _PARSED = "minxu_new_versions", "minxu_parsed_bundles"
_relied_on: dict[str, dict[str, list[str]]] = {}  # process id → element id → who reads it (rely_on_elements)
_lock = threading.Lock()
FORM_REFERENCE = re.compile(r'name="form(?:JsonSchema|UiSchema)Filename"\s+value="([^"]+)"')


def install_engine(helpers: dict) -> None:
    """Build the process engine once, with every function diagrams may call (create_app does this)."""
    global _engine
    with _lock:
        if _engine is None or _engine.helpers != helpers:
            _engine = ProcessEngine(helpers=helpers)


def rely_on_elements(registry: dict[str, dict[str, list[str]]]) -> None:
    """Install the element ids Python reads by name, per process id, with who reads each (create_app does this)."""
    global _relied_on
    _relied_on = {process: {element: list(who) for element, who in elements.items()}
                  for process, elements in registry.items()}


def relied_on_problems(bundle: ProcessBundle) -> list[Problem]:
    """One problem per element id the code relies on that this version of its process no longer has."""
    wanted = _relied_on.get(bundle.process_id, {})
    present = engine().element_ids(bundle) if wanted else set()
    return [Problem(element, Text("the element '%(element)s' is removed or renamed, but %(readers)s read it by "
                                  "this id: keep the id", element=element, readers=" and ".join(who)))
            for element, who in sorted(wanted.items()) if element not in present]


def engine() -> ProcessEngine:
    """The process engine shared by this process's threads."""
    if _engine is None:
        raise RuntimeError("the process engine is built by create_app (versions.install_engine)")
    return _engine


def bpmn_files(files: dict[str, str], process_id: str) -> list[str]:
    """A version's BPMN file names, the one defining `process_id` (its main file) first."""
    return sorted((n for n in files if n.endswith(".bpmn")), key=lambda n: (f'id="{process_id}"' not in files[n], n))


def main_bpmn(files: dict[str, str], process_id: str) -> str | None:
    """The name of a version's main BPMN file: the one defining `process_id` (else the first BPMN file)."""
    return next(iter(bpmn_files(files, process_id)), None)


def bundle_for(session: Session, version_id: int) -> ProcessBundle:
    """The parsed specs of a version: parsed once per process from its stored files, then reused."""
    row = session.get_bind().url, version_id
    key = _keys.get(row)
    if key is None:
        version = session.get(ProcessVersion, version_id)
        if version is None:
            raise NotFound("process version %(id)s does not exist", params={"id": version_id})
        key = version.content_hash, version.definition.process_id
    bundle = _bundles.get(key) or session.info.get(_PARSED, {}).get(key)
    if bundle is None:
        version = session.get(ProcessVersion, version_id)
        bundle = check_package(version.files, version.definition.process_id)
    if version_id in session.info.get(_NEW_VERSIONS, ()):
        session.info.setdefault(_PARSED, {})[key] = bundle  # this transaction's own row: kept if it commits
    else:
        with _lock:  # a row this transaction did not write is committed
            _keys.setdefault(row, key)
            bundle = _bundles.setdefault(key, bundle)
    return bundle


def check_package(files: dict[str, str], process_id: str | None = None) -> ProcessBundle:
    """Parse and check a package against this installation's roles and helpers."""
    helpers = engine().helpers
    return parse_package(files, lane_is_known=lambda lane: role_for_lane(lane) is not None,
                         known_functions=helpers.keys(), process_id=process_id,
                         reading_functions=[name for name, f in helpers.items() if getattr(f, "reads_only", False)])


def latest_version(session: Session, process_id: str) -> ProcessVersion:
    """The newest version of a process that is not retired."""
    version = session.scalars(
        select(ProcessVersion).join(ProcessDefinition)
        .where(ProcessDefinition.process_id == process_id, ProcessVersion.is_retired.is_(False))
        .order_by(ProcessVersion.version.desc()).limit(1)
    ).first()
    if version is None:
        raise NotFound("process '%(process)s' has no deployed version", params={"process": process_id})
    return version


def deploy(session: Session, files: dict[str, str], actor: User | None,
           entry_process: str | None = None) -> tuple[ProcessVersion, bool]:
    """Check a package and store it as a new immutable version (or return the identical one).

    Forms the diagrams reference but the upload lacks are taken from the newest stored version
    that has them, so a designer can send only the BPMN they changed. `entry_process` chooses the
    process instances start in (by default the one executable process no other process calls)."""
    files = with_stored_forms(session, files)
    try:
        bundle = check_package(files, entry_process)
    except ProcessProblems as err:
        raise Undeployable("the process cannot be deployed", problems=err.problems) from None
    if problems := relied_on_problems(bundle):
        raise Undeployable("the process cannot be deployed", problems=problems)
    definition = _definition(session, bundle)
    existing = session.scalars(select(ProcessVersion).where(
        ProcessVersion.definition_id == definition.id, ProcessVersion.content_hash == bundle.content_hash)).first()
    if existing is not None:
        return existing, False
    number = (session.scalar(select(func.max(ProcessVersion.version))
                             .where(ProcessVersion.definition_id == definition.id)) or 0) + 1
    version = ProcessVersion(definition=definition, version=number, content_hash=bundle.content_hash,
                             files=bundle.files, created_by_id=actor.id if actor else None)
    session.add(version)
    session.flush()
    session.info.setdefault(_PARSED, {})[(bundle.content_hash, definition.process_id)] = bundle
    audit.record(session, "process_deployed", actor, summary=f"{bundle.process_id} v{number}",
                 changes={"process_id": [None, bundle.process_id], "version": [None, number],
                          "content_hash": [None, bundle.content_hash]})
    return version, True


def with_stored_forms(session: Session, files: dict[str, str]) -> dict[str, str]:
    """The package plus referenced form files it lacks, from the newest version holding each."""
    wanted = {f for name, text in files.items() if name.endswith(".bpmn") for f in FORM_REFERENCE.findall(text)}
    missing = wanted - files.keys()
    if not missing:
        return files
    found = dict(files)
    for version in session.scalars(select(ProcessVersion).order_by(ProcessVersion.id.desc())):
        for name in missing - found.keys():
            if name in version.files:
                found[name] = version.files[name]
        if missing <= found.keys():
            break
    return found


def _definition(session: Session, bundle: ProcessBundle) -> ProcessDefinition:
    definition = session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id == bundle.process_id).with_for_update()).first()
    if definition is None:
        definition = ProcessDefinition(process_id=bundle.process_id, name=bundle.name)
        session.add(definition)
        session.flush()
    return definition


def package_from_directory(process_dir: Path, forms_dir: Path) -> dict[str, str]:
    """A process folder's BPMN and DMN files plus every form file they reference."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(process_dir.iterdir())
             if p.suffix in (".bpmn", ".dmn")}
    for text in [t for n, t in files.items() if n.endswith(".bpmn")]:
        for form in FORM_REFERENCE.findall(text):
            if (forms_dir / form).is_file():
                files[form] = (forms_dir / form).read_text(encoding="utf-8")
    return files


def deploy_shipped(session: Session, processes_dir: Path, forms_dir: Path) -> list[ProcessVersion]:
    """Deploy each folder under processes/ whose content differs from its stored versions."""
    created = []
    for folder in sorted(p for p in processes_dir.iterdir() if p.is_dir()):
        version, is_new = deploy(session, package_from_directory(folder, forms_dir), None)
        if is_new:
            created.append(version)
    return created


def version_hash(files: dict[str, str]) -> str:
    """The content hash a package would be stored under."""
    return content_hash(files)


@event.listens_for(ProcessVersion, "after_insert")
def _note_new_version(mapper, connection, version: ProcessVersion) -> None:
    """Until its transaction commits, a new version's id may yet be rolled back and given to another."""
    session = object_session(version)
    if session is not None:
        session.info.setdefault(_NEW_VERSIONS, set()).add(version.id)


@event.listens_for(Session, "after_commit")
def _keep_parsed_bundles(session: Session) -> None:
    """The bundles this transaction's deploys parsed now belong to committed versions: share them."""
    parsed = session.info.pop(_PARSED, {})
    session.info.pop(_NEW_VERSIONS, None)
    with _lock:
        for key, bundle in parsed.items():
            _bundles.setdefault(key, bundle)


@event.listens_for(Session, "after_rollback")
def _drop_parsed_bundles(session: Session) -> None:
    """A rolled-back deploy leaves nothing behind: its id may come back meaning another version."""
    session.info.pop(_PARSED, None)
    session.info.pop(_NEW_VERSIONS, None)
