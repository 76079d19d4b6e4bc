"""Deadlines: with the clock moved by `timers run --now`, an overdue task escalates, once."""
from datetime import datetime, timedelta

from app import clock
from factories import resolution_task as to_resolution
from helpers import run_timers


def test_overdue_task_escalates_to_the_street_and_late_submission_is_refused(app, api):
    task = to_resolution(api)
    due = datetime.fromisoformat(task["due_at"])
    assert timedelta(hours=23) < due - clock.now() <= timedelta(days=1)
    assert "fired timers of 0 instance(s)" in run_timers(app, due - timedelta(minutes=1))
    assert api.task_for("worker1", "resolve_need")["id"] == task["id"]

    assert "fired timers of 1 instance(s)" in run_timers(app, due + timedelta(minutes=1))
    assert "fired timers of 0 instance(s)" in run_timers(app, due + timedelta(minutes=2))  # never twice
    late = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"resolution": "迟到的办理"}}, "worker1")
    assert late.status_code == 409
    # Only this case: from 1 December on, the timer pass also opens the community's annual review.
    assert [t["bpmn_id"] for t in api.inbox("worker1") if t["instance_id"] == task["instance_id"]] == []
    api.complete("street1", "street_takeover", {"street_resolution": "街道兜底修复"})
    result = api.complete("worker1", "resident_feedback", {"satisfaction": 4})
    assert result["instance"]["outcome"] == "resolved"
    events = api.get(f"/api/instances/{task['instance_id']}/history", "auditor1").get_json()["events"]
    fired = [e for e in events if e["event_type"] == "timer_fired"]
    assert len(fired) == 1 and fired[0]["actor"] == "system"
    assert fired[0]["data_changes"]["ready_tasks"] == [["resolve_need"], ["street_takeover"]]
    assert "resolve_need" not in [e["task"]["bpmn_id"] for e in events if e["event_type"] == "task_completed"]


def test_submission_after_the_deadline_loses_even_before_the_timer_worker_runs(app, api):
    task = to_resolution(api)
    due = datetime.fromisoformat(task["due_at"])
    with clock.frozen_at(due + timedelta(seconds=1)):
        late = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"resolution": "迟到的办理"}}, "worker1")
    assert late.status_code == 409
    assert "deadline" in late.get_json()["message"]
    events = api.get(f"/api/instances/{task['instance_id']}/history", "auditor1").get_json()["events"]
    assert "resolve_need" not in [e["task"]["bpmn_id"] for e in events if e["task"]]
    # Nothing was half-written: the timer worker still escalates it, exactly once.
    assert "fired timers of 1 instance(s)" in run_timers(app, due + timedelta(seconds=2))
    assert api.task_for("street1", "street_takeover")["instance_id"] == task["instance_id"]


def test_submission_before_the_deadline_clears_the_timer(app, api):
    task = to_resolution(api, tier="B")
    api.complete("worker1", "resolve_need", {"resolution": "已办结"})
    assert "fired timers of 0 instance(s)" in run_timers(app, clock.now() + timedelta(days=60))
    assert api.task_for("worker1", "resident_feedback")["instance_id"] == task["instance_id"]


def test_now_must_be_an_instant_with_a_timezone(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["timers", "run", "--now", "tomorrow"]).exit_code != 0
    result = runner.invoke(args=["timers", "run", "--now", "2026-12-01T09:00:00"])
    assert result.exit_code != 0 and "timezone" in result.output
