"""Limits on what one engine run may do, whatever the diagram says.

The per-script time limit bounds each script, but not how many run, how many multi-instance
children one step creates, how deep call activities nest or how often a cycle timer fires. Each
limit here stops a run with a reason before the work starts: the engine steps through a callback
of `do_engine_steps`, the rest through guards installed once on the parsed specs (the specs are
cached and never serialized, so a guard costs nothing when its element is not reached).
"""
from collections.abc import Sized
from datetime import timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from app.engine import cputime

# Scripts, gateways and events one run may complete. Each step can deepen the task tree by a level
# (a loop turn does), and SpiffWorkflow stops looking 1000 levels down: stop well before that.
MAX_ENGINE_STEPS = 500
# Processor time one run may use before its next engine step is refused: a run holds the database's
# write lock (SQLite) or the instance row, and other writers wait only a few seconds. Processor time,
# not wall-clock time: a helper waiting for a lock, or a busy machine, is no runaway diagram; and less the
# garbage collections the run happened to trigger (app.engine.cputime), which were not its own work.
MAX_RUN_SECONDS = 2.0
MAX_CALL_DEPTH = 10  # call activities and subprocesses nested inside each other
MAX_INSTANCES = 200  # children of one multi-instance activity
MIN_CYCLE_INTERVAL = timedelta(hours=1)  # shortest interval of a repeating timer
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

# A timer set to a time without a zone means China time, wherever the server runs (SpiffWorkflow
# would take the machine's zone, and the timer index would then disagree with the engine).
_timer_module.LOCALTZ = CHINA

_GUARDED = "_minxu_bounded"


class RunLimitExceeded(Exception):
    """A run went past one of the engine's limits; the message says which, and where."""


class StepCounter:
    """The `will_complete_task` callback of one run: refuses the step past MAX_ENGINE_STEPS or MAX_RUN_SECONDS."""

    def __init__(self, limit: int | None = None, seconds: float | None = None):
        self.limit, self.seconds, self.steps = limit or MAX_ENGINE_STEPS, seconds or MAX_RUN_SECONDS, 0
        self.deadline = cputime.now() + self.seconds  # CPU time less garbage collection, as for scripts

    def __call__(self, task) -> None:
        self.steps += 1
        if self.steps > self.limit:
            raise RunLimitExceeded(f"more than {self.limit} scripts, gateways and events ran in one step of "
                                   f"the process (last: {element_label(task)}): does a loop never end?")
        if cputime.now() > self.deadline:
            raise RunLimitExceeded(f"the scripts, gateways and events of one step used more than "
                                   f"{self.seconds:g} s of processor time (stopped before {element_label(task)}): "
                                   "does a loop never end?")


def install_guards(spec, subprocess_specs: dict) -> None:
    """Guard the multi-instance, subprocess and cycle-timer elements of parsed specs (once per spec)."""
    for process in [spec, *subprocess_specs.values()]:
        if getattr(process, _GUARDED, False):
            continue
        for task_spec in process.task_specs.values():
            if isinstance(task_spec, MultiInstanceTask):
                _guard_update(task_spec, _check_cardinality)
            elif isinstance(task_spec, SubWorkflowTask):
                _guard_update(task_spec, _check_call_depth)
            for definition in _cycle_timers(getattr(task_spec, "event_definition", None)):
                _guard_cycle(definition)
        setattr(process, _GUARDED, True)


def cycle_interval(value: str) -> timedelta | None:
    """The interval of an ISO 8601 repeating timer ("R/PT1H"), as the engine reads it; None if it never repeats."""
    try:
        cycles, _start, interval = TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # noqa: BLE001 (the library raises bare Exception; the value's form is checked elsewhere)
        return None
    return interval if cycles != 0 else None


def element_label(task) -> str:
    """The element a task runs, as a person reads it: id and name."""
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None)
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    return f"{bpmn_id} ({name})" if name and name != bpmn_id else str(bpmn_id)


def instance_count(task_spec, task) -> int | None:
    """How many children a multi-instance activity is about to create (None: it cannot tell).

    Read from the data the task is about to inherit (its parent's): the library copies it in
    only inside the update hook this check runs before."""
    source = task.parent if task.parent is not None else task
    if task_spec.data_input is not None:
        if not task_spec.data_input.exists(source):
            return None  # the library reports the missing input itself
        collection = task_spec.data_input.get(source)
        return len(collection) if isinstance(collection, Sized) else None
    if task_spec.cardinality is None:
        return None
    value = task.workflow.script_engine.evaluate(source, task_spec.cardinality)
    return value if isinstance(value, int) else None


def _guard_update(task_spec, check) -> None:
    """Run `check` before the spec's update hook (where children or subprocesses are created)."""
    update = task_spec._update_hook

    def guarded(task):
        check(task_spec, task)
        return update(task)
    task_spec._update_hook = guarded  # on this spec object only: the library's classes stay untouched


def _check_cardinality(task_spec, task) -> None:
    if task.internal_data.get("merged") is not None:
        return  # already started: updated again as children finish
    count = instance_count(task_spec, task)
    if count is not None and count > MAX_INSTANCES:
        raise RunLimitExceeded(f"{element_label(task)} would run {count} times at once; "
                               f"a multi-instance activity runs at most {MAX_INSTANCES} times")


def _check_call_depth(_task_spec, task) -> None:
    if task.workflow.top_workflow.subprocesses.get(task.id) is not None:
        return  # its subprocess exists: this update only asks whether it has finished
    if task.workflow.depth + 1 > MAX_CALL_DEPTH:
        raise RunLimitExceeded(f"{element_label(task)} would nest subprocesses more than {MAX_CALL_DEPTH} deep")


def _cycle_timers(definition):
    if isinstance(definition, CycleTimerEventDefinition):
        yield definition
    elif isinstance(definition, MultipleEventDefinition):
        for inner in definition.event_definitions:
            yield from _cycle_timers(inner)


def _guard_cycle(definition) -> None:
    """Refuse a cycle computed at run time below MIN_CYCLE_INTERVAL, before it fires even once."""
    cycle_complete = definition.cycle_complete

    def guarded(task):
        first = task._get_internal_data("event_value") is None
        fired = cycle_complete(task)
        value = task._get_internal_data("event_value")
        if first and isinstance(value, dict) and value.get("cycles") != 0 \
                and value.get("duration", 0) < MIN_CYCLE_INTERVAL.total_seconds():
            task.internal_data.pop("event_value", None)
            raise RunLimitExceeded(f"{element_label(task)} repeats every {value.get('duration'):g} seconds; "
                                   f"a timer cycle repeats at most once per {_hours(MIN_CYCLE_INTERVAL)}")
        return fired
    definition.cycle_complete = guarded


def _hours(interval: timedelta) -> str:
    hours = interval.total_seconds() / 3600
    return "hour" if hours == 1 else f"{hours:g} hours"
