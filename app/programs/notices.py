"""The notices the programmes issue (支援決定通知書, 一時生活支援 利用決定), through the shared notice machinery.

A notice to the person goes to the address on record, or, for a protected (DV / 住所秘匿) person,
only to the confirmed safe address; a notice to a provider never carries an address.
"""

from __future__ import annotations

from app.access.flags import flags_of
from app.codes import label
from app.services.documents.notices import issue_notice
from app.services.documents.wareki import wareki_date

from .dates import jst_date

LEAD = "生活困窮者自立支援法及び同法施行規則に基づき、次のとおり支援を決定しましたので通知します。"
BASIS_TEXT = {"standard": "収入・資産要件を満たす", "deemed": "要件に準ずる者として市が必要と認める",
              "not_required": "要件の確認を要しない事業"}
NO_SAFE_ADDRESS = "（安全な送付先が未確認のため、窓口で交付）"
NO_ADDRESS = "（住所未登録のため、窓口で交付）"


def person_address(case) -> str | None:
    """Where a notice to the person may be sent (None: nowhere yet)."""
    return _address(case, flags_of(case))


def _address(case, flags) -> str | None:
    if flags is not None and flags.protected:
        return flags.safe_address or None
    return case.person.address if case.person is not None else None


def _addressee(case) -> str | None:
    return case.person.name if case.person is not None else None


def _destination(case) -> dict:
    flags = flags_of(case)
    missing = NO_SAFE_ADDRESS if flags is not None and flags.protected else NO_ADDRESS
    return {"label": "送付先", "value": _address(case, flags) or missing, "category": "address"}


def decision_notice(step, decision):
    case = step.case
    service = label("STATUTORY_SERVICES", decision.service)
    items = [
        {"label": "事業名", "value": service},
        {"label": "支援期間", "value": f"{wareki_date(decision.period_from)}から{wareki_date(decision.period_to)}まで"},
        {"label": "根拠となるプラン", "value": f"第{decision.plan_version.number}版"},
    ]
    if decision.term:
        items.append({"label": "期", "value": f"第{decision.term}期"})
    items.append({"label": "要件", "value": BASIS_TEXT.get(decision.eligibility_basis or "", "")})
    if decision.exception_reason:
        items.append({"label": "期間の例外（施行規則第5条ただし書き）", "value": decision.exception_reason})
    items.append(_destination(case))
    notice = issue_notice(step, "support_decision", subject=f"{service} 支援決定通知書", items=items, lead=LEAD,
                          decision_ref=f"support_decision:{decision.id}", plan_version=decision.plan_version.number,
                          recipient="person", addressee=_addressee(case), issued_on=decision.decided_on)
    decision.notice_id = notice.id
    return notice


def shelter_notices(step, stay) -> list:
    """The 利用決定 to the person and to the facility (the provider's copy carries no address)."""
    case = step.case
    admitted_on = jst_date(stay.admitted_at)
    items = [
        {"label": "事業名", "value": label("STATUTORY_SERVICES", "temporary_shelter")},
        {"label": "施設", "value": stay.facility},
        {"label": "利用期間", "value": f"{wareki_date(admitted_on)}から{wareki_date(stay.planned_end)}まで"},
        {"label": "認定", "value": "緊急の仮認定（プラン策定前）" if stay.urgent else "認定"},
    ]
    lead = ("生活困窮者自立支援法及び同法施行規則に基づき、一時生活支援事業の利用を次のとおり決定しましたので"
            "通知します。")
    ref = f"shelter_stay:{stay.id}"
    to_person = issue_notice(step, "shelter_admission", subject="一時生活支援事業 利用決定通知書",
                             items=[*items, _destination(case)], lead=lead, decision_ref=ref, recipient="person",
                             addressee=_addressee(case), issued_on=admitted_on)
    to_facility = issue_notice(step, "shelter_admission", subject="一時生活支援事業 利用決定通知書（施設あて）",
                               items=items, lead=lead, decision_ref=ref, recipient="provider",
                               addressee=None, issued_on=admitted_on)
    return [to_person, to_facility]
