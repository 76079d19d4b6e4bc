"""Run the whole suite as if the clock were at another instant: `pytest --at=2027-12-01T09:05:00+08:00`.

Everything that reads the time moves: the app's `utcnow`, the engine clock, SpiffWorkflow's timers,
and processes the suite starts (through tests/timewarp/sitecustomize.py). The clock keeps ticking
from the chosen instant, so timeouts and waits behave as usual."""
import os
import time
from datetime import datetime
from pathlib import Path

import time_machine

TIMEWARP = Path(__file__).resolve().parent / "timewarp"


def instant(text: str) -> datetime:
    """The ISO instant given to --at; it must carry its offset (China time is +08:00)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"--at {text!r}: give the offset too, e.g. {text}+08:00")
    return moment


def start(moment: datetime) -> time_machine.travel:
    """Move this process's clock to `moment`, and make the processes it starts follow."""
    os.environ["MINXU_TRAVEL_ORIGIN"] = repr(time.time())
    os.environ["MINXU_TRAVEL_TO"] = moment.isoformat()
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TIMEWARP), os.environ.get("PYTHONPATH")]))
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    return traveller
