"""Every model, re-exported for Alembic and the shell."""

from .audit import AuditEvent
from .case import Case, Closure
from .person import Person
from .plan import CoordinationMeeting, PlanVersion, ProgressNote, ServiceRecord, SupportDecision
from .process import ProcessVersion
from .submission import FormSubmission
from .task import HumanTask, TaskDraft
from .user import User

__all__ = [
    "AuditEvent",
    "Case",
    "Closure",
    "CoordinationMeeting",
    "FormSubmission",
    "HumanTask",
    "Person",
    "PlanVersion",
    "ProcessVersion",
    "ProgressNote",
    "ServiceRecord",
    "SupportDecision",
    "TaskDraft",
    "User",
]
