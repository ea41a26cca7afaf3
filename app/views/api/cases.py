"""Referrals, cases, case actions, case events, reassignment and cover."""

from __future__ import annotations

from datetime import date

from flask import request

from app.access import access_rule
from app.errors import ValidationFailed
from app.services.audit.events import case_events
from app.services.cases import search as case_search
from app.services.cases.actions import available_actions, run_action
from app.services.cases.opening import get_case_for, open_tasks, start_case
from app.services.cases.reads import record_case_view
from app.services.intake import referrals as referral_intake
from app.services.privacy import masking
from app.services.staff import assignment

from .auth import current_api_user
from .blueprint import bp, data_of, idempotent, json_body, text_member
from .intake import slip_created
from .serializers import case_detail, event, step_answer, task_summary


def _text(body: dict, name: str, required: bool = True) -> str | None:
    value = text_member(body, name, required)
    if value is not None and not value.strip():
        raise ValidationFailed({name: [f"{name} を文字列で指定してください"]})
    return value


def _date(body: dict, name: str) -> date:
    try:
        return date.fromisoformat(_text(body, name))
    except ValueError as exc:
        raise ValidationFailed({name: ["日付は YYYY-MM-DD で指定してください"]}) from exc


@bp.post("/referrals")
@access_rule("referral_submit")
def submit_referral():
    body = json_body({"ward", "data"})
    # A retry with the same Idempotency-Key gives back the first receipt (one episode).
    receipt, replayed = referral_intake.submit_referral(_text(body, "ward", required=False), data_of(body),
                                                        current_api_user(), request.headers.get("Idempotency-Key"))
    return slip_created(receipt, replayed)


@bp.get("/referrals/<int:referral_id>")
@access_rule("referral_view")
def show_referral(referral_id: int):
    return referral_intake.referral_status(referral_id, current_api_user())


@bp.post("/cases")
@access_rule("case_open")
def open_case():
    body = json_body({"ward"})
    user = current_api_user()
    ward = _text(body, "ward", required=False) or user.ward or ""
    # A retry with the same Idempotency-Key gets the first answer back (one case).
    return idempotent(body, 201, lambda before_commit: start_case(ward, user, before_commit=before_commit),
                      lambda case: {"case_id": case.id})


@bp.get("/cases")
@access_rule("case_search")
def search_cases():
    return {"results": [{**result, "opened_on": result["opened_on"].isoformat()}
                        for result in case_search.search_cases(current_api_user(), request.args.get("q", ""))]}


@bp.get("/cases/<int:case_id>")
@access_rule("case_view")
def show_case(case_id: int):
    user = current_api_user()
    case = get_case_for(user, case_id)
    viewer = masking.viewer_for(user, case)
    record_case_view(user, case, "api_case", basis=viewer.basis)
    return {**case_detail(case, masking.visible_tasks(viewer, open_tasks(case)), available_actions(case, user)),
            **masking.case_data_json(viewer)}


@bp.post("/cases/<int:case_id>/actions/<action>")
@access_rule("case_action")
def run_case_action(case_id: int, action: str):
    body = json_body({"data"})
    data, user = data_of(body), current_api_user()
    return idempotent(body, 200, lambda before_commit: run_action(case_id, action, data, user, before_commit),
                      step_answer)


@bp.get("/cases/<int:case_id>/events")
@access_rule("case_history")
def list_case_events(case_id: int):
    user = current_api_user()
    events = case_events(case_id, user)
    case = get_case_for(user, case_id)
    viewer = masking.viewer_for(user, case)
    shown = []
    for item in events:
        data = masking.mask_event_data(viewer, item.event_type, item.data)
        if data is not None:
            shown.append({**event(item), "data": data})
    record_case_view(user, case, "api_events", basis=viewer.basis)
    return shown


@bp.post("/cases/<int:case_id>/reassign")
@access_rule("case_reassign")
def reassign_case(case_id: int):
    body = json_body({"assignee", "reason"})
    target = assignment.find_user(_text(body, "assignee"))
    case = assignment.reassign_case(case_id, target, _text(body, "reason"), current_api_user())
    return {"case_id": case.id, "state": case.state, "assigned_to": case.assigned_to.username,
            "open_tasks": [task_summary(t) for t in open_tasks(case)]}


@bp.post("/covers")
@access_rule("cover_set")
def set_cover():
    body = json_body({"absent_user", "cover_user", "starts_on", "ends_on", "reason"})
    cover = assignment.set_cover(
        assignment.find_user(_text(body, "absent_user")), assignment.find_user(_text(body, "cover_user")),
        _date(body, "starts_on"), _date(body, "ends_on"), _text(body, "reason"), current_api_user(),
    )
    return {"cover_id": cover.id, "absent_user": cover.absent_user.username, "cover_user": cover.cover_user.username,
            "starts_on": cover.starts_on.isoformat(), "ends_on": cover.ends_on.isoformat()}, 201


@bp.post("/covers/<int:cover_id>/end")
@access_rule("cover_set")
def end_cover(cover_id: int):
    cover = assignment.end_cover(cover_id, current_api_user())
    return {"cover_id": cover.id, "ended": True}
