"""The time SpiffWorkflow's timers see: the wall clock, or a time the caller passes in.

SpiffWorkflow reads `datetime.now(timezone.utc)` in one module (timer event definitions:
arming a duration timer, deciding whether a timer is due).  Replay must run each recorded step
at its recorded time, so the engine methods take an optional `at`; for the duration of that
call the timer module's `datetime.now` answers `at`.  The time is held in a context variable:
other threads and requests keep the real clock (freezing the whole process with freezegun,
as replay used to, also froze every other request of the process).

Without `at` the timer module asks `datetime.now` of this module's global, so tests that move
time with freezegun keep working (freezegun swaps that global while it is active).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

_engine_time: ContextVar[datetime | None] = ContextVar("tsunagi_engine_time", default=None)


class _EngineDatetime(datetime):
    """`datetime` as the timer module sees it: `now()` answers the injected time if there is one."""

    @classmethod
    def now(cls, tz=None):
        at = _engine_time.get()
        if at is None:
            return datetime.now(tz)  # the module global: freezegun's fake while it is active
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return at.astimezone(tz) if tz is not None else at.astimezone().replace(tzinfo=None)


@contextmanager
def engine_time(at: datetime | None) -> Iterator[None]:
    """Run the block with SpiffWorkflow's timers seeing `at` (no-op for None)."""
    if at is None:
        yield
        return
    token = _engine_time.set(at)
    try:
        yield
    finally:
        _engine_time.reset(token)


def install() -> None:
    _timer_module.datetime = _EngineDatetime
