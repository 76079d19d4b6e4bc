"""Processor time as the engine's limits count it: this thread's CPU time, less the garbage collections it ran.

A script or a run is charged only for its own work: wall time would also count waiting for the GIL while
other requests run, and a collection of the whole heap (which can take half a second in a large process)
would be charged to whichever script or step happened to trigger it."""
import gc
import threading
import time


class _ThreadClock(threading.local):
    def __init__(self):
        self.collecting_since = self.collecting_wall_since = None
        self.collected = self.collected_wall = 0.0


_clock = _ThreadClock()


def now() -> float:
    """Seconds of this thread's CPU time spent outside garbage collection."""
    return time.thread_time() - _clock.collected


def collected_wall() -> float:
    """Seconds of wall time this thread has spent in garbage collections (for a clock read without a syscall)."""
    return _clock.collected_wall


def _count_collections(phase, info):
    if phase == "start":
        _clock.collecting_since, _clock.collecting_wall_since = time.thread_time(), time.perf_counter()
    elif _clock.collecting_since is not None:
        _clock.collected += time.thread_time() - _clock.collecting_since
        _clock.collected_wall += time.perf_counter() - _clock.collecting_wall_since
        _clock.collecting_since = _clock.collecting_wall_since = None


gc.callbacks.append(_count_collections)
