"""個別支援調整会議 sessions: a chief's sitting that decides several cases.

A session has a date, a place and its staff members; cases waiting for a meeting decision in the
ward go on its agenda; the minutes for each case complete that case's meeting task (the same step
as the task page, so the decision, the plan's freezing and the closure happen exactly as there).
The agenda and minutes show each viewer only what a meeting may show to them: never the risk
flag, tax information only by consent, and for a member who does not otherwise see the case only
what their role may see.
"""

from __future__ import annotations

from datetime import date

from app import audit_chain as audit
from app.access.consents import scope_allowed
from app.access.privacy import CONTACT_SCOPES, ROLE_ITEMS
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    Case,
    CoordinationMeeting,
    HumanTask,
    MeetingSession,
    MeetingSessionCase,
    PlanVersion,
    User,
)
from app.services.cases.tasks import submit_task
from app.services.privacy import masking

HOLDER_ROLES = {"lead_worker", "section_chief"}
MEETING_FORM = "coordination_meeting"


# -- who ----------------------------------------------------------------------------------------
def can_hold(user: User, ward: str | None) -> bool:
    return bool(ward) and user.ward == ward and bool(user.roles & HOLDER_ROLES)


def can_read(user: User, session: MeetingSession) -> bool:
    return can_hold(user, session.ward) or user.id in (session.member_ids or [])


def _session_for(user: User, session_id: int, write: bool = False) -> MeetingSession:
    session = db.session.get(MeetingSession, session_id)
    if session is None or not can_read(user, session):
        raise NotFound("会議が見つかりません")
    if write and not can_hold(user, session.ward):
        raise Forbidden("会議を運営できるのは区の主任相談支援員・係長だけです")
    return session


def sessions_for(user: User) -> list[MeetingSession]:
    query = db.session.query(MeetingSession)
    if user.roles & HOLDER_ROLES and user.ward:
        query = query.filter(MeetingSession.ward == user.ward)
    else:
        return [s for s in query.order_by(MeetingSession.held_on.desc()).all() if user.id in (s.member_ids or [])]
    return query.order_by(MeetingSession.held_on.desc(), MeetingSession.id.desc()).all()


# -- writes -------------------------------------------------------------------------------------
def schedule(actor: User, ward: str | None, held_on, place, member_usernames) -> MeetingSession:
    if not can_hold(actor, ward):
        raise Forbidden("会議を設定できるのは区の主任相談支援員・係長だけです")
    errors: dict[str, list[str]] = {}
    try:
        held = held_on if isinstance(held_on, date) else date.fromisoformat(held_on)
    except (TypeError, ValueError):
        errors["held_on"] = ["日付は YYYY-MM-DD で指定してください"]
    if not isinstance(place, str) or not place.strip() or len(place) > 200:
        errors["place"] = ["開催場所を入力してください（200文字以内）"]
    names = [n for n in member_usernames if isinstance(n, str) and n.strip()] \
        if isinstance(member_usernames, list) else []
    members = db.session.query(User).filter(User.username.in_(names)).all() if names else []
    if not names or len(members) != len(set(names)):
        errors["members"] = ["出席する職員（ユーザー名）を指定してください"]
    if errors:
        raise ValidationFailed(errors)
    session = MeetingSession(ward=ward, held_on=held, place=place.strip(), member_ids=sorted(u.id for u in members),
                             created_by_id=actor.id)
    db.session.add(session)
    db.session.flush()
    audit.record_system_event("meeting_session_scheduled", actor.id, meeting_session_id=session.id, ward=ward,
                              held_on=held.isoformat(), member_ids=session.member_ids)
    db.session.commit()
    return session


def waiting_tasks(ward: str) -> list[HumanTask]:
    """Open meeting tasks of the ward that are on no session's agenda yet."""
    on_agenda = db.session.query(MeetingSessionCase.human_task_id)
    return (db.session.query(HumanTask)
            .filter(HumanTask.ward == ward, HumanTask.status == "open", HumanTask.form_key == MEETING_FORM,
                    HumanTask.id.not_in(on_agenda))
            .order_by(HumanTask.due_on, HumanTask.id).all())


