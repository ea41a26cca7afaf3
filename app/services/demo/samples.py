"""Valid example submissions per form key, with only contract fields.

Used by `tsunagi demo`, the benchmarks and the tests: a client sending only these
fields must be able to complete every task.
"""

from __future__ import annotations

from datetime import date, timedelta


def sample(form_key: str, day: date, **overrides) -> dict:
    d = day.isoformat
    later = (day + timedelta(days=30)).isoformat()
    samples = {
        "intake": {
            "received_on": d(), "method": "visit", "route": "self", "via_slip": False,
            "person_name": "横浜 花子", "person_kana": "ヨコハマ ハナコ", "birth_date": "1978-06-15",
            "address": "横浜市中区港町1-1", "worries": ["income", "job_search"], "urgency": "medium",
            "screening_result": "continue_support", "applied": True, "consent_scopes": ["support_agencies"],
        },
        "assessment": {
            "likely_public_assistance": False, "issues": ["hardship", "job_search_difficulty"],
            "suicide_risk": "none", "household_size": 1, "monthly_income": 80000, "assets": 50000,
            "rent": 52000, "summary": "離職後、家賃の支払いが滞っている。就労意欲はある。",
        },
        "plan": {
            "overall_goal": "安定した仕事に就き、家計を立て直す",
            "statutory_services": ["household_budget", "work_readiness"],
            "employment_support_target": True, "plan_from": d(), "plan_to": (day + timedelta(days=180)).isoformat(),
            "next_monitoring_on": later, "signed_by_person": True,
        },
        "coordination_meeting": {
            "held_on": d(), "attendees": ["person", "caseworker", "lead_worker"], "decision": "approve",
        },
        "service_record": {"service": "household_budget", "started_on": d(), "status": "ongoing"},
        "monitoring": {
            "contact_on": d(), "contact_made": True, "progress": "求職活動を継続中", "replan_needed": False,
            "next_monitoring_on": later,
        },
        "evaluation": {"goals_result": "achieved", "outcome": "close", "closure_reason": "goal_achieved"},
        "pa_handoff": {
            "consent_to_share": True, "handed_over_at": f"{d()}T10:00:00+09:00", "application_received": True,
            "note": "同日、生活保護担当へ同行",
        },
        "closure": {"closed_on": d(), "closure_reason": "person_request"},
        "progress_note": {"recorded_on": d(), "kind": "interview", "content": "面談で近況を確認した"},
        "contact_attempt": {"attempted_on": d(), "kind": "phone", "contact_made": False, "note": "電話に応答なし"},
        "suspension_decision": {"decided_on": d(), "contact_made": False, "reason": "60日間連絡がとれないため中断"},
    }
    data = dict(samples[form_key])
    data.update(overrides)
    return data
