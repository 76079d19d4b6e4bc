"""Run the whole suite as if the clock were at another instant: `pytest --at=2027-12-01T09:05:00+08:00`.

Everything that reads the time moves: the app's `utcnow`, the app clock (app.clock), SpiffWorkflow's timers,
and processes the suite starts (through tests/timewarp/sitecustomize.py). The clock keeps ticking
from the chosen instant, so timeouts and waits behave as usual."""
import os
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from time_machine import escape_hatch

TIMEWARP = Path(__file__).resolve().parent / "timewarp"


def instant(text: str) -> datetime:
    """The ISO instant given to --at; it must carry its offset (China time is +08:00)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"--at {text!r}: give the offset too, e.g. {text}+08:00")
    return moment


def start(moment: datetime) -> time_machine.travel:
    """Move this process's clock to `moment`; it ticks on from there."""
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    return traveller


def export_to_children() -> None:
    """Make the processes started from now on arrive where this one is, and tick on with it.

    Called from a fixture, so only processes that run tests do it: an xdist controller that put
    sitecustomize on its workers' path would make them import time-machine before pytest starts."""
    os.environ["MINXU_TRAVEL_ORIGIN"] = repr(escape_hatch.time.time())
    os.environ["MINXU_TRAVEL_TO"] = datetime.now(UTC).isoformat()
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TIMEWARP), os.environ.get("PYTHONPATH")]))
