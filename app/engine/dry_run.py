"""Dry run: run a process version in memory against scripted answers and show the path it took
on the diagram, before deploying.

Nothing is stored and no database is touched: diagram helpers are replaced by stubs that record
their calls and return scripted results, and timers fire by moving a simulated clock.
"""
import json
import math
from time import monotonic
from copy import deepcopy
from datetime import date, datetime, time, timedelta

from jsonschema.exceptions import best_match
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from app import clock
from app.engine import clock as _timer_clock  # noqa: F401  (SpiffWorkflow's timers read app.clock)
from app.engine import cputime
from app.engine.bounds import MAX_ENGINE_STEPS, MAX_RUN_SECONDS, install_guards
from app.engine.form_schema import form_errors
from app.engine.hardstop import hard_stop
from app.engine.package import FORM_PROPERTY, ProcessBundle
from app.engine.runtime import TIMER_EVENT_TYPES, _parse_instant
from app.engine.scripting import create_script_engine
from app.engine.text import Text
from app.engine.trace import flows_into, process_id_of, subprocess_task

# SpiffWorkflow fires a timer only once its deadline is strictly in the past: timers are refreshed
# this much after the simulated time, so one due exactly then fires and its deadline is shown.
_PAST_DEADLINE = timedelta(microseconds=1)
# Engine tasks (scripts, gateways, events) one advance may run before it is called runaway:
# they never reach a person or a timer, so max_steps alone would not stop them. The same limit
# as a live run's, so the dry run stops where the live process would.
ENGINE_TASK_LIMIT = MAX_ENGINE_STEPS
# SpiffWorkflow's task iterators stop 1000 levels down the task tree: deeper tasks are not found,
# so a workflow that deep stops running and even reports itself completed. Stop well before.
MAX_TREE_DEPTH = 900
# A dry run answers a request: it stops after this long, however many steps are left.
MAX_DRY_RUN_SECONDS = 20.0
MAX_VALUE_CHARS = 2000  # longest JSON of one data value or helper argument kept in the result
MAX_MESSAGE_CHARS = 1000
MAX_DEPTH = 20  # nesting kept in data and helper arguments; deeper parts become their repr


