"""Two retries of one slip arrive at the same moment (PostgreSQL): one episode, the same answer."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Case, ReferralReceipt

from ..api.helpers import post_twice_at_once
from ..conftest import DB_KIND
from .helpers import slip

pytestmark = pytest.mark.skipif(DB_KIND != "postgresql", reason="real concurrency needs PostgreSQL")


def test_simultaneous_retries_create_one_episode(app, referrer):
    answers = post_twice_at_once(app, referrer, "/referrals", {"ward": "naka", "data": slip()},
                                 {"Idempotency-Key": "retry-race-1"})
    assert answers[0] == answers[1] and answers[0][0] == 201, answers
    db.session.expire_all()
    assert db.session.query(Case).count() == 1 and db.session.query(ReferralReceipt).count() == 1
