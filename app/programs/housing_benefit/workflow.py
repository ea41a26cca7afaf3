"""Each application's own `housing_benefit` workflow, beside the case's lifecycle.

Its blob lives on the application row; its user tasks are projected into `human_tasks` with the
instance item `housing_benefit:<application id>`, so worklists and task pages show them like any
other task.  Every act runs inside a case step (the case row locked, events on the case chain).
"""

from __future__ import annotations

from app.engine import RunningWorkflow, StepOutcome
from app.errors import Conflict
from app.extensions import db
from app.lifecycle import projection
from app.lifecycle.runtime import engine
from app.lifecycle.steps import CaseStep
from app.lifecycle.versions import current_version
from app.models import HbApplication, HumanTask, ProcessVersion

PROCESS_ID = "housing_benefit"
ITEM_PREFIX = "housing_benefit:"


def item_of(application: HbApplication) -> str:
    return f"{ITEM_PREFIX}{application.id}"


def application_id_of(task: HumanTask) -> int | None:
    item = task.instance_item or ""
    return int(item[len(ITEM_PREFIX):]) if item.startswith(ITEM_PREFIX) else None


def _version_with_process(step: CaseStep) -> ProcessVersion:
    """The case's own version when it carries the diagram, else the newest deployed one."""
    version = step.case.process_version
    files = version.bpmn_files or {}
    if any(f'id="{PROCESS_ID}"' in text for text in files.values()):
        return version
    return current_version()


def start(step: CaseStep, application: HbApplication) -> StepOutcome:
    version = _version_with_process(step)
    spec = engine().parse(version.bpmn_files, PROCESS_ID)
    running = engine().start(spec, {"application_id": application.id})
    application.process_version_id = version.id
    outcome = running.outcome()
    _save(step, application, running, outcome, None)
    step.record("hb_process_started", application_id=application.id, process_version=version.version,
                ready=[info.bpmn_id for info in outcome.ready_tasks])
    return outcome


def _load(application: HbApplication) -> RunningWorkflow:
    return engine().load(application.workflow_blob)


def complete(step: CaseStep, application: HbApplication, task: HumanTask, data: dict) -> StepOutcome:
    running = _load(application)
    outcome = running.complete_task(task.engine_task_id, data)
    _save(step, application, running, outcome, task.engine_task_id)
    return outcome


def send(step: CaseStep, application: HbApplication, message: str, payload: dict) -> StepOutcome:
    running = _load(application)
    if running.completed:
        raise Conflict("この給付金の手続は終了しています")
    outcome = running.send_message(message, payload)
    _save(step, application, running, outcome, None)
    step.record("hb_message_sent", application_id=application.id, message=message, payload=payload,
                ready=[info.bpmn_id for info in outcome.ready_tasks])
    return outcome


def is_running(application: HbApplication) -> bool:
    return not _load(application).completed


def _save(step: CaseStep, application: HbApplication, running: RunningWorkflow, outcome: StepOutcome,
          completed_task_id: str | None) -> None:
    application.workflow_blob = running.dump()
    db.session.flush()
    _sync_tasks(step, application, outcome, completed_task_id)


def _sync_tasks(step: CaseStep, application: HbApplication, outcome: StepOutcome,
                completed_task_id: str | None) -> None:
    """Open rows for newly ready tasks, cancel the rows the workflow withdrew."""
    opened = projection.sync_tasks(step, outcome, completed_task_id, item=item_of(application), prefill=_prefill)
    db.session.flush()
    for row in opened:
        step.record("task_opened", task_id=row.id, bpmn_id=row.bpmn_id, form_key=row.form_key,
                    application_id=application.id)


def _prefill(info) -> dict:
    """A stop task starts with the proposal's reason and month; a duty check with the instruction's text."""
    proposal = info.data.get("hb_stop_proposed") if info.form_key == "hb_stop" else None
    if isinstance(proposal, dict):
        return {key: proposal[key] for key in ("decision", "reason_code", "effective_month") if key in proposal}
    missed = info.data.get("hb_duty_missed") if info.form_key == "hb_duty_check" else None
    if isinstance(missed, dict) and missed.get("month"):
        return {"outcome": "instruct",
                "content": f"{missed['month']}分の求職活動状況報告（相談窓口での面談、ハローワークでの職業相談、"
                           "週ごとの応募）が確認できません。期限までに求職活動を行い、報告してください。"}
    return {}
