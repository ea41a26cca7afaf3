"""支援会議 (Act art. 9): information on people not yet connected or not consenting, shared without
consent among named members bound by secrecy — never tax information.

A 支援会議 is not a case: its items name a household by a label, nothing here opens or touches a
case, and nothing is found by case search.  Only its members and the ward's lead workers and
section chiefs see it; anyone else gets "not found".  Every write and every read is an audit event
on the system chain (ids, sources and categories only: never the content).
"""

from __future__ import annotations

from datetime import date, datetime

from app import audit_chain as audit
from app.access.switches import mask_nhi_as_tax
from app.clock import now
from app.codes import SECTIONS, SUPPORT_MEETING_ITEM_CATEGORIES, WARDS
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import StaffTask, SupportMeeting, SupportMeetingItem, SupportMeetingMember, User

CONVENER_ROLES = {"lead_worker", "section_chief"}
TAX_REFUSAL = "税務情報は本人同意なく支援会議で共有できません（地方税法第22条）"


# -- who ----------------------------------------------------------------------------------------
def can_convene(user: User, ward: str | None) -> bool:
    return bool(ward) and user.ward == ward and bool(user.roles & CONVENER_ROLES)


def can_view(user: User, meeting: SupportMeeting) -> bool:
    if can_convene(user, meeting.ward):
        return True
    return any(m.user_id == user.id for m in meeting.members)


def meetings_for(user: User) -> list[SupportMeeting]:
    """The meetings the user may open: as a member, or as a lead worker / section chief of the ward."""
    query = db.session.query(SupportMeeting)
    member_of = db.session.query(SupportMeetingMember.meeting_id).filter(SupportMeetingMember.user_id == user.id)
    if user.roles & CONVENER_ROLES and user.ward:
        query = query.filter((SupportMeeting.ward == user.ward) | SupportMeeting.id.in_(member_of))
    else:
        query = query.filter(SupportMeeting.id.in_(member_of))
    return query.order_by(SupportMeeting.held_on.desc(), SupportMeeting.id.desc()).all()


def _visible(user: User, meeting_id: int) -> SupportMeeting:
    meeting = db.session.get(SupportMeeting, meeting_id)
    if meeting is None or not can_view(user, meeting):
        raise NotFound("支援会議が見つかりません")  # its existence is not revealed either
    return meeting


