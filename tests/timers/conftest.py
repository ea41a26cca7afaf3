"""Moving time for timer tests: the app clock and SpiffWorkflow's own clock (freezegun) together."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from app.extensions import db
from app.models import Notification
from app.services.timers.scheduler import tick
from tests.helpers import complete, walk_in

JST = ZoneInfo("Asia/Tokyo")


def notification_kinds(user) -> list[str]:
    """The kinds of the user's in-app alerts, read fresh."""
    db.session.expire_all()
    return sorted(n.kind for n in db.session.query(Notification).filter_by(user_id=user.id))


def scheduler_tick(app, clock, when: datetime) -> None:
    """One tick of `tsunagi scheduler` at `when` (the app clock and SpiffWorkflow's clock together)."""
    clock.current = when
    with freeze_time(when):
        tick(app)


def jst(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), JST).astimezone(UTC)


@pytest.fixture
def run_due(app, clock):
    """run_due(when) -> how many timers `tsunagi timers run-due` fired at that moment."""
    runner = app.test_cli_runner()

    def run(when: datetime) -> int:
        clock.current = when
        with freeze_time(when):
            output = runner.invoke(args=["timers", "run-due"]).output
        assert output.startswith("fired "), output
        return int(output.split()[1])

    return run


@pytest.fixture
def case_in_support(staff, login, clock):
    """case_in_support(day) -> a case whose plan (from `day`) was approved at 支援決定 (SpiffWorkflow's
    clock frozen at the app clock, so a plan period already over does not fire at once)."""

    def make(day: date, plan_to: date | None = None) -> int:
        with freeze_time(clock.current):
            return _make(day, plan_to)

    def _make(day: date, plan_to: date | None) -> int:
        cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
        case_id = walk_in(cw)
        complete(cw, case_id, "intake", day, new_person=True)  # several cases of one sample person
        complete(cw, case_id, "assessment", day)
        overrides = {"plan_to": plan_to.isoformat(), "next_monitoring_on": min(plan_to, day + timedelta(days=30))
                     .isoformat()} if plan_to else {}
        complete(cw, case_id, "plan", day, **overrides)
        complete(lead, case_id, "coordination_meeting", day)
        return case_id

    return make
