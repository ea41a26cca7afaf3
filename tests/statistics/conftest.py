from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.extensions import db
from app.services.statistics.settings import set_population

from .helpers import Records


@pytest.fixture
def records(app, staff, clock):
    clock.current = datetime(2027, 7, 10, 1, 0, tzinfo=UTC)
    return Records(staff["caseworker"].id)


@pytest.fixture
def worked_example(records):
    """Naka, 150,000 people: 30/36/33 consultations, 9/12/15 first plans (+2/1/3 re-plans),
    6/6/9 employment-support targets in April–June 2027."""
    set_population("naka", 150_000, date(2027, 4, 1))
    months = [(4, 30, 9, 2, 6), (5, 36, 12, 1, 6), (6, 33, 15, 3, 9)]
    for month, consultations, plans, replans, employment in months:
        cases = [records.case(intake_on=date(2027, month, 1 + i % 28)) for i in range(consultations)]
        for i, case in enumerate(cases[:plans]):
            records.approve_plan(case, date(2027, month, 20), employment=i < employment)
        for _ in range(replans):  # episodes planned before April, planned again now: never counted
            old = records.case(intake_on=date(2027, 1, 10))
            records.approve_plan(old, date(2027, 2, 1))
            records.approve_plan(old, date(2027, month, 25))
    db.session.commit()
    return records


from tests.api.conftest import api  # noqa: E402, F401  (the API client fixture)
