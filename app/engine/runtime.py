"""The process engine: start, load, advance and save instances of a parsed process version."""
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (CycleTimerEventDefinition, DurationTimerEventDefinition,
                                                              TimeDateEventDefinition, TimerEventDefinition)
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from app.engine import clock as _timer_clock  # noqa: F401  (SpiffWorkflow's timers read app.clock)
from app.engine.bounds import CHINA, RunLimitExceeded, StepCounter, install_guards
from app.engine.compaction import compact
from app.engine.hardstop import hard_stop
from app.engine.package import FORM_PROPERTY, LIVE_DATA_PROPERTY, UI_PROPERTY, ProcessBundle
from app.engine.render import render_instructions
from app.engine.scripting import ScriptLimitExceeded, create_script_engine, script_budget

LIVE_DATA_SECONDS = 1.0  # a task page runs its live-data script on every view

RUN_SCRIPT_SECONDS = 3.0  # total script CPU time of one run or completion (each script also has its own limit)

TIMER_EVENT_TYPES = frozenset(c.__name__ for c in (
    TimeDateEventDefinition, DurationTimerEventDefinition, CycleTimerEventDefinition))


class TaskNotReady(Exception):
    """The task is no longer (or never was) ready to be completed."""


class LiveDataFailed(Exception):
    """A user task's live-data script failed: its form cannot be shown or checked with current data."""


class StateNotStorable(Exception):
    """The workflow holds a value its state cannot be written with (e.g. an int too long for text)."""


@dataclass
class HumanTask:
    """A ready user task, as inboxes and forms need it."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    instructions: str | None
    due_at: datetime | None
    data: dict = field(repr=False)
    properties: dict = field(default_factory=dict, repr=False)

    def rendered_instructions(self) -> str:
        """The instructions rendered in the sandbox with this task's data."""
        return render_instructions(self.instructions, self.data)


@dataclass
class RunResult:
    """Where an instance stands after the engine ran: status, end event reached, error text."""

    status: str
    outcome: str | None = None
    error: str | None = None


