"""What the benefit's pages need: income rows read from a posted form, the case-page panel, the
screening figures beside the screening task."""

from __future__ import annotations

from app.extensions import db
from app.models import HbApplication, HumanTask, Notice

from . import workflow
from .reads import benefit_json

INCOME_ACTIONS = ("apply_housing_benefit", "hb_apply_extension", "hb_report_income")
ROWS = 6  # blank income rows on the page (a household's earners, pensions, benefits)


def incomes_from_form(form) -> list[dict]:
    """The repeatable rows `incomes-<i>-<field>`; a row left wholly blank is not a row."""
    rows = []
    for index in range(20):
        row = {name: (form.get(f"incomes-{index}-{name}") or "").strip()
               for name in ("member", "kind", "gross", "commuting_allowance")}
        if not any(row.values()):
            continue
        rows.append({"member": row["member"] or None, "kind": row["kind"] or None,
                     "gross": row["gross"] or None, "commuting_allowance": row["commuting_allowance"] or None})
    return rows


def income_rows(form=None, errors: dict | None = None) -> list[dict]:
    """The rows to render: what was posted (with each row's errors), then blank ones."""
    posted = incomes_from_form(form) if form is not None else []
    rows = [{**row, "errors": {key.split(".", 1)[1]: messages for key, messages in (errors or {}).items()
                               if key.startswith(f"incomes[{index}].")}} for index, row in enumerate(posted)]
    rows += [{"member": None, "kind": None, "gross": None, "commuting_allowance": None, "errors": {}}
             for _ in range(max(1, ROWS - len(rows)))]
    return rows


def panel(case, sees_income: bool) -> dict | None:
    """The benefit panel of the case page (None when the case never applied)."""
    answer = benefit_json(case.id, sees_income)
    if not answer["applications"]:
        return None
    kinds = Notice.kind.like("hb_%") | (Notice.kind == "pa_notice")
    notices = {n.id: n for n in db.session.query(Notice).filter(Notice.case_id == case.id, kinds)}
    return {"applications": answer["applications"], "notices": notices, "sees_income": sees_income}


def screening(task: HumanTask, sees_income: bool) -> dict | None:
    """Every figure and rule beside the screening task (income-bearing: only for those who see income)."""
    application_id = workflow.application_id_of(task)
    if application_id is None or task.form_key != "hb_screening" or not sees_income:
        return None
    application = db.session.get(HbApplication, application_id)
    extension = task.bpmn_id == "hb_extension_screening"
    comp = (application.pending_extension or {}).get("computation") if extension else application.computation
    return {"application": application, "computation": comp or {}, "extension": extension,
            "data": application.data}


def confirmation(task: HumanTask, data: dict) -> str | None:
    """支給決定 and 中止 cannot be undone: the task page confirms them first."""
    if workflow.application_id_of(task) is None:
        return None
    if task.form_key == "hb_screening" and data.get("decision") == "grant":
        return "支給（延長）決定は取り消せません。支給額・期間・支払先を確認してから確定してください。"
    if task.form_key == "hb_stop" and data.get("decision") in ("stop", "suspend"):
        return "中止・停止の決定は取り消せません。理由と効力の発生する月を確認してから確定してください。"
    return None
