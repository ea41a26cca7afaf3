"""Every model, re-exported for Alembic and the shell."""

from .audit import AuditEvent
from .case import Case, Closure
from .consent import Consent
from .cover import CoverAssignment
from .data_item import DataItem
from .deadline import ClosedDay, DeadlineRule
from .household import Household, HouseholdMember
from .idempotency import IdempotencyRecord
from .notice import Notice, NoticeSeries
from .notification import Notification, TimerIncident
from .person import Person
from .plan import CoordinationMeeting, PlanVersion, ProgressNote, ServiceRecord, SupportDecision
from .privacy import PrivacySetting, RiskFlag, RiskReferral
from .process import ProcessDraft, ProcessVersion
from .referral_receipt import ReferralReceipt
from .rules import RuleVersion
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
    "Consent",
    "CoordinationMeeting",
    "CoverAssignment",
    "DataItem",
    "DeadlineRule",
    "FormSubmission",
    "Household",
    "HouseholdMember",
    "HumanTask",
    "IdempotencyRecord",
    "Notice",
    "NoticeSeries",
    "Notification",
    "Person",
    "PlanVersion",
    "PrivacySetting",
    "ProcessDraft",
    "ProcessVersion",
    "ProgressNote",
    "ReferralReceipt",
    "RiskFlag",
    "RiskReferral",
    "RuleVersion",
    "ServiceRecord",
    "SupportDecision",
    "TaskDraft",
    "TimerIncident",
    "User",
]
