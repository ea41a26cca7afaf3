"""Intake from every route: slips, consents, households, re-consultation."""

from __future__ import annotations

from datetime import date

from flask import request

from app.access import access_rule
from app.errors import ValidationFailed
from app.services.intake import consents, episodes, households
from app.services.intake import referrals as referral_intake

from .auth import current_api_user
from .blueprint import bp, data_of, json_body, text_member


def _optional_date(body: dict, name: str) -> date | None:
    value = text_member(body, name, required=False)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed({name: ["日付は YYYY-MM-DD で指定してください"]}) from exc


@bp.get("/referrals")
@access_rule("referral_submit")
def list_referrals():
    """The caller's own slips, each with only what the reply scope allows."""
    return [referral_intake.status_of(r) for r in referral_intake.sent_by(current_api_user())]


@bp.post("/pa-slips")
@access_rule("pa_slip_submit")
def submit_pa_slip():
    body = json_body({"ward", "data"})
    receipt, replayed = referral_intake.submit_pa_slip(text_member(body, "ward", required=False), data_of(body),
                                                       current_api_user(), request.headers.get("Idempotency-Key"))
    return slip_created(receipt, replayed)


def slip_created(receipt, replayed: bool):
    """201 with the slip's and the case's ids; a replay of an Idempotency-Key says so in a header."""
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return {"referral_id": receipt.id, "case_id": receipt.case_id}, 201, headers


@bp.get("/cases/<int:case_id>/consents")
@access_rule("case_view")
def list_consents(case_id: int):
    case = households.case_for_person_records(current_api_user(), case_id)
    return [consents.describe(c) for c in consents.consents_of(case)]


@bp.post("/cases/<int:case_id>/consents/<int:consent_id>/withdraw")
@access_rule("case_action")
def withdraw_consent(case_id: int, consent_id: int):
    body = json_body({"withdrawn_on", "note"})
    consent = consents.withdraw_consent(case_id, consent_id, _optional_date(body, "withdrawn_on"),
                                        text_member(body, "note", required=False), current_api_user())
    return consents.describe(consent)


@bp.get("/cases/<int:case_id>/household")
@access_rule("case_view")
def show_household(case_id: int):
    case = households.case_for_person_records(current_api_user(), case_id)
    return [households.describe(m) for m in households.members_for(case)]


@bp.post("/cases/<int:case_id>/household/members")
@access_rule("case_action")
def add_household_member(case_id: int):
    body = json_body({"relation", "description"})
    member = households.add_member(case_id, text_member(body, "relation") or "",
                                   text_member(body, "description", required=False), current_api_user())
    return households.describe(member), 201


@bp.post("/cases/<int:case_id>/household/members/<int:member_id>/episode")
@access_rule("case_open")
def open_member_episode(case_id: int, member_id: int):
    case = households.start_member_episode(case_id, member_id, current_api_user())
    return {"case_id": case.id}, 201


@bp.post("/cases/<int:case_id>/reconsultation")
@access_rule("case_open")
def open_reconsultation(case_id: int):
    case = episodes.start_reconsultation(case_id, current_api_user())
    return {"case_id": case.id, "previous_case_id": case.previous_case_id}, 201
