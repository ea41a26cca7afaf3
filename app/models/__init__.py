"""Every model, re-exported for Alembic and the shell."""

from .audit import AuditEvent
from .case import Case, Closure
from .consent import Consent
from .cover import CoverAssignment
from .data_item import DataItem
from .deadline import ClosedDay, DeadlineRule
from .household import Household, HouseholdMember
from .idempotency import IdempotencyRecord
from .meeting_session import MeetingSession, MeetingSessionCase
from .notice import Notice, NoticeSeries
from .notification import Notification, TimerIncident
from .person import Person
from .plan import CoordinationMeeting, PlanVersion, ProgressNote, ServiceRecord, SupportDecision
from .privacy import PrivacySetting, RiskFlag, RiskReferral
from .process import ProcessDraft, ProcessVersion
from .programs import (
    ArrearsItem,
    BudgetTable,
    ChildReferral,
    Inquiry,
    PersonFlags,
    ServiceEligibility,
    ShelterExtension,
    ShelterStay,
)
from .ratelimit import RateLimitCounter
from .referral_receipt import ReferralReceipt
from .regular_meeting import RegularMeeting
from .rules import RuleVersion
from .staff_task import StaffTask
from .statistics import Outcome, StatFact, StatTarget, WardPopulation
from .submission import FormSubmission
from .support_meeting import SupportMeeting, SupportMeetingItem, SupportMeetingMember
from .task import HumanTask, TaskDraft
from .token import ApiToken
from .user import User

__all__ = [
    "ApiToken",
    "ArrearsItem",
    "AuditEvent",
    "BudgetTable",
    "Case",
    "ChildReferral",
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
    "Inquiry",
    "Notice",
    "NoticeSeries",
    "Notification",
    "Person",
    "PersonFlags",
    "PlanVersion",
    "PrivacySetting",
    "ProcessDraft",
    "ProcessVersion",
    "ProgressNote",
    "ReferralReceipt",
    "RiskFlag",
    "RiskReferral",
    "RuleVersion",
    "ServiceEligibility",
    "ServiceRecord",
    "ShelterExtension",
    "ShelterStay",
    "SupportDecision",
    "RateLimitCounter",
    "TaskDraft",
    "TimerIncident",
    "User",
    "StaffTask",
    "MeetingSession",
    "MeetingSessionCase",
    "SupportMeeting",
    "SupportMeetingItem",
    "SupportMeetingMember",
    "RegularMeeting",
    "Outcome",
    "StatFact",
    "StatTarget",
    "WardPopulation",
]
