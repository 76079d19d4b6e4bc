"""Incidents in the engine: which element failed, whether a state fits another version, and a retry."""
import json
from copy import deepcopy

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from app.engine.package import ProcessBundle


def failed_element(workflow: BpmnWorkflow) -> tuple[str | None, str | None]:
    """(bpmn id, name or None) of the element the run failed at, or (None, None) when none can be told."""
    stuck = _stuck_tasks(workflow)
    if not stuck:
        return None, None
    spec = stuck[0].task_spec
    return spec.bpmn_id, spec.bpmn_name


def failed_data(workflow: BpmnWorkflow) -> dict | None:
    """The data the failed step ran with (what a correction is merged into), if a step can be told."""
    stuck = _stuck_tasks(workflow)
    return dict(stuck[0].data) if stuck else None


def missing_elements(bundle: ProcessBundle, state: str) -> list[str]:
    """Task specs the stored state stands on that the bundle lacks: the state cannot load onto it."""
    stored = json.loads(state)
    missing = _missing(bundle.spec.task_specs, stored["tasks"])
    for sub in stored.get("subprocesses", {}).values():
        spec = bundle.subprocess_specs.get(sub.get("spec"))
        if spec is None:
            missing.append(str(sub.get("spec")))
        else:
            missing += _missing(spec.task_specs, sub["tasks"])
    return sorted(set(missing))


def prepare_retry(workflow: BpmnWorkflow, corrections: dict) -> str | None:
    """Make the failed step runnable again with the corrections merged into its data.

    A task left in ERROR is reset (it would never run again otherwise); a step the engine stopped
    at without marking it gets the corrections as it stands. Returns the bpmn id retried, if any."""
    failed = _failed_tasks(workflow)
    for task in failed:
        workflow.reset_from_task_id(task.id)  # back to READY, data inherited afresh from its parent
    targets = failed or _stuck_tasks(workflow) or workflow.get_tasks(state=TaskState.READY, manual=True)
    targets = targets or [workflow.last_task]
    for task in filter(None, targets):
        # Each branch gets its own copy, as if the value had flowed there.
        task.set_data(**deepcopy(corrections))
    first = next(filter(None, targets), None)
    return first.task_spec.bpmn_id if first is not None else None


def _failed_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    # Filtered over all tasks: get_tasks(state=ERROR) would not look under a STARTED parent.
    return [t for t in workflow.get_tasks() if t.state == TaskState.ERROR and t.task_spec.bpmn_id]


def _stuck_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """Tasks in ERROR, else engine steps left ready (a fault raised before any task was marked)."""
    return _failed_tasks(workflow) or [t for t in workflow.get_tasks() if t.state == TaskState.READY
                                       and not t.task_spec.manual and t.task_spec.bpmn_id]


def _missing(task_specs: dict, tasks: dict) -> list[str]:
    return [t["task_spec"] for t in tasks.values() if t["task_spec"] not in task_specs]
