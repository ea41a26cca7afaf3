"""The notice each decision issues (支給決定・不支給決定・延長・中止・停止・指導書, and the
adjustment notice to the public-assistance side), through the shared notice machinery."""

from __future__ import annotations

from app.models import HbApplication, HbDecision
from app.services.documents.notices import issue_notice
from app.services.documents.wareki import wareki_date, wareki_month

from .computation import yen

KINDS = {"grant": "hb_grant", "refusal": "hb_refusal", "extension": "hb_extension",
         "extension_refusal": "hb_extension_refusal", "stop": "hb_stop", "suspension": "hb_suspension",
         "instruction": "hb_instruction"}
TITLES = {"hb_grant": "住居確保給付金支給決定通知書",
          "hb_refusal": "住居確保給付金不支給決定通知書",
          "hb_extension": "住居確保給付金支給延長決定通知書",
          "hb_extension_refusal": "住居確保給付金支給延長不承認通知書",
          "hb_stop": "住居確保給付金支給中止通知書",
          "hb_suspension": "住居確保給付金支給停止通知書",
          "hb_instruction": "住居確保給付金受給中の求職活動等に関する指導書",
          "pa_notice": "住居確保給付金の支給状況について（住宅扶助との調整連絡）"}
LEADS = {
    "hb_grant": (
        "生活困窮者自立支援法第6条及び同法施行規則に基づき、住居確保給付金を次のとおり支給すること"
        "に決定しましたので通知します。"
    ),
    "hb_refusal": (
        "生活困窮者自立支援法第6条及び同法施行規則に基づき申請のあった住居確保給付金について、次の"
        "理由により支給しないことに決定しましたので通知します。"
    ),
    "hb_extension": (
        "生活困窮者自立支援法施行規則に基づき、住居確保給付金の支給期間を次のとおり延長することに決"
        "定しましたので通知します。"
    ),
    "hb_extension_refusal": (
        "申請のあった住居確保給付金の支給期間の延長について、次の理由により承認しないことに決定しま"
        "したので通知します。"
    ),
    "hb_stop": (
        "生活困窮者自立支援法施行規則に基づき、住居確保給付金の支給を次のとおり中止することに決定し"
        "ましたので通知します。"
    ),
    "hb_suspension": (
        "生活困窮者自立支援法施行規則に基づき、住居確保給付金の支給を次のとおり停止することに決定し"
        "ましたので通知します。"
    ),
    "hb_instruction": (
        "住居確保給付金の受給中に行うべき求職活動等が行われていないため、次のとおり指導します。期限"
        "までに改善されない場合は、支給を中止することがあります。"
    ),
    "pa_notice": (
        "次の方に支給した住居確保給付金の状況をお知らせします。住宅扶助の重複支給とならないよう調整"
        "をお願いします。"
    ),
}


def month_label(month: str | None) -> str:
    return wareki_month(month) if month else ""


def months_label(first: str | None, last: str | None) -> str:
    return f"{month_label(first)}分〜{month_label(last)}分" if first and last else ""


def items_for(decision: HbDecision, application: HbApplication) -> list[dict]:
    """「記」 of the notice: what was decided, with the figures (income figures are masked by category)."""
    comp = decision.computation or {}
    payee = f"{application.payee_name}（{'不動産媒介業者等' if application.payee == 'agent' else '貸主'}）"
    if decision.kind in ("grant", "extension"):
        return [
            {"label": "支給額（月額）", "value": yen(decision.amount or 0)},
            {"label": "支給期間", "value": months_label(decision.months_from, decision.months_to)},
            {"label": "支給方法", "value": f"{payee}へ直接支払（代理納付）"},
            {"label": "世帯の収入（算定額）", "value": yen(int(comp.get("counted_income") or 0)), "category": "income"},
            {"label": "収入基準額", "value": yen(int(comp.get("income_limit") or 0)), "category": "income"},
        ]
    if decision.kind in ("refusal", "extension_refusal"):
        return [{"label": "決定", "value": "不支給" if decision.kind == "refusal" else "延長不承認"},
                {"label": "理由の区分", "value": "、".join(decision.reason_codes or [])}]
    if decision.kind in ("stop", "suspension"):
        return [{"label": "中止（停止）する月", "value": f"{month_label(decision.effective_month)}分から"},
                {"label": "既に支給した給付金", "value": "返還を求めません"}]
    if decision.kind == "instruction":
        return [{"label": "指導の内容", "value": decision.reason_text or ""},
                {"label": "改善の期限", "value": wareki_date(decision.deadline) if decision.deadline else ""}]
    return []


def issue_for(step, decision: HbDecision, application: HbApplication):
    """Issue the decision's notice in the step's transaction; the decision keeps its id."""
    kind = KINDS[decision.kind]
    reason = decision.reason_text if decision.kind not in ("grant", "extension", "instruction") else None
    notice = _issue(step, kind, subject=TITLES[kind], items=items_for(decision, application), lead=LEADS[kind],
                    reason=reason, decision_ref=f"hb_decision:{decision.id}")
    if notice is not None:
        decision.notice_id = notice.id
    return notice


def issue_pa_notice(step, decision: HbDecision, paid_months: list[str], amount: int):
    """To the public-assistance side: the months the benefit covered rent, so 住宅扶助 is not paid twice."""
    items = [
        {"label": "住居確保給付金が家賃を賄った月",
         "value": "、".join(month_label(m) + "分" for m in paid_months) or "なし"},
        {"label": "支給額（月額）", "value": yen(amount)},
        {"label": "支給を中止した月", "value": f"{month_label(decision.effective_month)}分から"},
    ]
    return _issue(step, "pa_notice", subject=TITLES["pa_notice"], items=items, lead=LEADS["pa_notice"],
                  reason=decision.reason_text, decision_ref=f"hb_decision:{decision.id}", recipient="pa_section",
                  addressee="生活支援課 生活保護担当")


def _issue(step, kind: str, **fields):
    return issue_notice(step, kind, **fields)
