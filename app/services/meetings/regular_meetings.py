"""定例支援調整会議: a ward's quarterly meeting with agencies outside the section, and its pack.

The pack is generated when the meeting is set up and kept as generated (what the committee saw):
the monthly figures of the statistics (per 100,000 next to the 目安値), closures by reason, and
the case reviews of plans first approved in the quarter.  A case is identified only when the
person's consent covers the regular meeting; otherwise it is anonymised (age band, household type,
a summary from coded data: no name, birth date, address or contact).  DV-, address-secrecy- and
risk-flagged cases appear only inside the counts.  Tax data is never in a pack.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import sqlalchemy as sa

from app import audit_chain as audit
from app.access.consents import scope_allowed
from app.access.flags import is_protected
from app.codes import ISSUES, REVIEW_VERDICTS, STATUTORY_SERVICES, label
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import Case, CoordinationMeeting, FormSubmission, PlanVersion, RegularMeeting, RiskFlag, User
from app.services.statistics.counting import monthly_rows

HOLDER_ROLES = {"lead_worker", "section_chief"}
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def can_hold(user: User, ward: str | None) -> bool:
    return bool(ward) and user.ward == ward and bool(user.roles & HOLDER_ROLES)


def quarter_months(quarter) -> list[str]:
    """Fiscal quarter → its months: 2027Q1 = 2027-04..06, 2027Q4 = 2028-01..03."""
    match = QUARTER.match(quarter) if isinstance(quarter, str) else None
    if match is None:
        raise ValidationFailed({"quarter": ["四半期は 2027Q1 の形（年度とQ1〜Q4）で指定してください"]})
    year, q = int(match.group(1)), int(match.group(2))
    first = 4 + 3 * (q - 1)
    return [f"{year + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(first, first + 3)]


def _month_bounds(months: list[str]) -> tuple[date, date]:
    start = date.fromisoformat(f"{months[0]}-01")
    y, m = map(int, months[-1].split("-"))
    end = date(y + (m == 12), m % 12 + 1, 1)
    return start, end


# -- who is reviewed ----------------------------------------------------------------------------
def excluded_from_case_reviews(case: Case) -> bool:
    """DV / address-secrecy (the person or their household) and risk-flagged cases: counts only."""
    if is_protected(case):
        return True
    flagged = sa.or_(RiskFlag.case_id == case.id, RiskFlag.person_id == case.person_id) if case.person_id \
        else RiskFlag.case_id == case.id
    return db.session.query(RiskFlag.id).filter(flagged).first() is not None


def _first_approvals(ward: str, start: date, end: date) -> list[tuple[Case, PlanVersion]]:
    """Cases of the ward whose plan was approved in the quarter (the latest such plan of each)."""
    rows = (db.session.query(Case, PlanVersion)
            .join(CoordinationMeeting, CoordinationMeeting.case_id == Case.id)
            .join(PlanVersion, PlanVersion.id == CoordinationMeeting.plan_version_id)
            .filter(Case.ward == ward, CoordinationMeeting.decision == "approve",
                    CoordinationMeeting.held_on >= start, CoordinationMeeting.held_on < end)
            .order_by(Case.id, PlanVersion.number).all())
    latest: dict[int, tuple[Case, PlanVersion]] = {}
    for case, plan in rows:
        latest[case.id] = (case, plan)
    return list(latest.values())


def _age_band(birth: date | None, on: date) -> str:
    if birth is None:
        return "不明"
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return "10代以下" if age < 20 else ("70代以上" if age >= 70 else f"{age // 10 * 10}代")


def _assessment(case: Case) -> dict:
    row = (db.session.query(FormSubmission).filter_by(case_id=case.id, form_key="assessment")
           .order_by(FormSubmission.id.desc()).first())
    return row.data if row is not None else {}


def _household_type(size) -> str:
    if not isinstance(size, int):
        return "不明"
    return "単身世帯" if size == 1 else f"{size}人世帯"


def _review(number: int, case: Case, plan: PlanVersion, end: date) -> dict:
    assessment = _assessment(case)
    services = "、".join(label(STATUTORY_SERVICES, s) for s in plan.statutory_services) or "法定事業なし"
    issues = "、".join(label(ISSUES, i) for i in (assessment.get("issues") or []) if i in ISSUES)
    months = max(1, round((plan.plan_to - plan.plan_from).days / 30))
    summary = f"課題：{issues or '—'}／支援：{services}／プラン第{plan.number}版・約{months}か月"
    review = {"review_id": f"R{number}", "identified": scope_allowed(case, "regular_meeting"),
              "age_band": _age_band(case.person.birth_date if case.person else None, end),
              "household_type": _household_type(assessment.get("household_size")), "summary": summary}
    if review["identified"]:
        review["name"] = case.person.name if case.person else None
        review["summary"] = f"{summary}／目標：{plan.overall_goal}"
    return review


def build_pack(ward: str, quarter: str) -> dict:
    months = quarter_months(quarter)
    start, end = _month_bounds(months)
    monthly = monthly_rows([ward], months[0], months[-1])
    closures: Counter = Counter()
    for row in monthly:
        closures.update(row.get("closures_by_reason") or {})
    reviewed = [(case, plan) for case, plan in _first_approvals(ward, start, end)
                if not excluded_from_case_reviews(case)]
    return {
        "ward": ward, "quarter": quarter, "months": months,
        "monthly": monthly,
        "closures_by_reason": dict(sorted(closures.items())),
        "case_reviews": [_review(i + 1, case, plan, end) for i, (case, plan) in enumerate(reviewed)],
        "resource_issues": [],
    }


# -- writes and reads ---------------------------------------------------------------------------
def create(actor: User, ward, quarter, held_on) -> RegularMeeting:
    if not isinstance(ward, str) or not can_hold(actor, ward):
        raise Forbidden("定例支援調整会議を設定できるのは区の主任相談支援員・係長だけです")
    errors: dict[str, list[str]] = {}
    try:
        quarter_months(quarter)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        held = date.fromisoformat(held_on) if isinstance(held_on, str) else None
    except ValueError:
        held = None
    if held is None:
        errors["held_on"] = ["開催日は YYYY-MM-DD で指定してください"]
    if errors:
        raise ValidationFailed(errors)
    meeting = RegularMeeting(ward=ward, quarter=quarter, held_on=held, pack=build_pack(ward, quarter),
                             created_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    audit.record_system_event("regular_meeting_pack_generated", actor.id, regular_meeting_id=meeting.id, ward=ward,
                              quarter=quarter, case_reviews=len(meeting.pack["case_reviews"]))
    db.session.commit()
    return meeting


def _meeting_for(user: User, meeting_id: int) -> RegularMeeting:
    meeting = db.session.get(RegularMeeting, meeting_id)
    if meeting is None or not can_hold(user, meeting.ward):
        raise NotFound("定例支援調整会議が見つかりません")
    return meeting


def meetings_for(user: User) -> list[RegularMeeting]:
    if not (user.ward and user.roles & HOLDER_ROLES):
        return []
    return (db.session.query(RegularMeeting).filter_by(ward=user.ward)
            .order_by(RegularMeeting.held_on.desc(), RegularMeeting.id.desc()).all())


def record_minutes(actor: User, meeting_id: int, attending_agencies, reviews, resource_issues) -> RegularMeeting:
    """Attending agencies, 確認・了承 or comments per case review, resource issues."""
    meeting = _meeting_for(actor, meeting_id)
    errors: dict[str, list[str]] = {}
    agencies = [a.strip() for a in attending_agencies or [] if isinstance(a, str) and a.strip()] \
        if isinstance(attending_agencies, list) else None
    if not agencies:
        errors["attending_agencies"] = ["出席した機関を1つ以上入力してください"]
    known = {r["review_id"] for r in meeting.pack["case_reviews"]}
    verdicts = {}
    for review in reviews if isinstance(reviews, list) else [None]:
        if not isinstance(review, dict) or not isinstance(review.get("review_id"), str) \
                or not isinstance(review.get("verdict"), str) or review["review_id"] not in known \
                or review["verdict"] not in REVIEW_VERDICTS:
            errors["reviews"] = ["事例ごとに review_id と verdict（confirmed / comment）を指定してください"]
            break
        if review["verdict"] == "comment" and not str(review.get("comment") or "").strip():
            errors["reviews"] = [f"{review['review_id']} の意見を入力してください"]
            break
        verdicts[review["review_id"]] = {"verdict": review["verdict"], "comment": review.get("comment") or None}
    issues = [i.strip() for i in resource_issues or [] if isinstance(i, str) and i.strip()] \
        if isinstance(resource_issues, list | None) else None
    if issues is None:
        errors["resource_issues"] = ["資源の課題は文字列の配列で指定してください"]
    if errors:
        raise ValidationFailed(errors)
    meeting.minutes = {"attending_agencies": agencies, "reviews": verdicts, "resource_issues": issues}
    audit.record_system_event("regular_meeting_minutes_recorded", actor.id, regular_meeting_id=meeting.id,
                              reviews=len(verdicts), resource_issues=len(issues))
    db.session.commit()
    return meeting


def open_pack(actor: User, meeting_id: int, what: str = "pack") -> tuple[RegularMeeting, dict]:
    """The pack with its minutes (a read event each time)."""
    meeting = _meeting_for(actor, meeting_id)
    audit.record_system_event("regular_meeting_pack_viewed", actor.id, regular_meeting_id=meeting.id, what=what)
    db.session.commit()
    minutes = meeting.minutes or {}
    pack = dict(meeting.pack)
    pack["resource_issues"] = list(minutes.get("resource_issues") or [])
    pack["case_reviews"] = [{**r, **({"verdict": minutes["reviews"][r["review_id"]]}
                                      if r["review_id"] in (minutes.get("reviews") or {}) else {})}
                            for r in pack["case_reviews"]]
    pack["attending_agencies"] = list(minutes.get("attending_agencies") or [])
    return meeting, pack
