"""Carries the suite's moved clock into processes it starts (gunicorn, `flask worker`).

The suite's conftest puts this folder on PYTHONPATH when it runs as if at another date (`--at`);
Python imports `sitecustomize` at start-up, so a child process travels to the same instant the
parent is at, and its clock goes on ticking from there."""
import os
import time
from datetime import datetime

_DESTINATION = os.environ.get("MINXU_TRAVEL_TO")
_ORIGIN = os.environ.get("MINXU_TRAVEL_ORIGIN")

if _DESTINATION and _ORIGIN:
    import time_machine

    # The parent started travelling at real time ORIGIN towards DESTINATION; keep the same offset.
    _offset = datetime.fromisoformat(_DESTINATION).timestamp() - float(_ORIGIN)
    time_machine.travel(time.time() + _offset, tick=True).start()
