"""The application's clock: real time, or an instant chosen for `timers run --now`, demos and tests.

A module of its own, importing nothing of the app, so code that only needs the time loads no engine,
no Flask and no database. The engine reads the same instant for SpiffWorkflow's timers (app.engine.clock)."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_frozen: ContextVar[datetime | None] = ContextVar("app_now", default=None)


def frozen() -> datetime | None:
    """The instant the clock is held at, or None when it follows real time."""
    return _frozen.get()


def now() -> datetime:
    """The current time (timezone-aware, UTC unless frozen at an instant with another offset)."""
    return _frozen.get() or datetime.now(UTC)


@contextmanager
def frozen_at(instant: datetime | None):
    """Run the block with the clock at `instant` (None: real time)."""
    if instant is not None and instant.tzinfo is None:
        raise ValueError("the instant must carry a timezone")
    token = _frozen.set(instant)
    try:
        yield
    finally:
        _frozen.reset(token)
