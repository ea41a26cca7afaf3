"""The access matrix: (role, ward, own/other case, resource, action) → allow/deny, pages and API alike.

Case A is in naka and assigned to `cw`; case B is in minami.  Each resource is tried through the
HTML door and the API door; "allow" means the request got past authorization (a page or JSON
answer, or a 422 for the deliberately empty form), "deny" means 403 or 404 — and always 404 when
the case lies outside what the user may see, so other wards cannot probe for ids.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import Case, HumanTask
from app.services.assignment import set_cover
from app.services.cases import start_case
from app.services.tokens import issue_token

from ..api.conftest import ApiClient

VIEW, EVENTS, TASK, COMPLETE, ACTION = "view_case", "events", "view_task", "complete_task", "run_action"
READ = {VIEW, EVENTS}
ALL = {VIEW, EVENTS, TASK, COMPLETE, ACTION}

# actor -> (roles, ward, allowed on case A in naka, allowed on case B in minami, may open a naka case)
MATRIX = {
    "cw": (("caseworker",), "naka", ALL, set(), True),
    "cw2": (("caseworker",), "naka", READ, set(), True),
    "lead": (("lead_worker",), "naka", READ | {ACTION}, set(), True),
    "chief": (("section_chief",), "naka", READ | {ACTION}, set(), True),
    "budget": (("budget_advisor",), "naka", set(), set(), False),
    "navi": (("employment_navigator",), "naka", set(), set(), False),
    "prov": (("provider",), "naka", set(), set(), False),
    "pa": (("pa_worker",), "naka", set(), set(), False),
    "referrer": (("referrer",), "naka", set(), set(), False),
    "auditor": (("auditor",), "naka", READ, set(), False),
    "city_auditor": (("auditor",), None, READ, READ, False),
    "stats": (("stats_viewer",), None, set(), set(), False),
    "owner": (("process_owner",), None, set(), set(), False),
    "admin": (("admin",), None, set(), set(), False),
    "cw_minami": (("caseworker",), "minami", set(), ALL, False),
    "lead_minami": (("lead_worker",), "minami", set(), READ | {ACTION}, False),
    # A minami caseworker covering for cw (代理): cw's case A, and their own ward's B.
    "cover": (("caseworker",), "minami", ALL, READ, False),
}


@pytest.fixture
def world(app, make_user):
    users = {name: make_user(name, *roles, ward=ward) for name, (roles, ward, *_rest) in MATRIX.items()}
    case_a = start_case("naka", users["cw"])
    case_b = start_case("minami", users["cw_minami"])
    set_cover(users["cw"], users["cover"], date(2026, 11, 20), date(2026, 12, 4), "育児休業", users["chief"])
    task_of = {
        case.id: db.session.query(HumanTask).filter_by(case_id=case.id, status="open").one().id
        for case in (case_a, case_b)
    }
    return users, {"A": case_a.id, "B": case_b.id}, task_of


def _page_result(client, resource: str, case_id: int, task_id: int) -> int:
    if resource == VIEW:
        return client.get(f"/cases/{case_id}").status_code
    if resource == EVENTS:  # the history is part of the case page
        return client.get(f"/cases/{case_id}").status_code
    if resource == TASK:
        return client.get(f"/tasks/{task_id}").status_code
    if resource == COMPLETE:
        return client.post(f"/tasks/{task_id}", data={}).status_code
    return client.post(f"/cases/{case_id}/actions/record_progress", data={}).status_code


def _api_result(client: ApiClient, resource: str, case_id: int, task_id: int) -> int:
    if resource == VIEW:
        return client.get(f"/cases/{case_id}").status_code
    if resource == EVENTS:
        return client.get(f"/cases/{case_id}/events").status_code
    if resource == TASK:
        return client.get(f"/tasks/{task_id}").status_code
    if resource == COMPLETE:
        return client.post(f"/tasks/{task_id}/complete", json={"data": {}}).status_code
    return client.post(f"/cases/{case_id}/actions/record_progress", json={"data": {}}).status_code


READ_ONLY = {"auditor", "city_auditor"}
SUPERVISORS = {"lead", "chief", "lead_minami"}  # GET /tasks lists every open task of their ward
REFERRAL_SENDERS = {"cw", "cw2", "lead", "chief", "referrer", "cover", "cw_minami", "lead_minami"}
PAGE_ALLOWED = {VIEW: {200}, EVENTS: {200}, TASK: {200}, COMPLETE: {422}, ACTION: {422}}
API_ALLOWED = {VIEW: {200}, EVENTS: {200}, TASK: {200}, COMPLETE: {422}, ACTION: {422}}
# A page refusing an action the case does not offer the user redirects back with a message.
PAGE_DENIED = {VIEW: {404}, EVENTS: {404}, TASK: {403, 404}, COMPLETE: {403, 404}, ACTION: {303, 404}}
API_DENIED = {VIEW: {404}, EVENTS: {404}, TASK: {403, 404}, COMPLETE: {403, 404}, ACTION: {403, 404}}


def test_matrix_for_pages_and_api(app, world, login):
    users, cases, task_of = world
    table, failures = [], []
    for name, (_roles, _ward, allowed_a, allowed_b, may_open) in MATRIX.items():
        page, api = login(users[name]), ApiClient(app.test_client(), issue_token(name)[0])
        for label, allowed in (("A", allowed_a), ("B", allowed_b)):
            case_id = cases[label]
            sees_case = VIEW in allowed
            for resource in (VIEW, EVENTS, TASK, COMPLETE, ACTION):
                expect = resource in allowed
                got_page = _page_result(page, resource, case_id, task_of[case_id])
                got_api = _api_result(api, resource, case_id, task_of[case_id])
                for door, got, ok, no in (("page", got_page, PAGE_ALLOWED, PAGE_DENIED),
                                          ("api", got_api, API_ALLOWED, API_DENIED)):
                    wanted = ok[resource] if expect else ({404} if not sees_case else no[resource])
                    if not expect and name in READ_ONLY and resource in (COMPLETE, ACTION):
                        wanted = {403}  # auditors' changes are refused before anything is looked up
                    table.append((name, label, resource, door, expect, got))
                    if got not in wanted:
                        failures.append(f"{name} case {label} {resource} via {door}: got {got}, wanted {wanted}")
            # The worklist (page) and "mine" (API) list exactly the tasks the user may complete.
            task_link = f'href="/tasks/{task_of[case_id]}"'
            on_worklist = task_link in page.get("/").get_data(as_text=True)
            mine = {t["task_id"] for t in api.get("/tasks?mine=true").get_json()}
            listed = {t["task_id"] for t in api.get("/tasks").get_json()}
            if on_worklist != (COMPLETE in allowed) or (task_of[case_id] in listed) != (COMPLETE in allowed or (
                    sees_case and name in SUPERVISORS)):
                failures.append(f"{name} case {label}: worklist {on_worklist}, api list {task_of[case_id] in listed}")
            if (task_of[case_id] in mine) != (COMPLETE in allowed):
                failures.append(f"{name} case {label}: mine={task_of[case_id] in mine}")
        opened_page = page.post("/cases/new", data={"ward": "naka"}).status_code
        opened_api = api.post("/cases", json={"ward": "naka"}).status_code
        if (opened_page == 303, opened_api == 201) != (may_open, may_open):
            failures.append(f"{name} open a naka case: page {opened_page}, api {opened_api}, wanted {may_open}")
        slip = {"slip_date": "2026-11-26", "from_section": "water", "from_staff": "水道局 佐藤",
                "consent_to_refer": False}
        sent = api.post("/referrals", json={"ward": "naka", "data": slip}).status_code
        if (sent == 201) != (name in REFERRAL_SENDERS) or sent not in (201, 403):
            failures.append(f"{name} send a referral: {sent}")
    assert failures == [], "\n".join(failures)
    assert len(table) == len(MATRIX) * 2 * 5 * 2


def test_matrix_can_fail(app, world, login):
    """The matrix notices a rule that is too generous: cw2 must not complete cw's task."""
    users, cases, task_of = world
    got = _api_result(ApiClient(app.test_client(), issue_token("cw2")[0]), COMPLETE, cases["A"], task_of[cases["A"]])
    assert got not in API_ALLOWED[COMPLETE]


def test_cover_ends_with_its_date_range(app, world, login, clock):
    users, cases, task_of = world
    cover = ApiClient(app.test_client(), issue_token("cover")[0])
    assert cover.get(f"/cases/{cases['A']}").status_code == 200
    clock.advance(days=9)  # 2026-12-05 in Japan: the range ended on the 4th
    assert cover.get(f"/cases/{cases['A']}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Case, cases["A"]).assigned_to_id == users["cw"].id
