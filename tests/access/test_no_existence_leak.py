"""Unknown task or case → 404, and another ward's task or case answers exactly the same.

Through both doors and for every route that takes a case or task id, the answer for an id that
exists in another ward (same status, same body) cannot be told from the answer for an id that
does not exist at all, so nobody can probe for other wards' cases.
"""

from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from app.models import HumanTask
from app.services.demo.samples import sample
from app.services.staff.assignment import set_cover

from ..api.helpers import DAY
from ..helpers import form_post, walk_in

MISSING = 987654


def _naka_case(login, staff) -> tuple[int, int]:
    case_id = walk_in(login(staff["caseworker"]))
    task = db.session.query(HumanTask).filter_by(case_id=case_id, status="open").one()
    return case_id, task.id


def _api_calls(case_id: int, task_id: int, cover_id: int):
    data = {"data": sample("intake", DAY)}
    return [
        ("GET", f"/cases/{case_id}", None), ("GET", f"/cases/{case_id}/events", None),
        ("GET", f"/tasks/{task_id}", None), ("POST", f"/tasks/{task_id}/complete", data),
        ("POST", f"/tasks/{task_id}/claim", None), ("POST", f"/tasks/{task_id}/release", None),
        ("POST", f"/tasks/{task_id}/take-over", {"reason": "x"}),
        ("POST", f"/tasks/{task_id}/reassign", {"assignee": "lead_minami", "reason": "x"}),
        ("POST", f"/cases/{case_id}/actions/record_progress", {"data": sample("progress_note", DAY)}),
        ("POST", f"/cases/{case_id}/reassign", {"assignee": "cw_minami", "reason": "x"}),
        ("POST", f"/covers/{cover_id}/end", None),
    ]


def test_api_answers_other_wards_ids_exactly_like_missing_ones(api, staff, make_user, login):
    case_id, task_id = _naka_case(login, staff)
    cover = set_cover(staff["caseworker"], make_user("cw2", "caseworker"), date(2026, 11, 20), date(2026, 12, 4),
                      "研修", staff["section_chief"])
    outsiders = [api(staff["other_ward_caseworker"]), api(make_user("lead_minami", "lead_worker", ward="minami")),
                 api(make_user("chief_minami", "section_chief", ward="minami"))]
    for client in outsiders:
        for (method, path, body), (_m, missing_path, _b) in zip(_api_calls(case_id, task_id, cover.id),
                                                                _api_calls(MISSING, MISSING, MISSING), strict=True):
            call = client.get if method == "GET" else client.post
            other_ward = call(path, json=body) if body is not None else call(path)
            missing = call(missing_path, json=body) if body is not None else call(missing_path)
            assert other_ward.status_code == 404, (client.token[:8], path, other_ward.get_json())
            assert other_ward.mimetype == "application/problem+json"
            assert other_ward.get_json() == missing.get_json(), path
    db.session.expire_all()
    task = db.session.get(HumanTask, task_id)
    assert (task.status, task.assignee_id) == ("open", staff["caseworker"].id)


def _page_calls(case_id: int, task_id: int):
    return [
        ("GET", f"/cases/{case_id}", None), ("GET", f"/cases/{case_id}/notice", None),
        ("GET", f"/tasks/{task_id}", None), ("POST", f"/tasks/{task_id}", form_post(sample("intake", DAY))),
        ("POST", f"/cases/{case_id}/actions/record_progress", form_post(sample("progress_note", DAY))),
        ("POST", f"/cases/{case_id}/reassign", {"assignee": "1", "reason": "x"}),
        ("POST", f"/cases/{case_id}/tasks/{task_id}/claim", None),
        ("POST", f"/cases/{case_id}/tasks/{task_id}/release", None),
        ("POST", f"/cases/{case_id}/tasks/{task_id}/take-over", None),
    ]


def _text(response, path: str) -> str:
    """The page without its CSRF token and its own address (the locale switch links back to it)."""
    return re.sub(r'name="csrf_token"[^>]*', "", response.get_data(as_text=True)).replace(path, "PATH")


def test_pages_answer_other_wards_ids_exactly_like_missing_ones(staff, login, make_user):
    case_id, task_id = _naka_case(login, staff)
    outsiders = [login(staff["other_ward_caseworker"]), login(make_user("lead_minami", "lead_worker", ward="minami"))]
    for client in outsiders:
        for (method, path, body), (_m, missing_path, _b) in zip(_page_calls(case_id, task_id),
                                                                _page_calls(MISSING, MISSING), strict=True):
            call = client.get if method == "GET" else client.post
            other_ward, missing = call(path, data=body), call(missing_path, data=body)
            assert other_ward.status_code == missing.status_code == 404, (path, other_ward.status_code)
            assert _text(other_ward, path) == _text(missing, missing_path), path
