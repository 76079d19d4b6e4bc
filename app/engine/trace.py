"""Where an instance has been: the elements it ran, the flows it took, where it stands, and when."""
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

STANDING = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
# Internal-data flag compaction sets on an ancestor it re-linked: its parent no longer shows the flow taken.
RELINKED = "minxu_relinked"


def trace(workflow: BpmnWorkflow, trails: list[dict] = ()) -> dict:
    """The path taken (elements in completion order, with times), the flows taken, and where tokens stand.

    `trails` hold what compaction moved out of the live tree ({"path": [...], "flows": [...]} each)."""
    # Unfiltered get_tasks walks every state and every subprocess; a state filter would skip subtrees.
    tasks = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id]
    done = sorted((t for t in tasks if t.state == TaskState.COMPLETED), key=lambda t: t.last_state_change)
    standing = [t for t in tasks if t.state & STANDING]
    flows: list[list[str]] = []
    for trail in trails:
        flows += [flow for flow in trail["flows"] if flow not in flows]
    for task in done + standing:
        flows += [flow for flow in flows_into(task) if flow not in flows]
    path = [s for trail in trails for s in trail["path"]] + [step(t) for t in done]
    return {"path": sorted(path, key=lambda s: s["at"]), "flows": flows,
            "current": [step(t) | {"state": TaskState.get_name(t.state)} for t in standing]}


def step(task: SpiffTask) -> dict:
    """One element a task ran: id, name, type, process and when its state last changed."""
    spec = task.task_spec
    return {"bpmn_id": spec.bpmn_id, "name": spec.bpmn_name or spec.bpmn_id, "type": type(spec).__name__,
            "process_id": process_id_of(task.workflow),
            "at": datetime.fromtimestamp(task.last_state_change, UTC).isoformat()}


def flows_into(task: SpiffTask) -> list[list[str]]:
    """The sequence flows that brought the token to `task`: [[source bpmn id, target bpmn id]]."""
    if task._get_internal_data(RELINKED):
        return []
    if isinstance(task.task_spec, BoundaryEvent):
        # No flow leads into a boundary event; the one that fired shows the flow into its activity,
        # which an interrupting event cancels before it could complete and be recorded.
        split = task.parent
        main = next((t for t in split.children if not isinstance(t.task_spec, BoundaryEvent)), None)
        target = main.task_spec.bpmn_id if main is not None else None
        source = nearest_element(split)
    else:
        target, source = task.task_spec.bpmn_id, nearest_element(task.parent)
    # None: a subprocess's start; equal: a multi-instance child under its own task.
    return [[source, target]] if source and target and source != target else []


def nearest_element(task: SpiffTask | None) -> str | None:
    """The bpmn id of `task` or its nearest ancestor that is a diagram element (not an internal spec)."""
    while task is not None and not task.task_spec.bpmn_id:
        task = task.parent
    return task.task_spec.bpmn_id if task is not None else None


def subprocess_task(workflow) -> SpiffTask | None:
    """The call activity or subprocess task a (sub)workflow runs under; None for the top workflow."""
    if workflow.parent_task_id is None:
        return None
    return workflow.top_workflow.get_task_from_id(workflow.parent_task_id)


def process_id_of(workflow) -> str:
    """The bpmn process an element belongs to: an embedded subprocess belongs to its parent's."""
    parent = subprocess_task(workflow)
    while parent is not None and not isinstance(parent.task_spec, CallActivity):
        workflow = parent.workflow
        parent = subprocess_task(workflow)
    return workflow.spec.name