class _Stop(Exception):
    """Ends the run early with a status, a message and (for errors) the failing element."""

    def __init__(self, status: str, message: str, error: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.error = status, message, error


class _HelperStubs:
    """Stand-ins for the diagram helpers: record each call, return the scripted result."""

    def __init__(self, names, results: dict | None, real: dict | None = None):
        self.calls: list[dict] = []
        # A list is a sequence of return values (copied, so the caller's list stays untouched).
        self._results = {name: list(value) if isinstance(value, list) else value
                         for name, value in (results or {}).items()}
        self._real = dict(real or {})
        self.functions = {name: self._stub(name) for name in names}

    def _stub(self, name):
        def stub(*args, **kwargs):
            self.calls.append({"name": name, "args": [_small(a) for a in args],
                               "kwargs": {k: _small(v) for k, v in kwargs.items()}})
            if name in self._real and name not in self._results:
                return self._real[name](*args, **kwargs)  # side-effect free (e.g. the simulated clock)
            return deepcopy(self._next_result(name))  # a script changing it must not change the script
        stub.__name__ = name
        return stub

    def _next_result(self, name):
        value = self._results.get(name)
        if not isinstance(value, list):
            return value
        if not value:
            return None
        return value.pop(0) if len(value) > 1 else value[0]  # the last value repeats


class _Answers:
    """Scripted form submissions per user task: one dict for every time, or a list used in order."""

    def __init__(self, answers: dict):
        self._left = {bpmn_id: list(value) if isinstance(value, list) else value
                      for bpmn_id, value in answers.items()}

    def has(self, bpmn_id: str) -> bool:
        """Whether the task has an answer left."""
        value = self._left.get(bpmn_id)
        return value is not None and value != []

    def take(self, bpmn_id: str):
        """The task's next answer (a copy, so the engine cannot change the scripted one)."""
        value = self._left[bpmn_id]
        return deepcopy(value.pop(0) if isinstance(value, list) else value)


class _DryRun:
    """One dry run: the workflow, the simulated clock and everything recorded on the way."""

    def __init__(self, bundle: ProcessBundle, stubs: _HelperStubs, answers: _Answers,
                 start_at: datetime, time_limit: float):
        self.bundle, self.stubs, self.answers = bundle, stubs, answers
        self.now = start_at
        engine = create_script_engine(stubs.functions, time_limit)
        install_guards(bundle.spec, bundle.subprocess_specs)  # the live run's limits, before anything runs
        self.workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=engine)
        self.path: list[dict] = []
        self.flows: list[list[str]] = []
        self.timers_fired: list[dict] = []
        self._seen: set = set()
        self._depths: dict = {}

    def start(self, data: dict) -> None:
        """Put the start data into the start task, as ProcessEngine.start does."""
        for task in self.workflow.get_tasks(state=TaskState.READY):
            task.data.update(deepcopy(data))

    def run(self, max_steps: int) -> tuple[str, str | None]:
        """Advance until the workflow completes, waits, or uses up its steps; (status, message)."""
        steps = 0
        deadline = monotonic() + MAX_DRY_RUN_SECONDS
        while True:
            self._advance()
            if self.workflow.is_completed():
                return "completed", None
            if monotonic() > deadline:
                return "step_limit", Text("stopped after %(seconds)s s (%(steps)s steps)",
                                          seconds=f"{MAX_DRY_RUN_SECONDS:g}", steps=steps)
            task = self._answerable_task()
            timer = None if task else self._next_timer()
            if task is None and timer is None:
                return "waiting", self._waiting_message()
            if steps >= max_steps:
                return "step_limit", Text("stopped after %(steps)s steps (user tasks completed and timers fired)",
                                          steps=max_steps)
            steps += 1
            if task is not None:
                self._complete(task)
            else:
                self._fire(*timer)

    def _advance(self) -> None:
        """Fire due timers and run engine steps, then record what completed."""
        ran, deadline = [], cputime.now() + MAX_RUN_SECONDS

        def count(task):  # called before each engine task runs, so stopping leaves the tree sound
            ran.append(task)
            self._check_depth(task)
            if len(ran) > ENGINE_TASK_LIMIT:
                raise _Stop("step_limit", Text("more than %(limit)s scripts, gateways and events ran without "
                                               "reaching a person or a timer (last: %(element)s): does a loop "
                                               "never end?", limit=ENGINE_TASK_LIMIT, element=_element(task)))
            if cputime.now() > deadline:  # as a live run would be refused
                raise _Stop("step_limit", Text("the scripts, gateways and events used more than %(seconds)s s of "
                                               "processor time without reaching a person or a timer (stopped "
                                               "before %(element)s): does a loop never end?",
                                               seconds=f"{MAX_RUN_SECONDS:g}", element=_element(task)))
        try:
            self._in_engine(self.workflow.refresh_timers, self.now + _PAST_DEADLINE)
            # Later deadlines (a timer armed now) count from the simulated time itself.
            self._in_engine(lambda: self.workflow.do_engine_steps(count))
        finally:
            self._collect()
        self._raise_task_errors()

    def _complete(self, task: SpiffTask) -> None:
        """Apply the task's next scripted answer, after checking it against the task's form."""
        self._check_depth(task)
        answer = self.answers.take(task.task_spec.bpmn_id)
        self._validate(task, answer)
        try:
            self._in_engine(lambda: (task.set_data(**answer), task.run()))
        finally:
            self._collect()
        self._raise_task_errors()

    def _fire(self, deadline: datetime, timer: SpiffTask) -> None:
        """Move the simulated clock to a timer's deadline (never backwards); the next advance fires it."""
        self._check_depth(timer)
        self.now = max(self.now, deadline)
        self.timers_fired.append({"timer": timer.task_spec.bpmn_id, "at": self.now.isoformat()})

    def _check_depth(self, task: SpiffTask) -> None:
        """Stop before the task tree grows deeper than SpiffWorkflow can follow (every loop turn deepens it)."""
        depth = self._depth(task)
        if depth > MAX_TREE_DEPTH:
            raise _Stop("step_limit", Text("the run reached %(element)s %(depth)s levels down the task tree, deeper "
                                           "than the engine can follow: does a loop never end?",
                                           element=_element(task), depth=depth))

    def _depth(self, task: SpiffTask) -> int:
        """The task's depth as SpiffWorkflow's iterators count it: a subprocess continues below its task."""
        chain = []
        while task is not None and task.id not in self._depths:
            chain.append(task)
            task = task.parent if task.parent is not None else subprocess_task(task.workflow)
        depth = self._depths[task.id] if task is not None else -1
        for known in reversed(chain):  # cached, so each check walks only the new part of the tree
            depth += 1
            self._depths[known.id] = depth
        return depth

    def _in_engine(self, action, at: datetime | None = None) -> None:
        """Run `action` on the simulated clock; any failure inside the engine ends the run as an error."""
        try:
            with clock.frozen_at(at or self.now), hard_stop():  # each step, as a live run or completion
                action()
        except _Stop:
            raise
        # Broad on purpose: besides SpiffWorkflowException and ScriptTimeout, SpiffWorkflow's own
        # error wrapping can fail (e.g. TypeError for an exception whose first argument is not a
        # str), and a designer's diagram must never crash the dry run.
        except Exception as err:
            message = _error_text(err)
            raise _Stop("error", message, {"bpmn_id": self._failing_element(err), "message": message}) from None

    def _raise_task_errors(self) -> None:
        """Stop if a task ended in ERROR without an exception reaching us."""
        failed = self._failed_tasks()
        if failed:
            message = Text("%(element)s failed", element=_element(failed[0]))
            raise _Stop("error", message, {"bpmn_id": failed[0].task_spec.bpmn_id, "message": message})

    def _failed_tasks(self) -> list[SpiffTask]:
        # Filtered over all tasks: get_tasks(state=ERROR) would not look under a STARTED parent
        # (a multi-instance task, for one).
        return [t for t in self.workflow.get_tasks() if t.state == TaskState.ERROR]

    def _failing_element(self, err: Exception) -> str | None:
        """The bpmn id of the element that failed: a task in ERROR, else the task the exception names."""
        failed = [t for t in self._failed_tasks() if t.task_spec.bpmn_id]
        if failed:
            return failed[0].task_spec.bpmn_id
        task = getattr(err, "task", None)
        spec = task.task_spec if task is not None else getattr(err, "task_spec", None)
        return getattr(spec, "bpmn_id", None)

    def _validate(self, task: SpiffTask, answer) -> None:
        """Refuse an answer its form would refuse, naming the task and the first problem."""
        if not isinstance(answer, dict) or not all(isinstance(key, str) for key in answer):
            raise _Stop("invalid_answer", _truncate(Text("answer for %(element)s is not an object with field "
                                                         "names: %(answer)s", element=_element(task),
                                                         answer=repr(answer))))
        form = _properties(task.task_spec).get(FORM_PROPERTY)
        schema = self.bundle.form(form)
        if not schema:
            return
        # Keywords the validator does not know (UI hints and the like) are ignored by it.
        error = best_match(form_errors(schema, answer))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(answer)"
            message = Text("answer for %(element)s does not fit its form %(form)s: %(where)s: %(reason)s",
                           element=_element(task), form=form, where=where, reason=error.message)
            raise _Stop("invalid_answer", _truncate(message))

    def _answerable_task(self) -> SpiffTask | None:
        """The first ready user task that still has an answer."""
        return next((t for t in self._ready_user_tasks() if self.answers.has(t.task_spec.bpmn_id)), None)

    def _ready_user_tasks(self) -> list[SpiffTask]:
        return self.workflow.get_tasks(state=TaskState.READY, manual=True)

    def _next_timer(self) -> tuple[datetime, SpiffTask] | None:
        """The earliest pending timer deadline and its element, read as ProcessEngine.next_timer_at does."""
        pending = []
        for task in list(self.workflow.event_manager.tasks.values()):  # waiting_events() without the task
            event = task.task_spec.event_definition.details(task)
            due = _parse_instant(event.value) if event.event_type in TIMER_EVENT_TYPES else None
            if due is not None:
                pending.append((due, task))
        return min(pending, key=lambda p: p[0]) if pending else None

    def _collect(self) -> None:
        """Append newly completed elements to the path, in the order they completed."""
        # Unfiltered get_tasks walks every state and every subprocess; filtering by state would skip
        # subtrees under parents in lower states.
        fresh = [t for t in self.workflow.get_tasks() if t.state == TaskState.COMPLETED and t.id not in self._seen]
        fresh.sort(key=lambda t: t.last_state_change)  # stable: tree order breaks ties
        for task in fresh:
            self._seen.add(task.id)
            if task.task_spec.bpmn_id:
                self._record(task)

    def _record(self, task: SpiffTask) -> None:
        spec = task.task_spec
        self.path.append({"bpmn_id": spec.bpmn_id, "name": spec.bpmn_name or spec.bpmn_id,
                          "type": type(spec).__name__, "process_id": process_id_of(task.workflow),
                          "at": self.now.isoformat()})
        self.flows += [flow for flow in flows_into(task) if flow not in self.flows]

    def mark_current_flows(self) -> None:
        """Add the flows into where tokens stand now: waiting tasks, running call activities, failed tasks."""
        standing = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
        for task in self.workflow.get_tasks(state=standing):
            self.flows += [flow for flow in flows_into(task) if flow not in self.flows]

    def waiting_at(self) -> list[dict]:
        """Ready user tasks with no answer left."""
        return [{"bpmn_id": t.task_spec.bpmn_id, "name": t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                 "lane": t.task_spec.lane}
                for t in self._ready_user_tasks() if not self.answers.has(t.task_spec.bpmn_id)]

    def _waiting_message(self) -> str:
        waiting = ", ".join(w["bpmn_id"] for w in self.waiting_at())
        return Text("waiting at %(tasks)s: no answer left", tasks=waiting) if waiting else \
            Text("waiting, with no timer pending")

    def outcome(self) -> str | None:
        """The top-level end event the workflow finished at, once it has."""
        if not self.workflow.is_completed():
            return None
        ends = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)
                if t.workflow is self.workflow]
        ends.sort(key=lambda t: t.last_state_change)
        return ends[-1].task_spec.bpmn_id if ends else None

    def data(self) -> dict:
        """The process data as it stands, each value JSON-safe and kept small."""
        workflow = self.workflow
        ready = self._ready_user_tasks()
        if ready:
            data = ready[0].data
        elif workflow.is_completed() and workflow.data:
            data = workflow.data
        else:
            data = workflow.last_task.data if workflow.last_task else {}
        return {str(name): _small(value) for name, value in data.items()}


