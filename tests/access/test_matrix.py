"""The access matrix: (role, ward, own/other case, resource, action) → allow/deny, pages and API alike.

Case A is in naka and assigned to `cw`; case B is in minami.  Each resource is tried through the
HTML door and the API door; "allow" means the request got past authorization (a page or JSON
answer, or a 422 for the deliberately empty form), "deny" means 403 or 404 — and always 404 when
the case lies outside what the user may see, so other wards cannot probe for ids.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.extensions import db
from app.models import Case, HumanTask
from app.services.cases.opening import start_case
from app.services.staff.assignment import set_cover
from app.services.staff.tokens import issue_token

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


# -- who holds the work: claim, take over, reassign (pages and API) ---------------------------------
CLAIM, TAKE_OVER, REASSIGN = "claim_task", "take_over_task", "reassign_case"
# actor -> (allowed on the free intake of a naka case, allowed on that of a minami case)
HOLDER_MATRIX = {
    "cw": ({CLAIM}, set()), "cw2": ({CLAIM}, set()),
    "lead": ({TAKE_OVER, REASSIGN}, set()), "chief": ({TAKE_OVER, REASSIGN}, set()),
    "budget": (set(), set()), "navi": (set(), set()), "prov": (set(), set()), "pa": (set(), set()),
    "referrer": (set(), set()), "auditor": (set(), set()), "city_auditor": (set(), set()),
    "stats": (set(), set()), "owner": (set(), set()), "admin": (set(), set()),
    "cw_minami": (set(), {CLAIM}), "lead_minami": (set(), {TAKE_OVER, REASSIGN}),
    "cover": (set(), {CLAIM}),  # covering for cw gives nothing on a case that is not cw's
}
# Who sees each free case at all (the others get 404 for any of these).
SEES_FREE_CASE = {"A": {"cw", "cw2", "lead", "chief", "auditor", "city_auditor"},
                  "B": {"cw_minami", "lead_minami", "cover", "city_auditor"}}
REASSIGN_TO = {"A": "cw2", "B": "cover"}


@pytest.fixture
def free_world(app, make_user):
    """Cases opened by lead workers: their intake tasks are free for the ward's caseworkers."""
    users = {name: make_user(name, *roles, ward=ward) for name, (roles, ward, *_rest) in MATRIX.items()}
    set_cover(users["cw"], users["cover"], date(2026, 11, 20), date(2026, 12, 4), "育児休業", users["chief"])
    cases = {"A": start_case("naka", users["lead"]).id, "B": start_case("minami", users["lead_minami"]).id}
    tasks = {label: db.session.query(HumanTask).filter_by(case_id=case_id, status="open").one().id
             for label, case_id in cases.items()}
    return users, cases, tasks


def _holders(case_id: int, task_id: int) -> tuple:
    db.session.expire_all()
    return db.session.get(Case, case_id).assigned_to_id, db.session.get(HumanTask, task_id).assignee_id


def _free_again(case_id: int, task_id: int) -> None:
    db.session.get(Case, case_id).assigned_to_id = None
    db.session.get(HumanTask, task_id).assignee_id = None
    db.session.commit()


def _change_holder(client, door: str, action: str, case_id: int, task_id: int, target):
    if door == "page":
        if action == REASSIGN:
            return client.post(f"/cases/{case_id}/reassign", data={"assignee": str(target.id), "reason": "調整"})
        change = "claim" if action == CLAIM else "take-over"
        return client.post(f"/cases/{case_id}/tasks/{task_id}/{change}")
    if action == REASSIGN:
        return client.post(f"/cases/{case_id}/reassign", json={"assignee": target.username, "reason": "調整"})
    if action == CLAIM:
        return client.post(f"/tasks/{task_id}/claim")
    return client.post(f"/tasks/{task_id}/take-over", json={"reason": "急ぎ"})


def test_holder_matrix_for_pages_and_api(app, free_world, login):
    users, cases, tasks = free_world
    failures, tried = [], 0
    for name, allowed_by_case in HOLDER_MATRIX.items():
        page, api = login(users[name]), ApiClient(app.test_client(), issue_token(name)[0])
        for label, allowed in zip(("A", "B"), allowed_by_case, strict=True):
            case_id, task_id = cases[label], tasks[label]
            target = users[REASSIGN_TO[label]]
            for door, action in [(d, a) for a in (CLAIM, TAKE_OVER, REASSIGN) for d in ("page", "api")]:
                tried += 1
                before = _holders(case_id, task_id)
                status = _change_holder(page if door == "page" else api, door, action, case_id, task_id,
                                        target).status_code
                changed = _holders(case_id, task_id) != before
                if action in allowed:
                    ok = changed and status in ({303} if door == "page" else {200})
                elif name in READ_ONLY:  # refused (and audited) before anything is looked up
                    ok = not changed and status == 403
                elif name not in SEES_FREE_CASE[label]:
                    ok = not changed and status == 404
                else:  # sees the case, may not do this: the page says so on the case page, the API 403
                    ok = not changed and status in ({303} if door == "page" else {403})
                if not ok:
                    failures.append(f"{name} case {label} {action} via {door}: status {status}, changed {changed}")
                _free_again(case_id, task_id)
    assert failures == [], "\n".join(failures)
    assert tried == len(HOLDER_MATRIX) * 2 * 3 * 2


# -- exports (the audit trail's JSON and printable HTML): auditors of the case's ward, or of the city -------------
AUDIT_READERS = {"A": {"auditor", "city_auditor"}, "B": {"city_auditor"}}


def test_export_matrix(app, world, login):
    users, cases, _task_of = world
    failures = []
    for name in MATRIX:
        page = login(users[name])
        for label, case_id in cases.items():
            for path in (f"/audit/cases/{case_id}", f"/audit/cases/{case_id}/export.json",
                         f"/audit/cases/{case_id}/export.html"):
                got = page.get(path).status_code
                wanted = 200 if name in AUDIT_READERS[label] else 404
                if got != wanted:
                    failures.append(f"{name} case {label} {path}: got {got}, wanted {wanted}")
    assert failures == [], "\n".join(failures)


# -- aggregates: stats_viewer sees every ward's counts, ward supervisors their ward's, nobody sees a case ---------
STATS_WARDS = {"stats": {"naka", "minami"}, "lead": {"naka"}, "chief": {"naka"}, "lead_minami": {"minami"}}


def test_stats_matrix(app, world, login):
    users, cases, _task_of = world
    failures = []
    for name in MATRIX:
        page = login(users[name])
        response = page.get("/stats/")
        html = response.get_data(as_text=True)
        if name not in STATS_WARDS:
            if response.status_code != 403:
                failures.append(f"{name}: got {response.status_code}, wanted 403")
            continue
        rows = set(re.findall(r'<tr id="ward-(\w+)">', html))
        if response.status_code != 200 or not STATS_WARDS[name] <= rows or ("minami" in rows) != (
                "minami" in STATS_WARDS[name]) or ("naka" in rows) != ("naka" in STATS_WARDS[name]):
            failures.append(f"{name}: got {response.status_code}, wards {sorted(rows)}")
        if re.search(r"/(cases|tasks)/\d", html):
            failures.append(f"{name}: the aggregates page links to a case or task")
    assert failures == [], "\n".join(failures)
    counts = login(users["stats"]).get("/stats/").get_data(as_text=True)
    naka = counts.split('id="ward-naka"')[1].split("</tr>")[0]
    # The world's naka case waits at intake: no intake recorded yet, so no consultation is counted.
    assert '<td data-figure="new_consultations">0</td>' in naka
