"""Task completions over HTTP: gunicorn with several workers, many clients at once; throughput, p95,
errors, and the workers' memory afterwards."""
import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import select

from app.workflow.models.instance import ReadyTask
from app.people.models import User
from app.modules.needs.operations import submit_need

ROOT = Path(__file__).resolve().parent.parent
STEP = {"reasonable": True, "basis": "物业服务合同第五条"}
INTAKE = {"description": "3号楼2单元楼道灯不亮", "category": "daily_life", "channel": "window", "community": "nanshan"}


# One worker per core measured fastest here (2 cores, with the load generator on the same machine):
# more processes only contend for the same cores and the database.
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS") or os.cpu_count() or 2)
CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", "8"))
WARMUP = 200


def measure(sessions, url: str, completions: int = 600, clients: int = CLIENTS, workers: int = WORKERS,
            warmup: int = WARMUP) -> dict:
    """Start gunicorn on `url`, complete `completions` ready tasks through the API, stop it.

    The first `warmup` completions are not counted: each worker's first requests pay for imports,
    pool connections and statement caches, which a server that has been up a while no longer does."""
    task_ids = _ready_tasks(sessions, warmup + completions)
    port = free_port()
    server = gunicorn(url, port, workers)
    try:
        wait_until_up(port)
        token = token_for(port)
        warm, _ = complete_tasks(port, token, task_ids[:warmup], clients)
        results, elapsed = complete_tasks(port, token, task_ids[warmup:], clients)
        latencies = [ms for ms in results.values() if ms is not None]
        errors = completions - len(latencies) + warmup - sum(ms is not None for ms in warm.values())
        rss = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    return {"http_completions_per_s": round(len(latencies) / elapsed, 1),
            "http_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else None,
            "http_errors": errors, "http_warmup": warmup, "http_workers": workers, "http_clients": clients, "worker_rss_mb": rss}


def _ready_tasks(sessions, count: int) -> list[str]:
    ids = []
    with sessions() as session:
        worker = session.scalars(select(User).where(User.username == "worker1")).one()
        for _ in range(count):
            instance = submit_need(session, INTAKE | {"title": uuid.uuid4().hex}, worker, public=False)
            session.flush()
            ids.append(session.scalars(select(ReadyTask.id).where(ReadyTask.instance_id == instance.id)).one())
        session.commit()
    return ids


def gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40}
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                             f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, seconds: float = 60.0) -> None:
    """Wait for /healthz to answer 200; every probe's connection is closed, answered or not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _healthy(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start within {seconds:.0f} s")


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


def token_for(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/api/tokens", json.dumps({"username": "worker1", "password": "demo-pass-2026"}),
                     {"Content-Type": "application/json"})
        return json.loads(conn.getresponse().read())["token"]
    finally:
        conn.close()


def complete_tasks(port: int, token: str, task_ids: list[str], clients: int, data: dict = STEP,
                   after_each=None) -> tuple[dict[str, float | None], float]:
    """Each client completes tasks from a shared queue over one keep-alive connection.

    Returns ({task id: ms, or None when it was not acknowledged}, elapsed seconds); `after_each(results)`
    runs after every answer (under a lock), e.g. to kill a worker at some point."""
    work: queue.Queue = queue.Queue()
    for task_id in task_ids:
        work.put(task_id)
    results, lock = {}, threading.Lock()
    body = json.dumps({"data": data})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            try:
                task_id = work.get_nowait()
            except queue.Empty:
                conn.close()
                return
            began = time.perf_counter()
            try:
                conn.request("POST", f"/api/tasks/{task_id}/complete", body, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:  # the connection broke (a worker died): not acknowledged
                conn.close()
                conn, ok = http.client.HTTPConnection("127.0.0.1", port, timeout=30), False
            with lock:
                results[task_id] = (time.perf_counter() - began) * 1000 if ok else None
                if after_each:
                    after_each(results)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results, time.perf_counter() - began


def worker_rss_mb(master_pid: int) -> float | None:
    """The largest resident memory of gunicorn's worker processes, in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return round(max(sizes), 1) if sizes else None