def add_case(actor: User, session_id: int, case_id: int) -> MeetingSessionCase:
    session = _session_for(actor, session_id, write=True)
    task = next((t for t in waiting_tasks(session.ward) if t.case_id == case_id), None)
    if task is None:
        raise ValidationFailed({"case_id": ["この区で会議の決定を待っている相談ケースを選んでください"]})
    row = MeetingSessionCase(session_id=session.id, case_id=case_id, human_task_id=task.id)
    db.session.add(row)
    db.session.flush()
    audit.record_case_event(case_id, "meeting_session_case_added", actor.id, meeting_session_id=session.id,
                            task_id=task.id)
    db.session.commit()
    return row


def record_minutes(actor: User, session_id: int, case_id: int, minutes: dict) -> Case:
    """The minutes for one case: they complete its meeting task with the session's date."""
    session = _session_for(actor, session_id, write=True)
    row = next((r for r in session.cases if r.case_id == case_id), None)
    if row is None:
        raise NotFound("この会議の議題にない相談ケースです")
    if row.coordination_meeting_id is not None:
        raise Conflict("この相談ケースの議事録は記録済みです")
    raw = {**minutes, "held_on": session.held_on.isoformat()}

    def link(case: Case) -> None:
        meeting = (db.session.query(CoordinationMeeting).filter_by(case_id=case.id)
                   .order_by(CoordinationMeeting.id.desc()).first())
        row.coordination_meeting_id = meeting.id
        audit.record_case_event(case.id, "meeting_session_minutes_recorded", actor.id,
                                meeting_session_id=session.id, coordination_meeting_id=meeting.id)

    return submit_task(row.human_task_id, raw, actor, before_commit=link)


# -- what each attendee sees ----------------------------------------------------------------------
def agenda_viewer(user: User, case: Case) -> masking.Viewer:
    """What a meeting shows this user of the case: their own view, narrowed to what a meeting may show."""
    viewer = masking.viewer_for(user, case)
    if viewer.basis is None:  # a member who does not otherwise see the case: their role's items only
        items = frozenset().union(*(ROLE_ITEMS.get(role, set()) for role in user.roles))
        viewer = masking.Viewer(user, case, "meeting_member", items)
    return masking.for_task(viewer, MEETING_FORM)


def may_name(viewer: masking.Viewer) -> bool:
    """A member who does not otherwise see the case sees who it is only with the person's consent."""
    if viewer.basis != "meeting_member":
        return True
    return any(scope_allowed(viewer.case, CONTACT_SCOPES[role]) for role in viewer.user.roles if role in CONTACT_SCOPES)


def _plan(case: Case) -> PlanVersion | None:
    return db.session.query(PlanVersion).filter_by(case_id=case.id).order_by(PlanVersion.number.desc()).first()


def agenda(viewer_user: User, session_id: int) -> dict:
    """The session and its cases as this viewer may see them; reading it is audited on each case."""
    session = _session_for(viewer_user, session_id)
    rows = []
    for row in session.cases:
        case = row.case
        viewer = agenda_viewer(viewer_user, case)
        data = masking.case_data(viewer)
        plan = _plan(case)
        meeting = db.session.get(CoordinationMeeting, row.coordination_meeting_id) if row.coordination_meeting_id \
            else None
        rows.append({
            "case_id": case.id, "purpose": "closure" if row.task.bpmn_id == "closure_meeting" else "plan",
            "person_name": data["person"]["name"] if data["person"] and may_name(viewer) else None,
            "plan": plan, "data_items": data["data_items"], "recorded_values": data["recorded_values"],
            "meeting": meeting,
        })
        audit.record_case_read(case.id, "case_viewed", viewer_user.id, what="meeting_agenda",
                               basis=viewer.basis, meeting_session_id=session.id)
    members = db.session.query(User).filter(User.id.in_(session.member_ids or [])).order_by(User.id).all()
    db.session.commit()
    return {"session": session, "members": members, "rows": rows}
