"""SpiffWorkflow's timers read app.clock, so `timers run --now`, demos and tests move them too.

SpiffWorkflow's timer events read `datetime.now` from their own module and offer no clock
injection, so that module's `datetime` is replaced, once, by a subclass that asks app.clock.
Imported for that effect by the engine modules that run workflows (runtime, dry_run)."""
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from app import clock


class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        frozen = clock.frozen()
        if frozen is None:
            return datetime.now(tz)
        return frozen.astimezone(tz) if tz else frozen.replace(tzinfo=None)


_timer_module.datetime = _ClockDatetime