# -- input --------------------------------------------------------------------------------------
def _text(value, field: str, limit: int, errors: dict, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.setdefault(field, []).append("入力してください")
        return None
    if not isinstance(value, str):
        errors.setdefault(field, []).append("文字列で指定してください")
        return None
    if len(value) > limit:
        errors.setdefault(field, []).append(f"{limit}文字以内で入力してください")
        return None
    return value.strip()


def _date(value, field: str, errors: dict) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append("日付は YYYY-MM-DD で指定してください")
        return None


def _datetime(value, field: str, errors: dict) -> datetime | None:
    if value is None or value == "":
        return now()
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append("日時は ISO 8601 で指定してください")
        return None
    if parsed.tzinfo is None:
        errors.setdefault(field, []).append("日時にはタイムゾーンを付けてください")
        return None
    return parsed


def _member_rows(members, acknowledgements, errors: dict) -> list[dict]:
    """Members with each one's acknowledgement; a member without one is refused (naming the field)."""
    if not isinstance(members, list) or not members:
        errors.setdefault("members", []).append("構成員を1人以上指定してください")
        return []
    if not isinstance(acknowledgements, list):
        errors.setdefault("acknowledgements", []).append("構成員ごとの守秘義務の確認を指定してください")
        return []
    acknowledged = {}
    for ack in acknowledgements:
        if not isinstance(ack, dict) or not isinstance(ack.get("name"), str):
            errors.setdefault("acknowledgements", []).append("確認は {name, acknowledged_at} で指定してください")
            return []
        acknowledged[ack["name"].strip()] = _datetime(ack.get("acknowledged_at"), "acknowledgements", errors)
    rows = []
    for member in members:
        if not isinstance(member, dict):
            errors.setdefault("members", []).append("構成員は {name, agency, user?} で指定してください")
            return []
        name = _text(member.get("name"), "members", 100, errors)
        agency = _text(member.get("agency"), "members", 200, errors)
        user = None
        if member.get("user") not in (None, ""):
            user = db.session.query(User).filter_by(username=str(member["user"])).one_or_none()
            if user is None:
                errors.setdefault("members", []).append(f"職員 {member['user']} はいません")
        if name is None or agency is None:
            continue
        if name not in acknowledged:
            errors.setdefault("acknowledgements", []).append(f"{name} の守秘義務の確認がありません")
            continue
        rows.append({"name": name, "agency": agency, "user_id": user.id if user else None,
                     "acknowledged_at": acknowledged[name]})
    return rows


# -- writes -------------------------------------------------------------------------------------
def convene(actor: User, ward, held_on, members, acknowledgements) -> SupportMeeting:
    if not actor.roles & CONVENER_ROLES:
        raise Forbidden("支援会議を開催できるのは区の主任相談支援員・係長だけです")
    if not isinstance(ward, str) or ward not in WARDS:
        raise ValidationFailed({"ward": ["区を指定してください"]})
    if not can_convene(actor, ward):
        raise Forbidden("支援会議を開催できるのは自分の区だけです")
    errors: dict[str, list[str]] = {}
    held = _date(held_on, "held_on", errors)
    rows = _member_rows(members, acknowledgements, errors)
    if errors:
        raise ValidationFailed(errors)
    meeting = SupportMeeting(ward=ward, held_on=held, convened_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    audit.record_system_event("support_meeting_convened", actor.id, support_meeting_id=meeting.id, ward=ward,
                              held_on=held.isoformat(), members=len(rows))
    for row in rows:
        member = SupportMeetingMember(meeting_id=meeting.id, **row)
        db.session.add(member)
        db.session.flush()
        audit.record_system_event("support_meeting_member_acknowledged", actor.id, support_meeting_id=meeting.id,
                                  member_id=member.id, user_id=row["user_id"],
                                  acknowledged_at=row["acknowledged_at"].isoformat())
    db.session.commit()
    return meeting


def refused_source(source: str) -> bool:
    """Tax information, and NHI premium arrears while they are treated like tax, never go to a 支援会議."""
    return source == "tax" or (source == "nhi" and mask_nhi_as_tax())


def add_item(actor: User, meeting_id: int, source_agency, category, content, household_label) -> SupportMeetingItem:
    meeting = _visible(actor, meeting_id)
    errors: dict[str, list[str]] = {}
    if not isinstance(source_agency, str) or source_agency not in SECTIONS:
        errors["source_agency"] = [f"情報の出どころを選んでください（{', '.join(SECTIONS)}）"]
    elif refused_source(source_agency):
        audit.record_system_event("support_meeting_item_refused", actor.id, support_meeting_id=meeting.id,
                                  source_agency=source_agency)
        db.session.commit()  # the refusal itself stays on record
        raise ValidationFailed({"source_agency": [TAX_REFUSAL]}, message=TAX_REFUSAL)
    if not isinstance(category, str) or category not in SUPPORT_MEETING_ITEM_CATEGORIES:
        errors["category"] = [f"区分を選んでください（{', '.join(SUPPORT_MEETING_ITEM_CATEGORIES)}）"]
    text = _text(content, "content", 4000, errors)
    label = _text(household_label, "household_label", 100, errors)
    if errors:
        raise ValidationFailed(errors)
    item = SupportMeetingItem(meeting_id=meeting.id, source_agency=source_agency, category=category, content=text,
                              household_label=label, created_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    audit.record_system_event("support_meeting_item_added", actor.id, support_meeting_id=meeting.id,
                              item_id=item.id, source_agency=source_agency, category=category)
    db.session.commit()
    return item


def agree_action(actor: User, meeting_id: int, assignee, title, due_on) -> StaffTask:
    """An agreed action (who reaches out, by when): a task for one staff member of the ward."""
    meeting = _visible(actor, meeting_id)
    errors: dict[str, list[str]] = {}
    user = db.session.query(User).filter_by(username=assignee).one_or_none() if isinstance(assignee, str) else None
    if user is None or not user.active or user.ward != meeting.ward:
        errors["assignee"] = ["担当する職員（この区の職員のユーザー名）を指定してください"]
    text = _text(title, "title", 1000, errors)
    due = _date(due_on, "due_on", errors)
    if errors:
        raise ValidationFailed(errors)
    task = StaffTask(ward=meeting.ward, kind="support_meeting_action", support_meeting_id=meeting.id, title=text,
                     due_on=due, assignee_id=user.id, created_by_id=actor.id)
    db.session.add(task)
    db.session.flush()
    audit.record_system_event("support_meeting_action_agreed", actor.id, support_meeting_id=meeting.id,
                              staff_task_id=task.id, assignee_id=user.id, due_on=due.isoformat())
    db.session.commit()
    return task


def record_minutes(actor: User, meeting_id: int, minutes) -> SupportMeeting:
    meeting = _visible(actor, meeting_id)
    errors: dict[str, list[str]] = {}
    text = _text(minutes, "minutes", 20000, errors)
    if errors:
        raise ValidationFailed(errors)
    meeting.minutes = text
    audit.record_system_event("support_meeting_minutes_recorded", actor.id, support_meeting_id=meeting.id)
    db.session.commit()
    return meeting


# -- reads --------------------------------------------------------------------------------------
def open_meeting(actor: User, meeting_id: int) -> SupportMeeting:
    """The meeting for one who may see it; the read is an audit event."""
    meeting = _visible(actor, meeting_id)
    audit.record_system_event("support_meeting_viewed", actor.id, support_meeting_id=meeting.id)
    db.session.commit()
    return meeting


def actions_of(meeting: SupportMeeting) -> list[StaffTask]:
    return (db.session.query(StaffTask).filter_by(support_meeting_id=meeting.id)
            .order_by(StaffTask.due_on, StaffTask.id).all())


def describe(meeting: SupportMeeting) -> dict:
    return {
        "support_meeting_id": meeting.id,
        "ward": meeting.ward,
        "held_on": meeting.held_on.isoformat(),
        "confidential": True,  # 非公開
        "members": [{"name": m.name, "agency": m.agency, "user_id": m.user_id,
                     "acknowledged_at": m.acknowledged_at.isoformat()} for m in meeting.members],
        "items": [{"item_id": i.id, "source_agency": i.source_agency, "category": i.category, "content": i.content,
                   "household_label": i.household_label} for i in meeting.items],
        "actions": [{"task_id": t.id, "assignee_id": t.assignee_id, "title": t.title,
                     "due_on": t.due_on.isoformat(), "status": t.status} for t in actions_of(meeting)],
        "minutes": meeting.minutes,
    }
