"""Draft values of a task form, per user; a draft never becomes a record by itself."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.clock import now
from app.extensions import db
from app.models import HumanTask, TaskDraft, User


def load(task: HumanTask, user: User) -> dict:
    draft = db.session.query(TaskDraft).filter_by(human_task_id=task.id, user_id=user.id).first()
    return dict(draft.values) if draft else {}


def save(task: HumanTask, user: User, formdata: MultiDict) -> None:
    values = {key: (formdata.getlist(key) if len(formdata.getlist(key)) > 1 else formdata.get(key))
              for key in formdata.keys() if key not in ("csrf_token", "save_draft")}
    draft = db.session.query(TaskDraft).filter_by(human_task_id=task.id, user_id=user.id).first()
    if draft is None:
        draft = TaskDraft(human_task_id=task.id, user_id=user.id, values=values)
        db.session.add(draft)
    draft.values = values
    draft.saved_at = now()
    db.session.commit()


def as_formdata(values: dict) -> MultiDict:
    """Draft or prefill values as posted form data, so the form shows them as typed."""
    pairs = []
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                pairs.append((key, "y" if item is True else str(item)))
    return MultiDict(pairs)
