"""Moving running cases to another deployed version: dry run, bulk migrate, move back.

Cases keep the version they started on until a process owner migrates them.  A dry run
tries the migration on a copy of every running case and reports it as migratable, blocked
(a task in flight, or one already completed, has no counterpart in the target version) or
failing, with the effect on waiting timers (migration restarts them: a duration timer counts
again from the moment of migration).  The bulk migration moves each migratable case in its
own transaction, audited, and reports per case; moving a case back is the same operation
with the older version as the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import undefer
from sqlalchemy.orm.exc import StaleDataError

from app import audit_chain as audit
from app.clock import now
from app.engine import MigrationPlan, try_migration
from app.errors import NotFound
from app.extensions import db
from app.lifecycle import steps
from app.lifecycle.runtime import engine
from app.lifecycle.versions import spec_for
from app.models import Case, ProcessVersion, User
from app.services.processes.drafts import get_version, require_owner


@dataclass
class CaseReport:
    case_id: int
    ward: str
    state: str
    from_version: int
    plan: MigrationPlan
    result: str = "planned"  # planned, migrated, blocked, failed
    detail: str = ""

    @property
    def migratable(self) -> bool:
        return self.plan.migratable


@dataclass
class MigrationReport:
    process_id: str
    target_version: int
    cases: list[CaseReport] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for c in self.cases if c.result == result)

    @property
    def migratable(self) -> list[CaseReport]:
        return [c for c in self.cases if c.migratable]

    @property
    def blocked(self) -> list[CaseReport]:
        return [c for c in self.cases if not c.migratable]


def _running_cases(process_id: str, target: ProcessVersion) -> list[Case]:
    return (
        db.session.query(Case).join(ProcessVersion, Case.process_version_id == ProcessVersion.id)
        .filter(ProcessVersion.process_id == process_id, Case.process_version_id != target.id,
                Case.state != "closed")
        .options(undefer(Case.workflow_blob))  # every case's workflow is tried
        .order_by(Case.id).all()
    )


def _report(case: Case, target: ProcessVersion) -> tuple[CaseReport, bytes | None, object]:
    plan, blob, outcome = try_migration(engine(), case.workflow_blob, spec_for(target))
    report = CaseReport(case.id, case.ward, case.state, case.process_version.version, plan)
    if not plan.migratable:
        report.result = "blocked" if plan.blocked_by else "failed"
        report.detail = plan.error or ", ".join(f"{c.name}（{c.element_id}）" for c in plan.blocked_by)
    return report, blob, outcome


def dry_run(user: User, process_id: str, target_number: int) -> MigrationReport:
    """What migrating every running case to the target version would do; changes nothing."""
    require_owner(user)
    target = get_version(process_id, target_number)
    report = MigrationReport(process_id, target_number)
    for case in _running_cases(process_id, target):
        report.cases.append(_report(case, target)[0])
    db.session.rollback()
    return report


def _migrate_one(user: User, case_id: int, target: ProcessVersion, run: str) -> CaseReport:
    try:
        step = steps.lock(case_id, user)
        report, blob, outcome = _report(step.case, target)
        if blob is None:
            step.record("case_migration_refused", target_version=target.version, from_version=report.from_version,
                        reason=report.detail, run=run)
            db.session.commit()
            return report
        step.move_to(target, blob, outcome, run=run,
                     timers=[{"element_id": t.element_id, "due_before": t.due_before, "due_after": t.due_after}
                             for t in report.plan.timers])
        db.session.commit()
        report.result = "migrated"
        return report
    except StaleDataError:
        db.session.rollback()
        return CaseReport(case_id, "", "", 0, MigrationPlan(error="conflict"), "failed",
                          "他の職員が同時に更新しました。もう一度実行してください")


def migrate_cases(user: User, process_id: str, target_number: int, case_ids: list[int] | None = None
                  ) -> MigrationReport:
    """Migrate the running cases (or the given ones), each in its own transaction."""
    require_owner(user)
    target = get_version(process_id, target_number)
    ids = [c.id for c in _running_cases(process_id, target)]
    if case_ids is not None:
        ids = [i for i in ids if i in set(case_ids)]
    db.session.rollback()
    run = f"{process_id}:v{target_number}:{now().isoformat()}"
    report = MigrationReport(process_id, target_number)
    for case_id in ids:
        report.cases.append(_migrate_one(user, case_id, target, run))
    audit.record("process_migration_run", None, user.id, process_id=process_id, target_version=target_number,
                 run=run, migrated=report.count("migrated"), blocked=report.count("blocked"),
                 failed=report.count("failed"))
    db.session.commit()
    return report


def move_case(user: User, case_id: int, target_number: int) -> CaseReport:
    """Move one case to another version (e.g. back to the one it ran before)."""
    require_owner(user)
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("相談ケースが見つかりません")
    target = get_version(case.process_version.process_id, target_number)
    if case.process_version_id == target.id or case.is_closed:
        raise NotFound("移行の対象ではありません（同じ版、または終結済み）")
    run = f"{target.process_id}:v{target_number}:case{case_id}:{now().isoformat()}"
    return _migrate_one(user, case_id, target, run)