def dry_run(bundle: ProcessBundle, helper_names, *, answers: dict, data: dict | None = None,
            helper_results: dict | None = None, start_at: datetime | None = None,
            max_steps: int = 300, time_limit: float = 1.0, side_effect_free: dict | None = None) -> dict:
    """Run a bundle in memory against scripted answers; the path taken and where it stopped.

    `answers` maps a user task's bpmn id to one dict (used every time the task is ready) or a list
    of dicts (used in order; once used up the task has no answer and the run waits there).
    `helper_names` are the functions diagrams may call; none of the real ones runs: each is a stub
    that records the call in `helper_calls` and returns `helper_results.get(name)` (None if absent).
    A list in `helper_results` is a sequence of return values, one per call, the last repeating
    once used up; to return a list itself on every call, wrap it: `{"find_overlaps": [[]]}`.
    `side_effect_free` names real helpers safe to call (such as `now`, which reads the simulated
    clock); they run unless `helper_results` scripts them.
    The simulated clock starts at `start_at` (default: app.clock) and jumps to a timer's deadline
    whenever only a timer can move the process on. Each completed user task and each fired timer
    is a step; after `max_steps` the run stops with status "step_limit".
    """
    start_at = start_at or clock.now()
    if start_at.tzinfo is None:
        raise ValueError("start_at must carry a timezone")
    stubs = _HelperStubs(helper_names, helper_results, side_effect_free)
    run = _DryRun(bundle, stubs, _Answers(answers), start_at, time_limit)
    run.start(data or {})
    error = None
    try:
        status, message = run.run(max_steps)
    except _Stop as stop:
        status, message, error = stop.status, stop.message, stop.error
    run.mark_current_flows()
    return {
        "status": status, "outcome": run.outcome(), "path": run.path, "flows": run.flows,
        "waiting_at": run.waiting_at() if status == "waiting" else [],
        "timers_fired": run.timers_fired, "helper_calls": stubs.calls, "error": error,
        "message": message, "data": run.data(),
    }


