"""評価 (evaluation): after the plan period (or 90 days without contact), proposes closing or re-planning.

The coordination meeting that follows decides (meeting.py, `closure_meeting`); the evaluation closes
nothing.  Proposing closure for 連絡途絶 is a supervisor's call (the ladder's evaluation task).
"""

from __future__ import annotations

from app.engine import UserTaskInfo
from app.errors import ValidationFailed

from . import programs
from .deadlines import task_due_on
from .kinds import HandlerResult, StepKind

SUPERVISOR_ROLES = {"lead_worker", "section_chief"}


def record_evaluation(step, task, submission, data: dict) -> HandlerResult:
    if data.get("outcome") == "close" and data.get("closure_reason") == "lost_contact":
        if task is None or not task.roles & SUPERVISOR_ROLES:
            raise ValidationFailed({"closure_reason": [
                "連絡途絶による終結は、主任相談支援員または係長の判断（連絡途絶の評価）でのみ選べます"]})
    programs.support_ending(step)  # a 就労準備 term review still open lapses
    return HandlerResult()


def prefill_evaluation(info: UserTaskInfo) -> dict:
    if info.bpmn_id == "evaluation_no_response":  # after 90 days without contact
        return {"goals_result": "not_assessable"}
    return {}


def evaluation_due_on(info: UserTaskInfo, ward: str | None):
    """Due a set time after the plan period ends (or on the ladder's evaluation date)."""
    return task_due_on(info.bpmn_id, info.form_key, info.data, ward)


KINDS = (StepKind("evaluation", handle=record_evaluation, due_on=evaluation_due_on, prefill=prefill_evaluation),)
