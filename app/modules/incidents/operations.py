"""Incidents: failed instances (status "error"), listed for admins and designers, retried or cancelled.

A retry merges corrected data into the failed step and runs it again, on the instance's own version
or on a newer deployed version of its process; a retry that fails again leaves the incident with the
new error. Each action is an audit event naming the person and the instance; none commits."""
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.engine import recovery
from app.workflow.models.instance import Instance, InstanceStatus
from app.workflow.models.process import ProcessDefinition, ProcessVersion
from app.people.models import User
from app.people.policy import INCIDENT_ROLES
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.modules.admin.operations import cancel_instance, check_values
from app.workflow.helpers import bound_to
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.workflow.instances import current_data, lock_instance, save_state
from app.workflow.trial import TRIAL_VIEWERS, trial_community_id
from app.workflow.versions import bundle_for, engine

ROLES = INCIDENT_ROLES
FAILED = InstanceStatus.ERROR


def open_incidents(session: Session, user: User) -> list[Instance]:
    """Failed instances in the user's communities, the newest failure first."""
    return list(session.scalars(
        select(Instance).options(joinedload(Instance.version), joinedload(Instance.community))
        .where(Instance.status == FAILED, Instance.community_id.in_(_communities(session, user)))
        .order_by(Instance.failed_at.desc().nulls_last(), Instance.id.desc())))


def incident(session: Session, user: User, instance_id: int) -> Instance:
    """A failed instance in the user's communities; 404 when there is none, 403 outside them."""
    instance = session.get(Instance, instance_id)
    return _checked(session, user, instance, NotFound("this instance has no open incident"))


def failed_step_data(session: Session, instance: Instance) -> dict:
    """The data the failed step ran with (the instance's current data when no step can be told)."""
    workflow = engine().load(bundle_for(session, instance.version_id), instance.state)
    data = recovery.failed_data(workflow)
    return data if data is not None else current_data(session, instance)


def newer_versions(session: Session, instance: Instance) -> list[ProcessVersion]:
    """Versions of the instance's process, newer than its own and in use, that a retry may move it to."""
    return list(session.scalars(
        select(ProcessVersion).join(ProcessDefinition)
        .where(ProcessDefinition.process_id == instance.process_id, ProcessVersion.is_retired.is_(False),
               ProcessVersion.version > instance.version.version)
        .order_by(ProcessVersion.version.desc())))


def retry(session: Session, actor: User, instance_id: int, corrections=None, version=None) -> Instance:
    """Run the failed step again with `corrections` merged into its data, on `version` if given.

    `version`: a newer version number of the same process, or "latest"; None keeps the instance's own."""
    corrections = _corrections(corrections)
    instance = _checked(session, actor, lock_instance(session, instance_id),
                        Conflict("this instance has no open incident: only a failed instance can be retried"))
    target = _target_version(session, instance, version)
    workflow = _load_onto(session, instance, target)
    before = recovery.failed_data(workflow) or {}
    step = recovery.prepare_retry(workflow, corrections)
    with bound_to(session, actor, instance):
        result = engine().run(workflow)
    changes = {key: [before.get(key), value] for key, value in corrections.items()}
    if target.id != instance.version_id:
        changes["version"] = [instance.version.version, target.version]
    audit.record(session, "incident_retried", actor, instance=instance, changes=changes,
                 summary=f"{step or ''} v{target.version}: {result.status}")
    if target.id != instance.version_id:
        instance.version = target
        session.flush()  # the new version pin goes in before the run's state, under the same version check
    save_state(session, instance, workflow, result, actor)
    return instance


def cancel(session: Session, actor: User, instance_id: int, reason) -> Instance:
    """End a failed instance (status cancelled, its ready tasks withdrawn), with a reason; audited."""
    _checked(session, actor, lock_instance(session, instance_id),
             Conflict("this instance has no open incident: only a failed instance is cancelled here"))
    return cancel_instance(session, actor, instance_id, reason)


def _checked(session: Session, user: User, instance: Instance | None, not_failed: Exception) -> Instance:
    if instance is None:
        raise NotFound("no such instance")
    if instance.community_id not in _communities(session, user):
        raise Forbidden("this instance is outside your communities")
    if instance.status != FAILED:
        raise not_failed
    return instance


def _communities(session: Session, user: User) -> set[int]:
    """The communities whose incidents the user handles: their own, and the trial community's for designers."""
    trial = trial_community_id(session) if user.role_ids & TRIAL_VIEWERS else None
    return community_ids_in_scope(session, user) | ({trial} if trial is not None else set())


def _corrections(values) -> dict:
    if values is None or values == {}:
        return {}
    check_values(values)
    return values


def _target_version(session: Session, instance: Instance, wanted) -> ProcessVersion:
    """The version to retry on: the instance's own, or a newer one of its process still in use."""
    if wanted is None:
        return instance.version
    newer = newer_versions(session, instance)
    if wanted == "latest":
        if not newer:
            raise Conflict("no newer version of this process is deployed")
        return newer[0]
    if not isinstance(wanted, int) or isinstance(wanted, bool):
        raise Invalid('version is a version number or "latest"', {"version": "invalid value"})
    found = [v for v in newer if v.version == wanted]
    if not found:
        raise Conflict("choose a newer version of this process that is in use", newer=[v.version for v in newer])
    return found[0]


def _load_onto(session: Session, instance: Instance, target: ProcessVersion):
    """The instance's workflow on `target`'s specs, or 409 naming what the new version lacks."""
    bundle = bundle_for(session, target.id)
    if target.id == instance.version_id:
        return engine().load(bundle, instance.state)
    missing = recovery.missing_elements(bundle, instance.state)
    if missing:
        raise Conflict("the new version lacks elements this instance stands on", missing=missing)
    try:
        return engine().load(bundle, instance.state)
    except Exception as err:  # noqa: BLE001 (SpiffWorkflow reports a misfit as TypeError, KeyError, ...)
        raise Conflict("this instance's state does not fit the new version", reason=type(err).__name__) from None
