"""The suite can run as if at another date (`--at`), and processes it starts follow its clock."""
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from time_machine import escape_hatch

import timetravel

def real_time() -> float:
    """Seconds since the epoch on the real clock, even while the suite travels."""
    return escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()


FAR = datetime(2030, 2, 28, 23, 59, tzinfo=UTC)


def child_now(environment: dict) -> datetime:
    """What `datetime.now(UTC)` says in a fresh Python process started with `environment`."""
    code = "from datetime import UTC, datetime; print(datetime.now(UTC).isoformat())"
    out = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    return datetime.fromisoformat(out.stdout.strip())


def test_a_started_process_travels_to_where_the_suite_is():
    environment = os.environ | {"MINXU_TRAVEL_TO": FAR.isoformat(), "MINXU_TRAVEL_ORIGIN": repr(real_time() - 60),
                                "PYTHONPATH": str(timetravel.TIMEWARP)}
    # The parent left for FAR a minute ago, so the child arrives a minute after FAR, and ticks on.
    assert timedelta(seconds=59) <= child_now(environment) - FAR < timedelta(seconds=90)


def test_without_travel_a_started_process_keeps_real_time():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MINXU_TRAVEL")}
    real_now = datetime.fromtimestamp(real_time(), UTC)  # the real time, even under --at
    assert abs(child_now(environment) - real_now) < timedelta(minutes=5)


def test_the_instant_must_carry_its_offset():
    with pytest.raises(ValueError, match="offset"):
        timetravel.instant("2027-12-01T09:05:00")
    assert timetravel.instant("2027-12-01T09:05:00+08:00").utcoffset() == timedelta(hours=8)


def test_under_at_the_suite_clock_is_moved(request):
    at = request.config.getoption("--at")
    if not at:
        pytest.skip("the suite runs at the real time (no --at)")
    assert abs(datetime.now(UTC) - timetravel.instant(at)) < timedelta(hours=3)
