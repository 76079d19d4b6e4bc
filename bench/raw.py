"""SpiffWorkflow alone: load a fresh instance's state, complete its first user task, save."""
import statistics
import time

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from app.config import ROOT
from app.engine.serializer import StateSerializer

INTAKE = {"title": "楼道灯坏了", "description": "3号楼2单元楼道灯不亮", "category": "daily_life",
          "channel": "window", "community": "nanshan", "grid": "", "visit_type": "", "anonymous": False,
          "tracking_code": "T", "first_responder": "worker1"}
# The app's database-backed diagram functions, as stand-ins: this measures SpiffWorkflow alone.
STAND_INS = {"find_overlaps": lambda *args: [], "notify_role": lambda *args: True,
             "merge_need": lambda *args: True, "next_handling_day": lambda *args: "2030-01-07T09:00:00+08:00"}

_ENGINE = PythonScriptEngine(environment=TaskDataEnvironment(STAND_INS))


def cycle_ms(n: int, step: tuple[str, dict]) -> tuple[float, float]:
    """Median ms of load → complete → save with state-only JSON on cached specs, and with the
    library's default serializer (spec inside every saved instance)."""
    folder = ROOT / "processes" / "need_lifecycle"
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(p) for p in folder.glob("*.bpmn")])
    parser.add_dmn_files([str(p) for p in folder.glob("*.dmn")])
    spec, subprocesses = parser.get_spec("need_lifecycle"), parser.get_subprocess_specs("need_lifecycle")
    state_only, default = StateSerializer(), BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    fresh = _fresh(spec, subprocesses)
    lean_state, full_state = state_only.dumps(fresh), default.serialize_json(fresh)
    lean = _median(n, lambda: state_only.dumps(_complete(_attach(state_only.loads(lean_state, spec, subprocesses)), step)))
    full = _median(n, lambda: default.serialize_json(_complete(_attach(default.deserialize_json(full_state)), step)))
    return lean, full


def _fresh(spec, subprocesses) -> BpmnWorkflow:
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=_ENGINE)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(INTAKE)
    workflow.do_engine_steps()
    return workflow


def _attach(workflow: BpmnWorkflow) -> BpmnWorkflow:
    workflow.script_engine = _ENGINE
    return workflow


def _complete(workflow: BpmnWorkflow, step: tuple[str, dict]) -> BpmnWorkflow:
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    assert task.task_spec.bpmn_id == step[0]
    task.set_data(**step[1])
    task.run()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return workflow


def _median(n: int, work) -> float:
    timings = []
    for _ in range(n):
        began = time.perf_counter()
        work()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings) * 1000
