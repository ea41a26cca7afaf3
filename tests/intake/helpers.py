"""Slips and intakes as pages and API clients send them."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import Case, Consent, DataItem, FormSubmission, HumanTask, Person, ReferralReceipt

DAY = date(2026, 11, 26)  # the FakeClock's day in Japan (a Thursday)


def slip(**overrides) -> dict:
    data = {
        "slip_date": DAY.isoformat(), "from_section": "tax", "from_staff": "中区税務課 山田",
        "person_name": "横浜 一郎", "person_kana": "ヨコハマ イチロウ", "phone": "045-000-0000",
        "consent_to_refer": True, "consent_scopes": ["identity", "reason", "arrears_detail", "reply"],
        "arrears_kind": "tax", "arrears_amount": 120000, "person_request": "生活費の相談をしたい",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def pa_slip(**overrides) -> dict:
    data = {
        "discontinued_on": DAY.isoformat(), "basis": "person_wish", "cw_contact": "生活支援課 内線123",
        "consent_given": True, "consent_given_on": DAY.isoformat(),
        "consent_scopes": ["identity", "assessment_summary", "support_points"],
        "person_name": "本牧 太郎", "person_kana": "ホンモク タロウ", "birth_date": "1970-04-01",
        "phone": "090-1111-2222", "assessment_summary": "就労により保護廃止。家計管理に不安がある。",
        "support_points": "月初の家計相談を希望",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def counts() -> dict:
    db.session.expire_all()
    return {model.__name__: db.session.query(model).count()
            for model in (Case, Person, Consent, DataItem, FormSubmission, HumanTask, ReferralReceipt)}
