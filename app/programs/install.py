"""Plugging the statutory programmes into the lifecycle: eligibility, 就労準備 terms, shelter stays,
protection flags.

``install()`` plugs each programme's handlers into the lifecycle's step pipeline (create_app
calls it); the programmes compute from rule tables (``rules``) and issue notices.
"""

from __future__ import annotations


def install() -> None:
    from app.lifecycle import programs as plug

    from . import child_support, decisions, eligibility, household_budget, protection, shelter, work_readiness

    plug.provide("eligibility", eligibility.record_eligibility)
    plug.provide("shelter_admission", shelter.admit)
    plug.provide("shelter_extension", shelter.extend)
    plug.provide("shelter_discharge", shelter.discharge)
    plug.provide("pa_start", shelter.public_assistance_started)
    plug.provide("person_flags", protection.set_flags)
    plug.provide("inquiry", protection.log_inquiry)
    plug.provide("work_readiness_review", work_readiness.review, after=work_readiness.after_review)
    plug.provide("budget_table", household_budget.record_budget)
    plug.provide("arrears", household_budget.record_arrears)
    plug.provide("child_referral", child_support.refer)
    plug.on_public_assistance(shelter.hand_over_to_public_assistance)
    plug.on_decided(decisions.confirm_decisions, after=decisions.after_meeting)
