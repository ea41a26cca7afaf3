"""家計改善支援: the adviser's budget table and the 家計再生プラン's arrears.

Arrears carry their data source: tax arrears (and NHI premiums while ``mask_nhi_as_tax`` is on)
follow the tax rule — the budget adviser records and sees them only when the person's consent
shares tax information with the adviser.  Everything is shown through the same privacy matrix.
"""

from __future__ import annotations

from datetime import date

from app.access.consents import tax_sharing_allows
from app.access.privacy import OWNER_BASES, access_basis, item_of_source, nhi_follows_tax
from app.errors import ValidationFailed
from app.extensions import db
from app.models import ArrearsItem, BudgetTable, Case

INCOME_LINES = ("income_wages", "income_pension", "income_benefits", "income_other")
SPENDING_LINES = ("spend_rent", "spend_food", "spend_utilities", "spend_communication", "spend_debt", "spend_other")
# An arrear's kind -> its data source (what the masking rules know).
SOURCES = {"tax": "tax", "nhi": "nhi", "municipal_housing": "municipal_housing", "water": "water",
           "school_lunch": "school_lunch", "rent": "person", "utilities": "person", "other": "person"}


def record_budget(step, task, submission, data: dict) -> None:
    table = BudgetTable(
        case_id=step.case.id, month=data["month"],
        income={line: int(data.get(line) or 0) for line in INCOME_LINES},
        spending={line: int(data.get(line) or 0) for line in SPENDING_LINES},
        note=data.get("note"), recorded_by_id=step.actor_id, submission_id=submission.id)
    db.session.add(table)
    db.session.flush()
    step.record("budget_recorded", budget_table_id=table.id, month=table.month, submission_id=submission.id)


def _tax_like(kind: str) -> bool:
    return kind == "tax" or (kind == "nhi" and nhi_follows_tax())


def record_arrears(step, task, submission, data: dict) -> None:
    case, actor = step.case, step.actor
    kind = data["kind"]
    if _tax_like(kind) and access_basis(actor, case) not in OWNER_BASES and not tax_sharing_allows(
            case, "budget_advisor"):
        raise ValidationFailed({"kind": [
            "税の滞納は、本人の同意（家計改善支援員への税務情報の共有）がある場合に限り記録できます"]})
    item = ArrearsItem(
        case_id=case.id, kind=kind, source=SOURCES.get(kind, "person"), amount=data["amount"],
        handling=data["handling"], monthly_installment=data.get("monthly_installment"),
        agreed_on=_date(data.get("agreed_on")), note=data.get("note"), recorded_by_id=step.actor_id,
        submission_id=submission.id)
    db.session.add(item)
    db.session.flush()
    # The event names the kind, never the amount (the chain is read by more people than the tax rule allows).
    step.record("arrears_recorded", arrears_id=item.id, kind=kind, submission_id=submission.id)


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def arrears_item(item: ArrearsItem) -> str:
    """The privacy item an arrear is (tax_arrears, nhi_arrears, other_arrears)."""
    if item.source in ("tax", "nhi"):
        return item_of_source(item.source)
    return "other_arrears"


def budget_json(case: Case, sees) -> dict:
    """The budget tables (with income) and the arrears the viewer's items allow."""
    tables = []
    if sees("income"):
        for table in db.session.query(BudgetTable).filter_by(case_id=case.id).order_by(BudgetTable.id):
            tables.append({"budget_table_id": table.id, "month": table.month, "income": table.income,
                           "spending": table.spending, "total_income": sum(table.income.values()),
                           "total_spending": sum(table.spending.values()), "note": table.note})
    arrears = []
    for item in db.session.query(ArrearsItem).filter_by(case_id=case.id).order_by(ArrearsItem.id):
        if not sees(arrears_item(item)):
            continue
        arrears.append({"arrears_id": item.id, "kind": item.kind, "source": item.source, "amount": item.amount,
                        "handling": item.handling, "monthly_installment": item.monthly_installment,
                        "agreed_on": item.agreed_on.isoformat() if item.agreed_on else None, "note": item.note})
    return {"tables": tables, "arrears": arrears}
