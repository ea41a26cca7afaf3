"""A form submission reads its task and case once: the read that checks access also locks the case."""

from __future__ import annotations

from app.extensions import db
from app.models import Case

from .helpers import complete, open_task, statements_sent, walk_in


def _statements_during(call) -> list[str]:
    with statements_sent() as sent:
        call()
    return [" ".join(statement.split()) for statement in sent]


def test_a_submission_reads_the_task_with_its_case_once(app, staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    db.session.commit()
    sent = _statements_during(lambda: complete(cw, case_id, "intake"))
    task_reads = [s for s in sent if s.startswith("SELECT") and "FROM human_tasks JOIN cases" in s
                  or "FROM process_versions" in s and "human_tasks" in s]
    assert len(task_reads) == 1, task_reads
    if db.engine.dialect.name == "postgresql":
        assert "FOR UPDATE OF cases" in task_reads[0]
    assert open_task(case_id, "assessment")  # and the step went through


def test_a_draft_does_not_lock_the_case(app, staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    task = open_task(case_id, "intake")
    db.session.commit()
    sent = _statements_during(lambda: cw.post(f"/tasks/{task.id}", data={"save_draft": "1", "name": "下書き"}))
    assert not any("FOR UPDATE" in s for s in sent)


def _reads_of_records(sent: list[str]) -> tuple[list[str], list[str]]:
    """Statements reading decisions or service records: (with the open tasks under the lock, apart)."""
    reading = [s for s in sent if s.startswith("SELECT") and ("FROM support_decisions" in s
                                                               or "FROM service_records" in s)]
    with_lock = [s for s in reading if "AS read_with_lock" in s and "LEFT OUTER JOIN human_tasks" in s]
    return with_lock, [s for s in reading if s not in with_lock]


def test_service_records_and_monitorings_read_what_they_need_with_the_lock(app, staff, login):
    """The service's decision and whether delivery has finished come in the statement that reads
    the open tasks under the lock: the handlers send no query, and the values are the ones their
    own queries give."""
    from app.lifecycle.delivery import delivery_finished
    from app.models import ServiceRecord, SupportDecision

    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    budget, navi = login(staff["budget_advisor"]), login(staff["employment_navigator"])
    case_id = walk_in(cw)
    for form_key in ("intake", "assessment", "plan"):
        complete(cw, case_id, form_key)
    complete(lead, case_id, "coordination_meeting", decision="approve")
    db.session.commit()

    sent = _statements_during(lambda: complete(budget, case_id, "service_record", instance_item="household_budget"))
    with_lock, apart = _reads_of_records(sent)
    assert len(with_lock) == 1 and apart == [], (with_lock, apart)
    record = db.session.query(ServiceRecord).filter_by(case_id=case_id).one()
    decision = (db.session.query(SupportDecision).filter_by(case_id=case_id, service="household_budget")
                .order_by(SupportDecision.id.desc()).first())
    assert record.decision_id == decision.id

    # One service still ongoing: delivery has not finished, and the monitoring says so.
    sent = _statements_during(lambda: complete(cw, case_id, "monitoring"))
    with_lock, apart = _reads_of_records(sent)
    assert len(with_lock) == 1 and apart == [], (with_lock, apart)
    db.session.expire_all()
    assert delivery_finished(db.session.get(Case, case_id)) is False
    assert open_task(case_id, "monitoring")  # not on to the evaluation

    for who, item in ((budget, "household_budget"), (navi, "work_readiness")):
        complete(who, case_id, "service_record", instance_item=item, status="completed",
                 ended_on="2026-12-20", outcome="終了")
    db.session.expire_all()
    assert delivery_finished(db.session.get(Case, case_id)) is True
    complete(cw, case_id, "monitoring", contact_on="2026-11-26", next_monitoring_on="2027-01-26")
    assert open_task(case_id, "evaluation")  # delivery finished, read with the lock
