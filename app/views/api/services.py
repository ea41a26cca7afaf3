"""Statutory services of a case: its support decisions and shelter stays."""

from __future__ import annotations

from flask import jsonify

from app.access import access_rule
from app.access.privacy import privacy_door
from app.programs import reads

from .auth import current_api_user
from .blueprint import bp


@bp.get("/cases/<int:case_id>/services")
@access_rule("case_view")
@privacy_door("api_services")
def list_services(case_id: int):
    return jsonify(reads.services_for(current_api_user(), case_id))


@bp.get("/cases/<int:case_id>/shelter")
@access_rule("case_view")
@privacy_door("api_services")
def list_shelter_stays(case_id: int):
    return jsonify(reads.shelter_for(current_api_user(), case_id))


@bp.get("/cases/<int:case_id>/budget")
@access_rule("case_view")
@privacy_door("api_budget")
def show_budget(case_id: int):
    return reads.budget_for(current_api_user(), case_id)


@bp.get("/cases/<int:case_id>/child-referrals")
@access_rule("case_view")
@privacy_door("api_child")
def list_child_referrals(case_id: int):
    return jsonify(reads.child_referrals_for(current_api_user(), case_id))