def _element(task: SpiffTask) -> str:
    spec = task.task_spec
    name = spec.bpmn_name
    return f"{spec.bpmn_id} ({name})" if name and name != spec.bpmn_id else str(spec.bpmn_id or spec.name)


def _error_text(err: Exception) -> str:
    """The exception's message with SpiffWorkflow's notes (its str() adds a stray ". ")."""
    parts = [str(err.args[0]) if err.args else type(err).__name__, *getattr(err, "notes", [])]
    return _truncate(". ".join(p.rstrip(". ") for p in parts if p))


def _properties(spec) -> dict:
    return (getattr(spec, "extensions", None) or {}).get("properties", {})


def _json_safe(value, depth: int = 0):
    """`value` as plain JSON types: containers kept, dates as ISO text, anything else as its repr."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)  # NaN and infinity are not JSON
    if depth > MAX_DEPTH:  # also ends self-containing lists a script could build
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v, depth + 1) for v in value]
    if isinstance(value, (date, time)):
        return value.isoformat()
    return repr(value)


def _small(value):
    """A JSON-safe value, or its repr cut short when its JSON would be huge."""
    safe = _json_safe(value)
    if len(json.dumps(safe, ensure_ascii=False)) <= MAX_VALUE_CHARS:
        return safe
    return _truncate(repr(value), MAX_VALUE_CHARS)


def _truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