class ProcessEngine:
    """Runs process bundles with the restricted script engine; knows nothing of Flask or SQL."""

    def __init__(self, helpers: dict | None = None, time_limit: float = 1.0):
        from app.engine.serializer import StateSerializer

        self.helpers = dict(helpers or {})
        self.script_engine = create_script_engine(helpers, time_limit)
        self.serializer = StateSerializer()

    def start(self, bundle: ProcessBundle, data: dict) -> tuple[BpmnWorkflow, RunResult]:
        """A new workflow with the start data, run to its first wait state."""
        install_guards(bundle.spec, bundle.subprocess_specs)
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=self.script_engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        return workflow, self.run(workflow)

    def load(self, bundle: ProcessBundle, state: str) -> BpmnWorkflow:
        """A workflow restored from state, with the restricted script engine attached."""
        install_guards(bundle.spec, bundle.subprocess_specs)
        workflow = self.serializer.loads(state, bundle.spec, bundle.subprocess_specs)
        # A deserialized workflow would otherwise fall back to the unrestricted default engine.
        workflow.script_engine = self.script_engine
        return workflow

    def compact(self, workflow: BpmnWorkflow) -> dict | None:
        """Move finished history out of the live tree; what moved ({"path", "flows"}), or None."""
        trail = compact(workflow)
        return {"path": trail.path, "flows": trail.flows} if trail else None

    def dump(self, workflow: BpmnWorkflow) -> str:
        """State-only JSON for the instance row; StateNotStorable when a value cannot be written."""
        try:
            return self.serializer.dumps(workflow)
        except (TypeError, ValueError, OverflowError, RecursionError) as err:
            # e.g. `x = 2**20000`: Python refuses to write an int of more than 4300 digits as text.
            raise StateNotStorable(f"the process data cannot be stored ({type(err).__name__}: {err})") from None

    @hard_stop()  # the kill for the one C call the soft limits cannot interrupt (see hardstop)
    @script_budget(RUN_SCRIPT_SECONDS)
    def run(self, workflow: BpmnWorkflow, steps: StepCounter | None = None) -> RunResult:
        """Fire due timers and run engine steps until only people or timers can move it on.

        Within the engine's bounds: `steps` counts the steps and time of one request's runs."""
        try:
            workflow.refresh_timers()
            workflow.do_engine_steps(will_complete_task=steps or StepCounter())
        except (SpiffWorkflowException, ScriptLimitExceeded, RunLimitExceeded) as err:
            return RunResult("error", error=str(err))
        except Exception as err:  # noqa: BLE001 (a fault inside the library: see _engine_fault)
            return _engine_fault(err)
        if workflow.is_completed():
            return RunResult("completed", outcome=self.end_event(workflow))
        return RunResult("running")

    @hard_stop()
    @script_budget(RUN_SCRIPT_SECONDS)
    def complete(self, workflow: BpmnWorkflow, task_id: str, data: dict, timers_due: bool = True) -> RunResult:
        """Apply a submission to a ready user task; due timers fire first, so a late submission loses.

        `timers_due=False`: the caller knows from its timer index that no deadline has passed, which
        spares a pass over the whole tree on every completion."""
        steps = StepCounter()  # one budget for the runs before and after the submission
        if timers_due:
            before = self.run(workflow, steps)
            if before.status == "error":
                return before
        task = self.ready_task(workflow, task_id)
        task.set_data(**data)
        try:
            task.run()
        except (SpiffWorkflowException, ScriptLimitExceeded, RunLimitExceeded) as err:
            return RunResult("error", error=str(err))
        except Exception as err:  # noqa: BLE001
            return _engine_fault(err)
        return self.run(workflow, steps)

    def cancel(self, workflow: BpmnWorkflow, outcome: str) -> RunResult:
        """Stop a workflow where it stands (e.g. a need withdrawn by the resident)."""
        workflow.cancel()
        return RunResult("cancelled", outcome=outcome)

    def ready_task(self, workflow: BpmnWorkflow, task_id: str) -> SpiffTask:
        """The ready manual task with this id, or TaskNotReady."""
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except (TaskNotFoundException, ValueError):
            raise TaskNotReady(task_id) from None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)
        return task

    def ready_human_task(self, workflow: BpmnWorkflow, task_id: str) -> HumanTask | None:
        """The ready user task with this id, or None (found by id, not by walking the tree)."""
        try:
            return self._human_task(self.ready_task(workflow, task_id))
        except TaskNotReady:
            return None

    @hard_stop()
    @script_budget(LIVE_DATA_SECONDS)
    def with_live_data(self, task: HumanTask) -> HumanTask:
        """The task with its data as its `liveData` script reads it now (a copy: the instance keeps its state)."""
        script = task.properties.get(LIVE_DATA_PROPERTY)
        if not script:
            return task
        data = deepcopy(task.data)
        try:
            self.script_engine.environment.execute(script, data)
        except Exception as err:  # noqa: BLE001 (a helper's refusal or a script fault: said, not a 500)
            raise LiveDataFailed(f"{type(err).__name__}: {err}") from None
        return replace(task, data=data)

    def ready_human_tasks(self, workflow: BpmnWorkflow) -> list[HumanTask]:
        """Every user task waiting for a person."""
        return [self._human_task(t) for t in workflow.get_tasks(state=TaskState.READY, manual=True)]

    def next_timer_at(self, workflow: BpmnWorkflow) -> datetime | None:
        """The earliest pending timer deadline, for the timer index."""
        due = [_parse_instant(e.value) for e in workflow.waiting_events() if e.event_type in TIMER_EVENT_TYPES]
        due = [d for d in due if d is not None]
        return min(due) if due else None

    def end_event(self, workflow: BpmnWorkflow) -> str | None:
        """The bpmn id of the top-level end event the workflow finished at."""
        ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)
                if t.workflow is workflow]
        ends.sort(key=lambda t: t.last_state_change)
        return ends[-1].task_spec.bpmn_id if ends else None

    def current_data(self, workflow: BpmnWorkflow) -> dict:
        """The process data as it stands: at a ready user task, after the last step, or at the end."""
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if ready:
            return dict(ready[0].data)
        if workflow.is_completed() and workflow.data:
            return dict(workflow.data)
        return dict(workflow.last_task.data) if workflow.last_task else {}

    def set_data(self, workflow: BpmnWorkflow, values: dict) -> None:
        """Set process data where the next steps read it: every ready user task, else the last task."""
        targets = workflow.get_tasks(state=TaskState.READY, manual=True) or [workflow.last_task]
        for task in filter(None, targets):
            # Each branch gets its own copy, as if the value had flowed there.
            task.set_data(**deepcopy(values))

    @staticmethod
    def element_name(bundle: ProcessBundle, bpmn_id: str | None) -> str | None:
        """The name people see for a diagram element (falls back to its id)."""
        for spec in [bundle.spec, *bundle.subprocess_specs.values()]:
            for task_spec in spec.task_specs.values():
                if task_spec.bpmn_id == bpmn_id:
                    return task_spec.bpmn_name or bpmn_id
        return bpmn_id

    @staticmethod
    def element_ids(bundle: ProcessBundle) -> set[str]:
        """The ids of every element of a version: its process's and those of the processes it calls."""
        return {task_spec.bpmn_id for spec in [bundle.spec, *bundle.subprocess_specs.values()]
                for task_spec in spec.task_specs.values() if task_spec.bpmn_id}

    @staticmethod
    def start_form(bundle: ProcessBundle) -> tuple[str | None, str | None]:
        """The start event's form and UI schema files, if it has a form."""
        for spec in bundle.spec.task_specs.values():
            props = _properties(spec) if isinstance(spec, StartEvent) else {}
            if props.get(FORM_PROPERTY):
                return props[FORM_PROPERTY], props.get(UI_PROPERTY)
        return None, None

    @staticmethod
    def start_lanes(bundle: ProcessBundle) -> set[str]:
        """The lanes the process's start events sit in: whose role may start an instance by hand."""
        return {spec.lane for spec in bundle.spec.task_specs.values() if isinstance(spec, StartEvent) and spec.lane}

    def _human_task(self, task: SpiffTask) -> HumanTask:
        spec = task.task_spec
        props = _properties(spec)
        return HumanTask(
            id=str(task.id), bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id, lane=spec.lane,
            form=props.get(FORM_PROPERTY), ui_form=props.get(UI_PROPERTY),
            instructions=getattr(spec, "extensions", {}).get("instructionsForEndUser"),
            due_at=_due_at(task), data=task.data, properties=props,
        )


