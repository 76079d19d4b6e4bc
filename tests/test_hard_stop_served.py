"""gunicorn: a submission whose script does exponential work in one C call is ended by the hard CPU stop,
the worker is respawned, the submission changed nothing, and the next requests are served."""
import http.client
import json
import os
import subprocess
import sys

from app.config import ROOT
from test_timer_pass_survives import EXPONENTIAL, LATER, escalating, start, state_of

sys.path.insert(0, str(ROOT))
from bench.http_load import free_port, token_for, wait_until_up  # noqa: E402


def complete(port: int, token: str, task_id: str) -> int | None:
    """POST a completion; its status, or None when the connection was dropped (the worker was killed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", f"/api/tasks/{task_id}/complete", json.dumps({"data": {"note": "好"}}),
                     {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status
    except (http.client.RemoteDisconnected, ConnectionError):
        return None
    finally:
        conn.close()


def test_gunicorn_respawns_a_worker_ended_by_the_hard_stop(app, api, database_url):
    files = escalating("hang", "x = 1")
    files["hang.bpmn"] = files["hang.bpmn"].replace(
        'targetRef="end"/><bpmn:endEvent id="end"/>',
        f'targetRef="calc"/><bpmn:scriptTask id="calc"><bpmn:script>{EXPONENTIAL}</bpmn:script></bpmn:scriptTask>'
        '<bpmn:sequenceFlow id="f5" sourceRef="calc" targetRef="end"/><bpmn:endEvent id="end"/>')
    assert api.post("/api/processes", {"files": files}, "designer1").status_code == 201
    assert api.post("/api/processes", {"files": escalating("healthy", "x = 2")}, "designer1").status_code == 201
    poison, healthy = start(app, "hang", LATER), start(app, "healthy", LATER)
    poison_task = api.task_for("worker1", "work", poison)["id"]
    healthy_task = api.task_for("worker1", "work", healthy)["id"]
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-" + "x" * 32, MINXU_HARD_CPU_SECONDS="1")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "app:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(port)
        token = token_for(port)
        assert complete(port, token, poison_task) is None  # the worker died under the request
        wait_until_up(port)  # a new worker serves
        assert complete(port, token, healthy_task) == 200
        assert server.poll() is None
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "was sent SIGPROF" in err, err
    assert state_of(app, poison)[:2] == ("running", ["work"])  # the killed submission changed nothing
    assert state_of(app, healthy)[:2] == ("completed", [])
