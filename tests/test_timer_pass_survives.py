"""A timer pass survives anything one instance does: the poison instance is marked failed with its reason
and audited, every other due timer still fires, in `timers run` and in a long-running `flask worker`."""
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.config import ROOT
from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, ReadyTask
from bpmn_samples import FORM, package, process
from helpers import sign_in
from factories import started_instance
from helpers import deploy, run_timers

# Long before any wall clock a test runs on: a worker on real time finds these deadlines passed.
T0 = datetime(2020, 1, 6, 1, 0, tzinfo=UTC)
LATER = datetime(2090, 1, 6, 1, 0, tzinfo=UTC)  # and long after


def escalating(process_id: str, script: str) -> dict[str, str]:
    """work (1-hour interrupting deadline) → on time-out run `script` → after → end."""
    bpmn = process(
        '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>'
        f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
        '<bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>'
        '<bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
        '<bpmn:sequenceFlow id="f2" sourceRef="late" targetRef="boom"/>'
        f'<bpmn:scriptTask id="boom"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
        '<bpmn:sequenceFlow id="f3" sourceRef="boom" targetRef="after"/>'
        f'<bpmn:userTask id="after" name="督办">{FORM}</bpmn:userTask>'
        '<bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end2"/><bpmn:endEvent id="end2"/>',
        process_id=process_id, lane_refs=("work", "after"))
    files = package(bpmn)
    return {f"{process_id}.bpmn": files.pop("sample.bpmn"), **files}


def deploy_both(api) -> None:
    # 2**20000 is a fine int, but its 6021 digits are more than Python will write as text (4300).
    for process_id, script in (("poison", "x = 2**20000"), ("healthy", "x = 2")):
        response = deploy(api, escalating(process_id, script))
        assert response.status_code == 201, response.get_json()


def start(app, process_id: str, at: datetime) -> int:
    return started_instance(app, process_id, {"title": process_id}, at)


def state_of(app, instance_id: int) -> tuple[str, list[str], list[AuditEvent]]:
    with app.extensions["db_sessions"]() as session:
        instance = session.get(Instance, instance_id)
        ready = session.scalars(select(ReadyTask.bpmn_id).where(ReadyTask.instance_id == instance_id)).all()
        events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                                 .order_by(AuditEvent.seq)).all()
        return instance.status, sorted(ready), events


def test_one_pass_fires_the_healthy_timer_and_leaves_the_poison_instance_failed(app, api):
    deploy_both(api)
    poison = start(app, "poison", T0)  # due first, so the pass meets it before the healthy one
    healthy = start(app, "healthy", T0 + timedelta(minutes=1))
    output = run_timers(app, T0 + timedelta(hours=2))
    assert "fired timers of 1 instance(s)" in output and f"instance {poison} failed" in output
    assert state_of(app, healthy)[:2] == ("running", ["after"])
    status, ready, events = state_of(app, poison)
    assert (status, ready) == ("error", [])
    failed = [e for e in events if e.event_type == "instance_failed"]
    assert len(failed) == 1 and "cannot be stored" in failed[0].summary and "4300" in failed[0].summary
    assert "timer_fired" not in [e.event_type for e in events]  # the failed pass's own work was undone
    assert "fired timers of 0 instance(s)" in run_timers(app, T0 + timedelta(hours=3))  # not met again
    assert api.get("/api/audit/verify", "auditor1").get_json()["ok"] is True


def test_a_submission_whose_result_cannot_be_stored_is_refused_and_changes_nothing(app, api):
    files = escalating("poison", "x = 1")
    files["poison.bpmn"] = files["poison.bpmn"].replace(
        'targetRef="end"/><bpmn:endEvent id="end"/>',
        'targetRef="calc"/><bpmn:scriptTask id="calc"><bpmn:script>y = 2**20000</bpmn:script></bpmn:scriptTask>'
        '<bpmn:sequenceFlow id="f5" sourceRef="calc" targetRef="end"/><bpmn:endEvent id="end"/>')
    assert api.post("/api/processes", {"files": files}, "designer1").status_code == 201
    instance_id = start(app, "poison", LATER)  # its deadline still ahead when worker1 submits
    task = api.task_for("worker1", "work", instance_id)
    before = state_of(app, instance_id)
    response = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"note": "好"}}, "worker1")
    assert response.status_code == 422 and "cannot be stored" in response.get_json()["message"]
    after = state_of(app, instance_id)
    assert after[:2] == before[:2] == ("running", ["work"])
    assert [e.seq for e in after[2]] == [e.seq for e in before[2]]


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_flask_worker_keeps_running_across_a_poison_instance(app, api, database_url):
    deploy_both(api)
    poison = start(app, "poison", T0)
    healthy = start(app, "healthy", T0 + timedelta(minutes=1))
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-" + "x" * 32)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--interval", "0.2"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: state_of(app, healthy)[1] == ["after"] or worker.poll() is not None)
        assert worker.poll() is None, worker.communicate(timeout=10)
        assert state_of(app, poison)[0] == "error"
        later = start(app, "healthy", T0 + timedelta(minutes=2))  # a deadline the next passes must still meet
        assert wait_for(lambda: state_of(app, later)[1] == ["after"] or worker.poll() is not None)
        assert worker.poll() is None
    finally:
        worker.terminate()
        out, err = worker.communicate(timeout=30)
    assert f"instance {poison} failed" in err and "Traceback" not in err, err


# One dict store hashes 2**60 parts in one C call: only the hard CPU stop ends it, by killing the pass.
EXPONENTIAL = "a = 1\nfor i in range(60):\n    a = (a, a)\nd = {}\nd[a] = 1"


def test_flask_worker_survives_passes_killed_by_the_hard_stop(app, api, client, database_url):
    assert api.post("/api/processes", {"files": escalating("hang", EXPONENTIAL)}, "designer1").status_code == 201
    assert api.post("/api/processes", {"files": escalating("healthy", "x = 2")}, "designer1").status_code == 201
    poison = start(app, "hang", T0)  # due first: the first pass is killed on it
    healthy = start(app, "healthy", T0 + timedelta(minutes=1))
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-" + "x" * 32, MINXU_HARD_CPU_SECONDS="1")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--interval", "0.2"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: state_of(app, poison)[0] == "error" or worker.poll() is not None)
        assert worker.poll() is None, worker.communicate(timeout=10)
        assert state_of(app, healthy)[1] == ["after"]  # fired, though the passes before were killed
        later = start(app, "healthy", T0 + timedelta(minutes=2))  # the worker still passes
        assert wait_for(lambda: state_of(app, later)[1] == ["after"] or worker.poll() is not None)
        assert worker.poll() is None
    finally:
        worker.terminate()
        out, err = worker.communicate(timeout=30)
    assert err.count("timer pass was killed by SIGPROF (the hard CPU-time stop)") == 2, err
    assert f"instance {poison} failed: 2 timer passes were stopped by force" in err and "Traceback" not in err, err
    status, ready, events = state_of(app, poison)
    failed = [e for e in events if e.event_type == "instance_failed"]
    assert (status, ready, len(failed)) == ("error", [], 1)
    assert "stopped by force twice" in failed[0].summary
    with app.extensions["db_sessions"]() as session:
        assert session.get(Instance, poison).timer_attempts == 0  # a retried incident starts afresh
        assert session.get(Instance, healthy).timer_attempts == 0
    sign_in(client, "admin")
    assert "定时处理在运行中被强制中止两次" in client.get(f"/incidents/{poison}").get_data(as_text=True)
