"""A fault inside SpiffWorkflow itself is refused with a reason: a submission gets 422 and changes
nothing; a timer pass marks that one instance failed and goes on, instead of dying on it every pass,
and a failing annual-review start does not hold up the deadlines either."""
from datetime import datetime, timedelta

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from factories import resolution_task as to_resolution
from helpers import run_timers


@pytest.fixture
def broken_engine(monkeypatch):
    def fail(self, *args, **kwargs):
        raise AttributeError("'NoneType' object has no attribute 'data'")  # as 3.2.0 does on parallel loops
    return lambda: monkeypatch.setattr(BpmnWorkflow, "do_engine_steps", fail)


def test_a_submission_hitting_an_engine_fault_is_refused_and_changes_nothing(api, broken_engine):
    task = to_resolution(api)
    before = api.get(f"/api/instances/{task['instance_id']}/history", "auditor1").get_json()["events"]
    broken_engine()
    response = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"resolution": "已修复"}}, "worker1")
    assert response.status_code == 422
    assert "AttributeError" in response.get_json()["message"]
    assert api.task_for("worker1", "resolve_need")["id"] == task["id"]
    assert api.get(f"/api/instances/{task['instance_id']}/history", "auditor1").get_json()["events"] == before


def test_a_timer_pass_marks_the_faulty_instance_failed_and_goes_on(app, api, broken_engine):
    task = to_resolution(api)
    due = datetime.fromisoformat(task["due_at"])
    broken_engine()
    first_pass = run_timers(app, due + timedelta(minutes=1))
    assert "fired timers of 1 instance(s)" in first_pass
    # Starting this year's annual reviews hits the same fault: said, and the deadlines still fire.
    assert "annual reviews not scheduled: the process could not start" in first_pass
    instance = api.get(f"/api/instances/{task['instance_id']}", "auditor1").get_json()
    assert instance["status"] == "error"
    assert "fired timers of 0 instance(s)" in run_timers(app, due + timedelta(minutes=2))  # not a poison pill
