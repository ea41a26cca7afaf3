"""Every model, re-exported for Alembic and the shell."""

from .audit import AuditEvent
from .case import Case, Closure
from .cover import CoverAssignment
from .deadline import ClosedDay, DeadlineRule
from .notification import Notification, TimerIncident
from .person import Person
from .plan import CoordinationMeeting, PlanVersion, ProgressNote, ServiceRecord, SupportDecision
from .process import ProcessDraft, ProcessVersion
from .referral_receipt import ReferralReceipt
from .submission import FormSubmission
from .task import HumanTask, TaskDraft
from .token import ApiToken
from .user import User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Case",
    "ClosedDay",
    "Closure",
    "CoordinationMeeting",
    "CoverAssignment",
    "DeadlineRule",
    "FormSubmission",
    "HumanTask",
    "Notification",
    "Person",
    "PlanVersion",
    "ProcessDraft",
    "ProcessVersion",
    "ProgressNote",
    "ReferralReceipt",
    "ServiceRecord",
    "SupportDecision",
    "TaskDraft",
    "TimerIncident",
    "User",
]
