"""Two browser tabs post the same task page at once, or one posts while others read the case.

The task page locks the case row in the query that loads the task, and a case's audit chain
is appended to under that same row lock (steps, and `case_viewed` from reading pages).  These
tests run the real concurrency on PostgreSQL; SQLite serialises writers and ignores FOR UPDATE.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from app.extensions import db
from app.models import AuditEvent, FormSubmission, HumanTask
from app.services.audit import chain as audit
from app.services.demo.samples import sample

from .conftest import DB_KIND
from .helpers import complete, form_post, open_task, run_together, walk_in

DAY = date(2026, 11, 26)

pytestmark = pytest.mark.skipif(DB_KIND != "postgresql", reason="real concurrency needs PostgreSQL")
ROUNDS = 3


def _count(model, **filters) -> int:
    db.session.expire_all()
    return db.session.query(model).filter_by(**filters).count()


def test_the_same_task_page_posted_twice_at_once_completes_it_once(app, staff, make_user, login):
    cw2 = make_user("cw2", "caseworker")
    first, second = login(staff["caseworker"]), login(cw2)
    for _ in range(ROUNDS):
        case_id = walk_in(login(staff["lead_worker"]))  # unassigned: both caseworkers may take it
        task_id = open_task(case_id, "intake").id
        posted = form_post(sample("intake", DAY, new_person=True))
        posted["confirmed"] = "1"
        responses = run_together([partial(client.post, f"/tasks/{task_id}", data=posted) for client in (first, second)])
        assert sorted(r.status_code for r in responses) == [303, 303]  # both redirect to the case page...
        flashed = [r.headers["Location"] for r in responses]
        assert all(f"/cases/{case_id}" in location for location in flashed)
        # ...but only one completed it; the other was told it was already done.
        assert _count(FormSubmission, case_id=case_id, form_key="intake") == 1
        assert _count(HumanTask, case_id=case_id, form_key="assessment") == 1
        assert _count(AuditEvent, case_id=case_id, event_type="task_completed") == 1
        pages = [first.get(f"/cases/{case_id}").get_data(as_text=True),
                 second.get(f"/cases/{case_id}").get_data(as_text=True)]
        assert sum("既に完了しています" in page for page in pages) == 1
    assert audit.verify().ok


def test_reading_the_case_while_a_step_runs_keeps_its_audit_chain_whole(app, staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", new_person=True)
    for form_key in ("assessment", "plan"):
        task_id = open_task(case_id, form_key).id
        posted = form_post(sample(form_key, DAY))
        posted["confirmed"] = "1"
        calls = [partial(cw.post, f"/tasks/{task_id}", data=posted)]
        calls += [partial(client.get, f"/cases/{case_id}") for client in (lead, lead, cw)]
        responses = run_together(calls)
        assert [r.status_code for r in responses] == [303, 200, 200, 200]
    report = audit.verify(case_id)
    assert report.ok, [str(problem) for problem in report.problems]
    assert _count(AuditEvent, case_id=case_id, event_type="case_viewed") >= 6
