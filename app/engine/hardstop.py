"""A hard stop on CPU time that no C call can get round: the kernel ends the process.

The script limits are checked between bytecodes, so one C call (comparing or hashing a deeply shared
structure, sorting millions of items) runs past them, holding the GIL so no watchdog thread can act.
While engine work runs, the process's CPU-time interval timer (ITIMER_PROF) is armed; SIGPROF keeps
its default action, so when the timer expires the kernel terminates the process, whatever it runs.
A web worker is respawned by gunicorn (or by `make run`), a timer pass by `flask worker`.

ITIMER_PROF counts the CPU time of the whole process (every thread), and there is one per process:
a registry of active deadlines (one per armed block, on any thread) arms it for the soonest, and the
limit is generous (default 15 s) because other threads' work in the meantime counts too. With the GIL
held by Python code, a process rarely uses much more than one CPU second per second.
"""
import contextlib
import itertools
import logging
import os
import signal
import threading
import time

log = logging.getLogger(__name__)

ENV = "MINXU_HARD_CPU_SECONDS"
DEFAULT_SECONDS = 15.0  # far above the soft limits (1 s per script, 3 s per run), so those speak first
_AVAILABLE = hasattr(signal, "setitimer") and hasattr(signal, "SIGPROF")


def _from_environment() -> float:
    try:
        return float(os.environ.get(ENV, DEFAULT_SECONDS))
    except ValueError:
        log.warning("%s is not a number; using %s s", ENV, DEFAULT_SECONDS)
        return DEFAULT_SECONDS


class _Registry:
    """Process CPU-time deadlines of the blocks armed now, on every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.deadlines: dict[int, float] = {}
        self.tokens = itertools.count()
        self.seconds = _from_environment()

    def arm(self, seconds: float) -> int:
        token = next(self.tokens)
        with self.lock:
            self.deadlines[token] = time.process_time() + seconds
            self._set_timer()
        return token

    def disarm(self, token: int) -> None:
        with self.lock:
            self.deadlines.pop(token, None)
            self._set_timer()

    def _set_timer(self) -> None:
        """Arm ITIMER_PROF for the soonest deadline (nested blocks: the earliest wins), or disarm it."""
        if not self.deadlines:
            signal.setitimer(signal.ITIMER_PROF, 0)
            return
        left = min(self.deadlines.values()) - time.process_time()
        signal.setitimer(signal.ITIMER_PROF, max(left, 0.001))  # 0 would disarm it


_registry = _Registry()


def _after_fork() -> None:
    # A child inherits no interval timer, and must not inherit a lock another thread held at the fork.
    global _registry
    seconds = _registry.seconds
    _registry = _Registry()
    _registry.seconds = seconds


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def configure(seconds: float | None) -> None:
    """Set the limit (seconds of process CPU time; 0 turns the hard stop off) and check SIGPROF's action."""
    if seconds is not None:
        _registry.seconds = float(seconds)
    if not _AVAILABLE:
        return
    action = signal.getsignal(signal.SIGPROF)
    if action is not signal.SIG_DFL and threading.current_thread() is threading.main_thread():
        # An inherited SIG_IGN, or a profiler's handler, would turn the kill into nothing.
        log.warning("SIGPROF had a handler or was ignored (%r): restoring its default action for the hard stop",
                    action)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)


def limit() -> float:
    """The configured limit in seconds of process CPU time (0 or less: off)."""
    return _registry.seconds


@contextlib.contextmanager
def hard_stop(seconds: float | None = None):
    """Terminate the process if the block uses more than `seconds` (default: the configured limit) of CPU."""
    seconds = _registry.seconds if seconds is None else seconds
    if seconds <= 0 or not _AVAILABLE:
        yield
        return
    registry = _registry
    token = registry.arm(seconds)
    try:
        yield
    finally:
        registry.disarm(token)


def armed() -> bool:
    """Whether any block is armed now (for tests)."""
    return bool(_registry.deadlines)
