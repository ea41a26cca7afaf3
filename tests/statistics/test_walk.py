"""Counting through the doors a ward uses: the JSON API, a case from a slip to its closure."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.services.statistics.settings import set_population
from tests.api.conftest import ApiClient  # noqa: F401  (the api fixture's client)
from tests.api.helpers import complete, open_task_id
from tests.intake.helpers import slip


def _at(clock, day: date) -> None:
    clock.current = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)


def _month(api_client, month: str) -> dict:
    response = api_client.get(f"/stats/monthly?ward=naka&from={month}&to={month}")
    assert response.status_code == 200, response.get_json()
    (row,) = response.get_json()
    return row


def test_slip_in_march_intake_in_april_job_in_may_closure_in_june(app, staff, make_user, api, clock):
    set_population("naka", 150_000, date(2027, 4, 1))
    referrer = make_user("tax_clerk", "referrer")
    _at(clock, date(2027, 3, 25))
    response = api(referrer).post("/referrals", json={"ward": "naka", "data": slip(slip_date="2027-03-25")})
    assert response.status_code == 201, response.get_json()
    case_id = response.get_json()["case_id"]

    _at(clock, date(2027, 4, 6))
    cw = api(staff["caseworker"])  # tokens are issued as the clock moves (they expire)
    complete(cw, case_id, "intake", day=date(2027, 4, 6), route="city_section", route_section="tax", via_slip=True)
    complete(cw, case_id, "assessment", day=date(2027, 4, 6))
    complete(cw, case_id, "plan", day=date(2027, 4, 6))
    complete(api(staff["lead_worker"]), case_id, "coordination_meeting", day=date(2027, 4, 20))

    _at(clock, date(2027, 6, 10))  # the job started in May; its first pay came in June
    cw, chief = api(staff["caseworker"]), api(staff["section_chief"])
    response = cw.post(f"/cases/{case_id}/actions/record_outcome",
                       json={"data": {"kind": "employed", "on": "2027-05-20", "permanent": True,
                                      "monthly_income": 180000}})
    assert response.status_code == 200, response.get_json()
    again = cw.post(f"/cases/{case_id}/actions/record_outcome", json={"data": {"kind": "employed", "on": "2027-05-20"}})
    assert again.status_code == 422 and "on" in again.get_json()["errors"]

    assert cw.post(f"/cases/{case_id}/actions/request_pa_handoff", json={"data": {"note": "相談"}}).status_code == 200
    open_task_id(cw, case_id, "pa_handoff")
    complete(cw, case_id, "pa_handoff", day=date(2027, 6, 10))

    march, april, may, june = (_month(chief, m) for m in ("2027-03", "2027-04", "2027-05", "2027-06"))
    assert march["new_consultations"] == 0
    assert april["new_consultations"] == 1 and april["plans"] == 1 and april["employment_support_targets"] == 1
    assert april["routes"] == {"city_section": 1}
    assert may["employed"] == 1 and may["employed_of_which_plan"] == 1 and may["income_increased"] == 0
    assert june["employed"] == 0 and june["income_increased"] == 0
    assert june["pa_referrals"] == 1 and june["closures_by_reason"] == {"public_assistance": 1}
    assert april["closures_by_reason"] == {} and may["closures_by_reason"] == {}
    assert april["per_100k"]["new_consultations"] == 0.7  # 1 / 150,000 × 100,000
    # the counters the steps kept agree with a recount from the records
    result = app.test_cli_runner().invoke(args=["stats", "verify"])
    assert result.exit_code == 0, result.output


def test_record_outcome_from_the_case_page_counts_in_its_month(app, staff, login, clock):
    from tests.helpers import complete as complete_page
    from tests.helpers import form_post, walk_in

    client = login(staff["caseworker"])
    case_id = walk_in(client)
    complete_page(client, case_id, "intake", day=date(2026, 11, 26))
    assert "record_outcome" in client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert client.get(f"/cases/{case_id}/actions/record_outcome").status_code == 200
    response = client.post(f"/cases/{case_id}/actions/record_outcome",
                           data=form_post({"kind": "income_increased", "on": "2026-10-31", "monthly_income": 90000}))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    future = client.post(f"/cases/{case_id}/actions/record_outcome",
                         data=form_post({"kind": "employed", "on": "2026-12-01"}))
    assert future.status_code == 422 and "今日以前" in future.get_data(as_text=True)
    from app.services.statistics import monthly_rows

    october, november = monthly_rows(["naka"], "2026-10", "2026-11")
    assert (october["income_increased"], october["employed"], november["income_increased"]) == (1, 0, 0)
    assert november["new_consultations"] == 1
