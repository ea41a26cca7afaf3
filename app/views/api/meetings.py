"""The meetings over the API: 支援会議, 個別支援調整会議 sessions, 定例支援調整会議 packs."""

from __future__ import annotations

from app.access import access_rule
from app.access.privacy import no_case_data, privacy_door
from app.errors import ValidationFailed
from app.services.meetings import regular_meetings, sessions, support_meetings

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


# -- 個別支援調整会議 sessions ---------------------------------------------------------------------
def _session_json(agenda: dict) -> dict:
    session = agenda["session"]
    return {
        "session_id": session.id, "ward": session.ward, "held_on": session.held_on.isoformat(), "place": session.place,
        "members": [m.username for m in agenda["members"]],
        "cases": [{
            "case_id": row["case_id"], "purpose": row["purpose"], "person_name": row["person_name"],
            "plan_version": row["plan"].number if row["plan"] else None,
            "data_items": [{"category": i["category"], "source": i["source"], "value": i["value"]}
                           for i in row["data_items"]],
            "decision": row["meeting"].decision if row["meeting"] else None,
            "closure_reason": row["meeting"].closure_reason if row["meeting"] else None,
        } for row in agenda["rows"]],
    }


@bp.post("/meeting-sessions")
@access_rule("meeting_session")
@no_case_data("answers the session: date, place, members")
def schedule_meeting_session():
    body = json_body({"ward", "held_on", "place", "members"})
    user = current_api_user()
    session = sessions.schedule(user, body.get("ward"), body.get("held_on"), body.get("place"), body.get("members"))
    return _session_json(sessions.agenda(user, session.id)), 201


@bp.get("/meeting-sessions/<int:session_id>")
@access_rule("meeting_session")
@privacy_door("meeting_pack")
def show_meeting_session(session_id: int):
    return _session_json(sessions.agenda(current_api_user(), session_id))


@bp.post("/meeting-sessions/<int:session_id>/cases")
@access_rule("meeting_session")
@no_case_data("answers the agenda row: case id")
def add_meeting_session_case(session_id: int):
    body = json_body({"case_id"})
    case_id = body.get("case_id")
    if not isinstance(case_id, int) or isinstance(case_id, bool):
        raise ValidationFailed({"case_id": ["case_id を整数で指定してください"]})
    row = sessions.add_case(current_api_user(), session_id, case_id)
    return {"session_id": session_id, "case_id": row.case_id, "task_id": row.human_task_id}, 201


@bp.post("/meeting-sessions/<int:session_id>/cases/<int:case_id>/minutes")
@access_rule("meeting_session")
@no_case_data("answers the case's state")
def record_meeting_session_minutes(session_id: int, case_id: int):
    body = json_body({"attendees", "person_absent", "person_absence_reason", "decision", "review_notes",
                      "requested_changes", "closure_reason", "follow_up_on", "role_assignments"})
    case = sessions.record_minutes(current_api_user(), session_id, case_id, body)
    return {"case_id": case.id, "state": case.state, "closure_reason": case.closure_reason}


# -- 定例支援調整会議 ---------------------------------------------------------------------------------
@bp.post("/regular-meetings")
@access_rule("regular_meeting")
@no_case_data("answers the meeting's id, ward and quarter")
def create_regular_meeting():
    body = json_body({"ward", "quarter", "held_on"})
    meeting = regular_meetings.create(current_api_user(), body.get("ward"), body.get("quarter"), body.get("held_on"))
    return {"regular_meeting_id": meeting.id, "ward": meeting.ward, "quarter": meeting.quarter,
            "held_on": meeting.held_on.isoformat(), "case_reviews": len(meeting.pack["case_reviews"])}, 201


@bp.get("/regular-meetings/<int:meeting_id>/pack")
@access_rule("regular_meeting")
@privacy_door("meeting_pack")
def show_regular_meeting_pack(meeting_id: int):
    _meeting, pack = regular_meetings.open_pack(current_api_user(), meeting_id, what="api")
    return pack


@bp.post("/regular-meetings/<int:meeting_id>/minutes")
@access_rule("regular_meeting")
@no_case_data("answers the pack's review verdicts")
def record_regular_meeting_minutes(meeting_id: int):
    body = json_body({"attending_agencies", "reviews", "resource_issues"})
    meeting = regular_meetings.record_minutes(current_api_user(), meeting_id, body.get("attending_agencies"),
                                              body.get("reviews"), body.get("resource_issues"))
    return {"regular_meeting_id": meeting.id, **meeting.minutes}
