"""The hard stop: a process CPU-time kill for the one C call no check between bytecodes can interrupt.

Kills run in child processes with a small limit; this process only ever arms the generous default."""
import os
import signal
import subprocess
import sys
import threading
import time
from xml.sax.saxutils import escape

import pytest

from app import create_app
from app.config import ROOT
from app.engine import ProcessEngine, hardstop
from app.engine.package import parse_package
from bpmn_samples import package, with_script

SHARED = "a = 1\nb = 1\nfor i in range(60):\n    a = (a, a)\n    b = (b, b)\n"  # 2**60 parts in 61 objects
LIMIT = 1.0  # the children's hard limit, CPU seconds


def timer_left() -> float:
    return signal.getitimer(signal.ITIMER_PROF)[0]


def test_nothing_installs_a_sigprof_handler(tmp_path):
    create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "test", "TESTING": True})
    assert signal.getsignal(signal.SIGPROF) is signal.SIG_DFL
    assert hardstop.limit() >= 10  # the suite's own process is never killed by a normal test
    assert not hardstop.armed() and timer_left() == 0


def test_nested_blocks_keep_the_earliest_deadline_and_disarm_when_none_is_left():
    with hardstop.hard_stop(1000):
        assert 990 < timer_left() <= 1000.1
        with hardstop.hard_stop(500):
            assert 490 < timer_left() <= 500.1
            with hardstop.hard_stop(800):  # a later deadline inside changes nothing
                assert 490 < timer_left() <= 500.1
        assert 990 < timer_left() <= 1000.1  # back to the outer block's
    assert timer_left() == 0 and not hardstop.armed()


def test_blocks_on_several_threads_share_the_one_process_timer():
    inner_armed, release, errors = threading.Event(), threading.Event(), []

    def other():
        try:
            with hardstop.hard_stop(300):
                inner_armed.set()
                release.wait(30)
        except Exception as err:  # noqa: BLE001
            errors.append(err)
    thread = threading.Thread(target=other)
    with hardstop.hard_stop(1000):
        thread.start()
        assert inner_armed.wait(30)
        assert 290 < timer_left() <= 300.1  # the other thread's deadline is sooner: it wins
        release.set()
        thread.join(30)
        assert 990 < timer_left() <= 1000.1  # it left: this thread's own deadline again
    assert errors == [] and timer_left() == 0


def test_a_shared_structure_is_refused_with_its_reason_before_any_exponential_work():
    engine = ProcessEngine()
    for line in ("x = a == b", "x = hash(a)", "x = {a}", "x = a in [b]", "x = sorted([a, b])", "x = max([a, b])",
                 "x = {a: 1}", "x = [b].count(a)", "x = len(set([a]))"):
        bundle = parse_package(package(with_script(escape(SHARED + line))))
        started = time.thread_time()  # CPU time of this thread, not the wall clock
        _, result = engine.start(bundle, {})
        assert time.thread_time() - started < 1.0, line
        assert result.status == "error" and "too many parts to compare, hash or sort" in result.error, line


def test_scalars_and_ordinary_values_compare_as_before():
    script = ("x = [1, 2] == [1, 2]\ny = sorted({'b': 1, 'a': 2})\nz = max(3, 4) if 'a' in {'a': 1} else 0\n"
              "w = isinstance(set(), set) and frozenset([1]) < {1, 2} and {(1, 2): 3}[(1, 2)] == 3")
    engine = ProcessEngine()
    workflow, result = engine.start(parse_package(package(with_script(escape(script)))), {})
    assert result.status == "running"
    data = engine.current_data(workflow)
    assert {key: data[key] for key in "xyzw"} == {"x": True, "y": ["a", "b"], "z": 4, "w": True}


CHILD = """
import resource, sys, threading
from app.engine import ProcessEngine, hardstop
from app.engine.package import parse_package
sys.path.insert(0, "tests")
from bpmn_samples import package, with_script

resource.setrlimit(resource.RLIMIT_CPU, (30, 30))  # if the hard stop failed: SIGXCPU, not a hung test
payload = {payload!r}

def run():
    if payload == "engine":  # one dict store hashes 2**60 parts: no guard on it, the hard stop ends it
        bundle = parse_package(package(with_script({shared!r} + "d = {{}}\\nd[a] = 1")))
        ProcessEngine().start(bundle, {{}})
    else:  # the bare compare, on a request thread, beside another thread's longer deadline
        a = b = 1
        for i in range(60):
            a, b = (a, a), (b, b)
        with hardstop.hard_stop():
            a == b
    print("not stopped", flush=True)

with hardstop.hard_stop(600):  # a block armed on the main thread: the soonest deadline still wins
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
"""


@pytest.mark.parametrize("payload", ["engine", "compare"])
def test_a_child_running_exponential_work_is_killed_at_its_cpu_limit(payload):
    env = dict(os.environ, MINXU_HARD_CPU_SECONDS=str(LIMIT), PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(payload=payload, shared=SHARED)], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with child.stdout, child.stderr:
        out, err = child.stdout.read(), child.stderr.read()  # to the end: until the child is gone
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGPROF, (status, out, err)
    # The child's own CPU time: start-up, then the limit (the kernel accounts CPU time in ticks).
    cpu = usage.ru_utime + usage.ru_stime
    assert LIMIT * 0.9 <= cpu < LIMIT + 3, cpu
    assert "not stopped" not in out


def test_the_hard_stop_can_be_turned_off():
    assert hardstop.limit() > 0
    with hardstop.hard_stop(0):
        assert not hardstop.armed() and timer_left() == 0


def test_the_process_exit_status_make_run_restarts_on():
    child = subprocess.run([sys.executable, "-c", "import signal; signal.setitimer(signal.ITIMER_PROF, 0.05)\n"
                            "while True: pass"], capture_output=True, timeout=60)
    assert child.returncode == -signal.SIGPROF  # the shell sees 128 + 27 = 155
