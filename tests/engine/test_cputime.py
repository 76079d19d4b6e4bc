"""The engine's limits count a thread's own work: garbage collections it happens to trigger are not charged."""
import gc
import time

import pytest

from app.engine import cputime
from app.engine.bounds import RunLimitExceeded, StepCounter


class _Task:
    """Enough of a SpiffWorkflow task for the step counter's message."""

    class task_spec:  # noqa: N801 (a stand-in for the attribute)
        bpmn_id, bpmn_name = "step", "一步"


def _heap(objects: int = 400_000) -> list:
    """Many container objects in cycles, so that a full collection takes a while."""
    heap = []
    for _ in range(objects):
        cell = []
        cell.append(cell)
        heap.append(cell)
    return heap


def test_a_collection_is_not_charged_to_the_run():
    heap = _heap()
    counter = StepCounter(seconds=0.01)
    before, started = cputime.now(), time.thread_time()
    gc.collect()
    spent = time.thread_time() - started
    if spent <= 0.02:
        pytest.skip(f"a full collection took only {spent:.3f} s here: too quick to tell")
    assert cputime.now() - before < spent / 2  # the collection is left out of the engine's clock
    counter(_Task())  # within its 0.01 s, although the thread spent more than that collecting
    del heap


def test_the_runs_own_work_is_charged():
    counter = StepCounter(seconds=0.01)
    until = time.thread_time() + 0.05
    while time.thread_time() < until:
        pass
    with pytest.raises(RunLimitExceeded, match="0.01 s of processor time"):
        counter(_Task())


def test_a_collection_inside_a_short_expression_is_not_charged_to_the_steps_scripts():
    """A helper call that triggers a full collection (here: one that collects) leaves the step's budget whole."""
    from app.engine.scripting import RestrictedEnvironment, _budget, script_budget
    heap = _heap()
    environment = RestrictedEnvironment(helpers={"collect": gc.collect})
    started = time.perf_counter()
    with script_budget(3.0):
        environment.evaluate("collect() >= 0", {})
        left = _budget.remaining
    took = time.perf_counter() - started
    if took <= 0.02:
        pytest.skip(f"a full collection took only {took:.3f} s here: too quick to tell")
    assert 3.0 - left < took / 2, (3.0 - left, took)
    del heap
