"""Cases started on the single-diagram lifecycle (before the split into called processes).

`tests/data/case_lifecycle_single.bpmn` is the lifecycle as one diagram, with its support phase,
no-response ladder and high-risk response as embedded subprocesses.  Deployed as version 1, with
today's split set (processes/) as version 2: an old case runs to its end on its own version and
replays; the migration dry run reports every running case; a case waiting at a task both versions
have moves to the split set and back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from app.models import ProcessVersion

from ..helpers import case_of, complete, open_task, walk_in
from ..privacy.test_risk_flag import HIGH, _api, at_assessment  # noqa: F401 (a fixture)

SINGLE = Path(__file__).resolve().parents[1] / "data" / "case_lifecycle_single.bpmn"


@pytest.fixture
def single_then_split(app):
    """v1 = the single diagram (as deployed before the split); v2 comes later (`deploy_split`)."""
    from app.forms import load_form_definitions
    from app.services.processes import store_version

    db.session.query(ProcessVersion).delete()  # no case exists yet: start the history over
    forms = {k: d.to_dict() for k, d in load_form_definitions(app.config["FORMS_DIR"]).items()}
    version, created = store_version("case_lifecycle", {"case_lifecycle.bpmn": SINGLE.read_text(encoding="utf-8")},
                                     forms, None, "一枚の図（分割前）", source="test")
    db.session.commit()
    assert created and version.version == 1


def deploy_split() -> ProcessVersion:
    from app.services.processes import deploy_from_disk

    version, created = deploy_from_disk(None, "呼び出しプロセスに分割")
    db.session.commit()
    assert created and version.version == 2 and len(version.bpmn_files) == 4
    return version


def _replay(app, case_id: int):
    result = app.test_cli_runner().invoke(args=["audit", "replay", str(case_id), "--verify"])
    assert result.exit_code == 0, result.output
    assert "replay matches the stored state" in result.output
    return result.output


def _in_support(cw, lead, new_person: bool = False) -> int:
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", new_person=new_person)
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan", statutory_services=["household_budget"])
    complete(lead, case_id, "coordination_meeting", decision="approve")
    return case_id


def test_an_old_case_runs_to_its_end_on_the_single_diagram_and_replays(app, single_then_split, staff, login):
    cw, lead, budget = login(staff["caseworker"]), login(staff["lead_worker"]), login(staff["budget_advisor"])
    case_id = _in_support(cw, lead)
    deploy_split()
    new_case = walk_in(cw)
    assert case_of(new_case).process_version.version == 2  # new cases start on the split set

    complete(budget, case_id, "service_record", instance_item="household_budget", status="completed",
             ended_on="2026-12-20", outcome="家計表を作成した")
    complete(cw, case_id, "monitoring", contact_on="2026-12-26", next_monitoring_on="2027-01-26")
    complete(cw, case_id, "evaluation")
    case = case_of(case_id)
    assert case.process_version.version == 1 and case.state == "closed"
    _replay(app, case_id)

    # The same path on the split set: the tasks are in called processes, the case ends the same way.
    complete(cw, new_case, "intake", new_person=True)
    complete(cw, new_case, "assessment")
    complete(cw, new_case, "plan", statutory_services=["household_budget"])
    complete(lead, new_case, "coordination_meeting", decision="approve")
    assert open_task(new_case, "monitoring").bpmn_id == "monitoring"
    complete(budget, new_case, "service_record", instance_item="household_budget", status="completed",
             ended_on="2026-12-20", outcome="家計表を作成した")
    complete(cw, new_case, "monitoring", contact_on="2026-12-26", next_monitoring_on="2027-01-26")
    complete(cw, new_case, "evaluation")
    complete(lead, new_case, "coordination_meeting", decision="close", closure_reason="goal_achieved")
    assert case_of(new_case).state == "closed"
    _replay(app, new_case)


def test_the_dry_run_reports_each_old_case_and_cases_move_to_the_split_set_and_back(
        app, single_then_split, staff, login, make_user, at_assessment):  # noqa: F811 (the imported fixture)
    cw, lead, budget = login(staff["caseworker"]), login(staff["lead_worker"]), login(staff["budget_advisor"])
    at_intake = walk_in(cw)
    in_support = _in_support(cw, lead, new_person=True)
    risk_open = at_assessment()
    post, _get = _api(app, staff["caseworker"])
    assert post(f"/cases/{risk_open}/actions/flag_risk", {"data": HIGH}).status_code == 200
    assert open_task(risk_open, "risk_acknowledgement").bpmn_id == "risk_acknowledgement"
    deploy_split()
    owner_user = make_user("owner", "process_owner", ward=None)
    owner = login(owner_user)

    from app.services.processes.migration import dry_run

    report = {c.case_id: c for c in dry_run(owner_user, "case_lifecycle", 2).cases}
    assert set(report) == {at_intake, in_support, risk_open}
    # Waiting at intake (main process) or inside the support phase: the support phase was an embedded
    # subprocess and is now the called process of the same id, so its tasks line up and the case moves.
    assert report[at_intake].migratable and report[in_support].migratable
    assert [t.element_id for t in report[in_support].plan.timers] == ["on_plan_end"]
    # A high-risk response in flight ran its tasks in the event subprocess itself; in the split set
    # they are in the called process high_risk_response, so the case is blocked and says by what.
    assert not report[risk_open].migratable and report[risk_open].result == "blocked"
    assert "risk_acknowledgement" in report[risk_open].detail
    page = owner.get("/processes/versions/2/migration").get_data(as_text=True)
    assert "risk_acknowledgement" in page

    done = owner.post("/processes/versions/2/migration")
    assert done.status_code == 200
    assert [case_of(i).process_version.version for i in (at_intake, in_support, risk_open)] == [2, 2, 1]

    # The moved support phase goes on in the called process and the case ends on version 2.
    complete(budget, in_support, "service_record", instance_item="household_budget", status="completed",
             ended_on="2026-12-20", outcome="家計表を作成した")
    complete(cw, in_support, "monitoring", contact_on="2026-12-26", next_monitoring_on="2027-01-26")
    complete(cw, in_support, "evaluation")
    complete(lead, in_support, "coordination_meeting", decision="close", closure_reason="goal_achieved")
    assert case_of(in_support).state == "closed"
    assert "v1 → v2" in _replay(app, in_support)

    # Moving back to the single diagram and forward again, then on through the split set.
    back = owner.post(f"/processes/cases/{at_intake}/move", data={"version": 1})
    assert back.status_code == 303 and case_of(at_intake).process_version.version == 1
    assert owner.post(f"/processes/cases/{at_intake}/move", data={"version": 2}).status_code == 303
    assert case_of(at_intake).process_version.version == 2
    complete(cw, at_intake, "intake", new_person=True)
    complete(cw, at_intake, "assessment")
    complete(cw, at_intake, "plan", statutory_services=["household_budget"])
    complete(lead, at_intake, "coordination_meeting", decision="approve")
    assert open_task(at_intake, "monitoring").bpmn_id == "monitoring"
    _replay(app, at_intake)

    # The blocked case still runs on its own version.
    _replay(app, risk_open)
