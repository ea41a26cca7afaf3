"""Two retries of one slip arrive at the same moment (PostgreSQL): one episode, the same answer."""

from __future__ import annotations

import threading

import pytest

from app.extensions import db
from app.models import Case, ReferralReceipt
from app.services.staff.tokens import issue_token

from ..api.conftest import ApiClient
from ..conftest import DB_KIND
from .helpers import slip

pytestmark = pytest.mark.skipif(DB_KIND != "postgresql", reason="real concurrency needs PostgreSQL")


def test_simultaneous_retries_create_one_episode(app, referrer):
    token = issue_token(referrer.username)[0]
    barrier = threading.Barrier(2)
    answers: list = [None, None]
    errors: list[BaseException] = []

    def send(index):
        try:
            with app.app_context():
                client = ApiClient(app.test_client(), token)
                barrier.wait(timeout=10)
                response = client.post("/referrals", json={"ward": "naka", "data": slip()},
                                       headers={"Idempotency-Key": "retry-race-1"})
                answers[index] = (response.status_code, response.get_json())
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert answers[0] == answers[1] and answers[0][0] == 201, answers
    db.session.expire_all()
    assert db.session.query(Case).count() == 1 and db.session.query(ReferralReceipt).count() == 1
