"""Two people click the same task at the same moment: one wins, one gets 409, nothing doubles.

Each thread has its own app context, session and database connection, as two web processes
would.  SQLite serialises writers by locking the whole file and ignores FOR UPDATE, so these
run on PostgreSQL only (`TSUNAGI_TEST_DB=postgresql`; CI runs that half too).
"""

from __future__ import annotations

import threading

import pytest

from app.extensions import db
from app.models import AuditEvent, FormSubmission, HumanTask, PlanVersion
from app.services.demo.samples import sample
from app.services.staff.tokens import issue_token

from ..conftest import DB_KIND
from .conftest import ApiClient
from .helpers import DAY, complete, open_task_id

pytestmark = pytest.mark.skipif(DB_KIND != "postgresql", reason="real concurrency needs PostgreSQL")
ROUNDS = 3


def _simultaneously(app, requests) -> list[int]:
    """Run each (token, path, body) in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int | None] = [None] * len(requests)
    errors: list[BaseException] = []

    def worker(index, token, path, body):
        try:
            with app.app_context():
                client = ApiClient(app.test_client(), token)
                barrier.wait(timeout=10)
                statuses[index] = client.post(path, json=body).status_code
                db.session.remove()
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def _count(model, **filters) -> int:
    db.session.expire_all()
    return db.session.query(model).filter_by(**filters).count()


def test_two_simultaneous_completions_give_one_200_and_one_409(app, api, staff, make_user):
    cw2 = make_user("cw2", "caseworker")
    lead = api(staff["lead_worker"])
    for _ in range(ROUNDS):
        case_id = lead.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
        cw = api(staff["caseworker"])
        intake_id = open_task_id(cw, case_id, "intake")
        # Both hold the caseworker role and the intake task is free, so both may complete it.
        body = {"data": sample("intake", DAY, new_person=True)}  # one sample person per round, not a duplicate
        tokens = [issue_token("cw")[0], issue_token(cw2.username)[0]]
        statuses = _simultaneously(app, [(tokens[0], f"/tasks/{intake_id}/complete", body),
                                         (tokens[1], f"/tasks/{intake_id}/complete", body)])
        assert sorted(statuses) == [200, 409]
        assert _count(FormSubmission, case_id=case_id, form_key="intake") == 1
        assert _count(HumanTask, case_id=case_id, form_key="assessment") == 1
        assert _count(AuditEvent, case_id=case_id, event_type="task_completed") == 1
        assert _count(AuditEvent, case_id=case_id, event_type="case_state_changed") == 1


def test_simultaneous_plan_completions_make_one_plan_version(app, api, staff):
    cw = api(staff["caseworker"])
    for _ in range(ROUNDS):
        case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
        complete(cw, case_id, "intake", new_person=True)  # one sample person per round, not a duplicate
        complete(cw, case_id, "assessment")
        plan_id = open_task_id(cw, case_id, "plan")
        body = {"data": sample("plan", DAY)}
        token_a, token_b = issue_token("cw")[0], issue_token("cw")[0]
        statuses = _simultaneously(app, [(token_a, f"/tasks/{plan_id}/complete", body),
                                         (token_b, f"/tasks/{plan_id}/complete", body)])
        assert sorted(statuses) == [200, 409]
        assert _count(PlanVersion, case_id=case_id) == 1
        assert _count(FormSubmission, case_id=case_id, form_key="plan") == 1
        assert _count(HumanTask, case_id=case_id, form_key="coordination_meeting") == 1
        assert _count(AuditEvent, case_id=case_id, event_type="task_completed") == 3


def test_two_simultaneous_claims_give_one_200_and_one_409(app, api, staff, make_user):
    cw2 = make_user("cw2", "caseworker")
    lead = api(staff["lead_worker"])
    for _ in range(ROUNDS):
        case_id = lead.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
        intake_id = open_task_id(lead, case_id, "intake")
        tokens = [issue_token("cw")[0], issue_token(cw2.username)[0]]
        statuses = _simultaneously(app, [(token, f"/tasks/{intake_id}/claim", None) for token in tokens])
        assert sorted(statuses) == [200, 409]
        assert _count(AuditEvent, case_id=case_id, event_type="task_claimed") == 1
        assert _count(AuditEvent, case_id=case_id, event_type="case_assigned") == 1
        db.session.expire_all()
        holder = db.session.get(HumanTask, intake_id).assignee_id
        assert holder in (staff["caseworker"].id, cw2.id)