def _engine_fault(err: Exception) -> RunResult:
    """A step that failed inside SpiffWorkflow itself (for example 3.2.0's parallel joins in loops).

    Reported like a script error, so a person's submission is refused with a reason and a timer
    worker marks the instance failed and goes on, instead of a 500 or a worker that dies on it
    at every pass."""
    return RunResult("error", error=f"the process engine failed at this step ({type(err).__name__}: {err})")


def _properties(spec) -> dict:
    return (getattr(spec, "extensions", None) or {}).get("properties", {})


def _due_at(task: SpiffTask) -> datetime | None:
    """A user task's deadline: the earliest timer on a boundary event beside it.

    An instance of a multi-instance task hangs under the activity itself: the timers sit beside that."""
    holder = task
    while holder.parent is not None and task.task_spec.bpmn_id and \
            getattr(holder.parent.task_spec, "bpmn_id", None) == task.task_spec.bpmn_id:
        holder = holder.parent
    due = []
    for sibling in holder.parent.children if holder.parent else []:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if sibling is not holder and sibling.state == TaskState.WAITING and \
                isinstance(definition, TimerEventDefinition):
            due.append(_parse_instant(sibling._get_internal_data("event_value")))
    due = [d for d in due if d is not None]
    return min(due) if due else None


def _parse_instant(value) -> datetime | None:
    if isinstance(value, dict):  # a cycle timer keeps its next firing under "next"
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    # A time without a zone is China time, as the engine reads it too (see bounds).
    return instant.replace(tzinfo=CHINA) if instant.tzinfo is None else instant
