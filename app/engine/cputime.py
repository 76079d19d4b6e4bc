"""Processor time as the engine's limits count it: this thread's CPU time, less the garbage collections it ran.

A script or a run is charged only for its own work: wall time would also count waiting for the GIL while
other requests run, and a collection of the whole heap (which can take half a second in a large process)
would be charged to whichever script or step happened to trigger it."""
import gc
import threading
import time


class _ThreadClock(threading.local):
    def __init__(self):
        self.collecting_since = None
        self.collected = 0.0


_clock = _ThreadClock()


def now() -> float:
    """Seconds of this thread's CPU time spent outside garbage collection."""
    return time.thread_time() - _clock.collected


def _count_collections(phase, info):
    if phase == "start":
        _clock.collecting_since = time.thread_time()
    elif _clock.collecting_since is not None:
        _clock.collected += time.thread_time() - _clock.collecting_since
        _clock.collecting_since = None


gc.callbacks.append(_count_collections)
