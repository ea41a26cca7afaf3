"""The meetings over the API: 支援会議, 個別支援調整会議 sessions, 定例支援調整会議 packs."""

from __future__ import annotations

from app.access import access_rule
from app.access.privacy import no_case_data
from app.services.meetings import support_meetings

from .auth import current_api_user
from .blueprint import bp, json_body

SUPPORT_MEETING_DATA = "支援会議: household labels only, no case; its own access rule"


@bp.post("/support-meetings")
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def convene_support_meeting():
    body = json_body({"ward", "held_on", "members", "acknowledgements"})
    meeting = support_meetings.convene(current_api_user(), body.get("ward"), body.get("held_on"),
                                       body.get("members"), body.get("acknowledgements"))
    return support_meetings.describe(meeting), 201


@bp.get("/support-meetings/<int:meeting_id>")
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def show_support_meeting(meeting_id: int):
    return support_meetings.describe(support_meetings.open_meeting(current_api_user(), meeting_id))


@bp.post("/support-meetings/<int:meeting_id>/items")
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def add_support_meeting_item(meeting_id: int):
    body = json_body({"source_agency", "category", "content", "household_label"})
    item = support_meetings.add_item(current_api_user(), meeting_id, body.get("source_agency"), body.get("category"),
                                     body.get("content"), body.get("household_label"))
    return {"item_id": item.id, "source_agency": item.source_agency, "category": item.category}, 201


@bp.post("/support-meetings/<int:meeting_id>/actions")
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def agree_support_meeting_action(meeting_id: int):
    body = json_body({"assignee", "title", "due_on"})
    task = support_meetings.agree_action(current_api_user(), meeting_id, body.get("assignee"), body.get("title"),
                                         body.get("due_on"))
    return {"task_id": task.id, "assignee_id": task.assignee_id, "due_on": task.due_on.isoformat()}, 201


@bp.post("/support-meetings/<int:meeting_id>/minutes")
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def record_support_meeting_minutes(meeting_id: int):
    body = json_body({"minutes"})
    meeting = support_meetings.record_minutes(current_api_user(), meeting_id, body.get("minutes"))
    return support_meetings.describe(meeting)
