"""Meeting pages: 支援会議, 個別支援調整会議 sessions and 定例支援調整会議 packs (views stay thin)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.access import access_rule
from app.access.privacy import no_case_data
from app.codes import SECTIONS, SUPPORT_MEETING_ITEM_CATEGORIES
from app.errors import ServiceError, ValidationFailed
from app.services.meetings import support_meetings

bp = Blueprint("meetings", __name__)
SUPPORT_MEETING_DATA = "支援会議: household labels only, no case; its own access rule"


def _field_errors(exc: ServiceError) -> dict[str, list[str]]:
    return getattr(exc, "errors", None) or {"": [exc.message]}


# -- 支援会議 ------------------------------------------------------------------------------------
@bp.get("/support-meetings")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_index():
    return render_template("meetings/support_index.html", meetings=support_meetings.meetings_for(current_user),
                           may_convene=support_meetings.can_convene(current_user, current_user.ward))


def _members_from_form() -> tuple[list[dict], list[dict]]:
    """Member rows of the form (name, agency, staff user name, acknowledged)."""
    members, acknowledgements = [], []
    for i in range(int(request.form.get("member_rows", "0") or 0)):
        name = request.form.get(f"member_{i}_name", "").strip()
        if not name:
            continue
        members.append({"name": name, "agency": request.form.get(f"member_{i}_agency", ""),
                        "user": request.form.get(f"member_{i}_user") or None})
        if request.form.get(f"member_{i}_acknowledged"):
            acknowledgements.append({"name": name})
    return members, acknowledgements


@bp.route("/support-meetings/new", methods=["GET", "POST"])
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_new():
    if not support_meetings.can_convene(current_user, current_user.ward):
        abort(403)
    rows = 6
    if request.method == "GET":
        return render_template("meetings/support_new.html", rows=rows, errors={}, values={})
    members, acknowledgements = _members_from_form()
    try:
        meeting = support_meetings.convene(current_user, current_user.ward, request.form.get("held_on"), members,
                                           acknowledgements)
    except ValidationFailed as exc:
        return render_template("meetings/support_new.html", rows=rows, errors=exc.errors, values=request.form), 422
    flash(_("支援会議を登録しました（非公開）"))
    return redirect(url_for("meetings.support_show", meeting_id=meeting.id)), 303


@bp.get("/support-meetings/<int:meeting_id>")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_show(meeting_id: int):
    meeting = support_meetings.open_meeting(current_user, meeting_id)
    return _support_page(meeting, {})


def _support_page(meeting, errors: dict, status: int = 200):
    return render_template("meetings/support_show.html", meeting=meeting, errors=errors,
                           actions=support_meetings.actions_of(meeting), sections=SECTIONS,
                           categories=SUPPORT_MEETING_ITEM_CATEGORIES), status


@bp.post("/support-meetings/<int:meeting_id>/<any(items, actions, minutes):part>")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_add(meeting_id: int, part: str):
    form = request.form
    try:
        if part == "items":
            support_meetings.add_item(current_user, meeting_id, form.get("source_agency"), form.get("category"),
                                      form.get("content"), form.get("household_label"))
        elif part == "actions":
            support_meetings.agree_action(current_user, meeting_id, form.get("assignee"), form.get("title"),
                                          form.get("due_on"))
        else:
            support_meetings.record_minutes(current_user, meeting_id, form.get("minutes"))
    except ValidationFailed as exc:
        meeting = support_meetings.open_meeting(current_user, meeting_id)
        return _support_page(meeting, exc.errors, 422)
    flash(_("記録しました"))
    return redirect(url_for("meetings.support_show", meeting_id=meeting_id)), 303
