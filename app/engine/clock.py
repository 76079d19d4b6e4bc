"""The engine's clock: real time, or an instant chosen for `timers run --now`, demos and tests.

SpiffWorkflow's timer events read `datetime.now` from their own module and offer no clock
injection, so that module's `datetime` is replaced, once, by a subclass that asks this clock.
"""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

_frozen: ContextVar[datetime | None] = ContextVar("engine_now", default=None)


class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        frozen = _frozen.get()
        if frozen is None:
            return datetime.now(tz)
        return frozen.astimezone(tz) if tz else frozen.replace(tzinfo=None)


_timer_module.datetime = _ClockDatetime


def now() -> datetime:
    """The engine's current time (timezone-aware, UTC)."""
    return _frozen.get() or datetime.now(UTC)


@contextmanager
def frozen_at(instant: datetime | None):
    """Run the block with the engine's clock at `instant` (None: real time)."""
    if instant is not None and instant.tzinfo is None:
        raise ValueError("the instant must carry a timezone")
    token = _frozen.set(instant)
    try:
        yield
    finally:
        _frozen.reset(token)
