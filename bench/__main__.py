"""Measure task completion: SpiffWorkflow alone vs. through the operations layer with DB and audit,
on a fresh instance and after 200 completed tasks; inbox queries at 1k and 100k tasks; completions over
HTTP through gunicorn, with the workers' memory.

Prints one JSON line. Ratios compare numbers taken in this one run (the machine is shared and noisy).
`BENCH_DATABASE_URL` picks the database (default: a fresh SQLite file); `BENCH_N` the sample size;
`BENCH_HTTP_WORKERS` (default: one per core) and `BENCH_HTTP_CLIENTS` (default 8) shape the HTTP load,
which is counted after `http_warmup` completions.
"""
import json
import os
import statistics
import tempfile
import time
import uuid

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import normalise_database_url
from app.workflow.models.instance import ReadyTask
from app.people.models import User
from app.workflow import tasks
from app.modules.needs.operations import submit_need
from bench import history, http_load, inbox, raw

N = int(os.environ.get("BENCH_N", "200"))
STEP = ("assess_reasonableness", {"reasonable": True, "basis": "物业服务合同第五条"})
# Titles differ (random) and no grid is given, so the overlap check proposes no merge.
INTAKE = {"description": "3号楼2单元楼道灯不亮", "category": "daily_life", "channel": "window", "community": "nanshan"}


def main() -> None:
    url, cleanup = _database()
    try:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        assert app.test_cli_runner().invoke(args=["setup"]).exit_code == 0
        with app.app_context():
            service, start = _service_cycle(app)
            late_ms, fresh_ms = history.history_vs_fresh(app.extensions["db_sessions"])
            inbox_1k = inbox.inbox_p95_ms(app.extensions["db_sessions"], 1_000)
            inbox_100k = inbox.inbox_p95_ms(app.extensions["db_sessions"], 100_000)
            http = http_load.measure(app.extensions["db_sessions"], url)
        app.extensions["db_engine"].dispose()
    finally:
        cleanup()
    raw_ms, default_ms = raw.cycle_ms(N, STEP)
    print(json.dumps({
        "raw_cycle_ms": round(raw_ms, 3),
        "raw_default_serializer_ms": round(default_ms, 3),
        "service_cycle_ms": round(service, 3),
        "service_vs_raw": round(service / raw_ms, 2),
        "start_need_ms": round(start, 3),
        "inbox_p95_ms_1k": round(inbox_1k, 3), "inbox_p95_ms_100k": round(inbox_100k, 3),
        "inbox_100k_vs_1k": round(inbox_100k / inbox_1k, 2),
        "history200_ms": round(late_ms, 3), "fresh_ms": round(fresh_ms, 3),
        "history200_vs_fresh": round(late_ms / fresh_ms, 2),
        **http, "n": N, "database": make_url(url).get_backend_name(),
    }))


def _service_cycle(app) -> tuple[float, float]:
    """Median ms of completing the step via tasks.complete + commit, and of submitting a need."""
    sessions = app.extensions["db_sessions"]
    starts, task_ids = [], []
    with sessions() as session:
        worker = session.scalars(select(User).where(User.username == "worker1")).one()
        for _ in range(N):
            began = time.perf_counter()
            instance = submit_need(session, INTAKE | {"title": uuid.uuid4().hex}, worker, public=False)
            session.commit()
            starts.append(time.perf_counter() - began)
            task_ids.append(session.scalars(select(ReadyTask.id).where(ReadyTask.instance_id == instance.id)).one())
    timings = []
    for task_id in task_ids:
        with sessions() as session:
            worker = session.scalars(select(User).where(User.username == "worker1")).one()
            began = time.perf_counter()
            tasks.complete(session, task_id, worker, dict(STEP[1]))
            session.commit()
            timings.append(time.perf_counter() - began)
    return statistics.median(timings) * 1000, statistics.median(starts) * 1000


def _database():
    """The bench database URL and a function that removes it afterwards."""
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        folder = tempfile.mkdtemp(prefix="minxu-bench-")
        return f"sqlite:///{folder}/bench.db", lambda: None
    admin = create_engine(normalise_database_url(base), isolation_level="AUTOCOMMIT")
    name = f"minxu_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


if __name__ == "__main__":
    main()
