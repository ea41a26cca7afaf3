"""When the stored facts are rewritten: once per transaction, at its commit, and only for counted changes."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import PlanVersion, StatFact
from app.services.statistics import counting
from tests.helpers import statements_sent


def fact_rewrites():
    """The DELETEs of stat_facts the block sends (one per rewrite)."""
    return statements_sent(lambda statement: statement.lstrip().upper().startswith("DELETE FROM STAT_FACTS"))


def _stored(case_ids) -> list[tuple]:
    rows = db.session.execute(sa.select(StatFact.case_id, StatFact.ward, StatFact.month, StatFact.indicator,
                                        StatFact.detail, StatFact.of_which_plan, StatFact.source)
                              .where(StatFact.case_id.in_(list(case_ids)))).all()
    return sorted(tuple(row) for row in rows)


def _derived(case_ids) -> list[tuple]:
    return sorted(tuple(fact) for fact in counting.derive_facts(case_ids))


def test_several_flushes_rewrite_the_facts_once_at_commit(records):
    with fact_rewrites() as rewrites:
        case = records.case(intake_on=date(2027, 4, 2))
        records.approve_plan(case, date(2027, 4, 20), employment=True)
        records.close(case, date(2027, 5, 31), "goal_achieved")
        assert rewrites == []  # flushed, not yet committed
        db.session.commit()
    assert len(rewrites) == 1
    assert _stored([case.id]) == _derived([case.id])
    assert len(_stored([case.id])) == 4  # consultation, plan, employment-support target, closure


def test_a_change_no_count_reads_does_not_rewrite_the_facts(records):
    case = records.case(intake_on=date(2027, 4, 2))
    plan = records.approve_plan(case, date(2027, 4, 20))
    db.session.commit()
    before = _stored([case.id])
    with fact_rewrites() as rewrites:
        plan.status = "revised"  # neither the plan's status
        case.state = "monitoring"  # nor the case's state is counted
        records.submit(case, "progress_note", {"recorded_on": "2027-04-22"})  # nor a progress note
        submission = records.submit(case, "plan", {})
        db.session.add(PlanVersion(case_id=case.id, number=2, overall_goal="次", statutory_services=[],
                                   employment_support_target=True, plan_from=date(2027, 5, 1),
                                   plan_to=date(2027, 10, 31), signed_by_person=True, status="draft",
                                   submission_id=submission.id))
        db.session.commit()  # a new plan counts only once a meeting approves it
    assert rewrites == []
    assert _stored([case.id]) == before == _derived([case.id])


def test_a_counted_column_changed_later_in_the_transaction_is_counted(records):
    case = records.case(intake_on=date(2027, 4, 2))
    plan = records.approve_plan(case, date(2027, 4, 20))
    db.session.commit()
    with fact_rewrites() as rewrites:
        plan.employment_support_target = True
        db.session.flush()
        case.reconsultation = True
        db.session.commit()
    assert len(rewrites) == 1
    indicators = {fact[3] for fact in _stored([case.id])}
    assert {counting.EMPLOYMENT_SUPPORT_TARGET, counting.RECONSULTATION} <= indicators
    assert _stored([case.id]) == _derived([case.id])


def test_a_rolled_back_transaction_leaves_nothing_to_rewrite(records):
    case = records.case(intake_on=date(2027, 4, 2))
    db.session.commit()
    before = _stored([case.id])
    records.close(case, date(2027, 4, 30), "goal_achieved")  # flushed, then abandoned
    db.session.rollback()
    with fact_rewrites() as rewrites:
        case.state = "monitoring"
        db.session.commit()
    assert rewrites == []
    assert _stored([case.id]) == before == _derived([case.id])


def test_a_savepoint_rolled_back_inside_a_committed_transaction(records):
    case = records.case(intake_on=date(2027, 4, 2))
    db.session.commit()
    kept = records.case(intake_on=date(2027, 4, 9))
    savepoint = db.session.begin_nested()
    records.close(case, date(2027, 4, 30), "goal_achieved")
    savepoint.rollback()
    db.session.commit()
    assert _stored([case.id, kept.id]) == _derived([case.id, kept.id])
    assert counting.CLOSURE not in {fact[3] for fact in _stored([case.id])}
    assert counting.NEW_CONSULTATION in {fact[3] for fact in _stored([kept.id])}


def test_a_savepoint_committed_inside_a_transaction_rewrites_its_facts(records):
    case = records.case(intake_on=date(2027, 4, 2))
    db.session.commit()
    with db.session.begin_nested():
        records.close(case, date(2027, 4, 30), "goal_achieved")
    assert counting.CLOSURE in {fact[3] for fact in _stored([case.id])}  # at the savepoint's release
    db.session.commit()
    assert _stored([case.id]) == _derived([case.id])
