"""Checking the audit chains: every link of every chain, or of one case's chain.

Appending events is `app.audit_chain`'s job; this module only reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.models.audit import GENESIS_HASH, belongs_in_chain, chain_key, expected_hash


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    sequence: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"#{self.sequence}" if self.sequence is not None else "-"
        return f"{self.chain} {where} (event id {self.event_id}): {self.problem}"


@dataclass
class ChainReport:
    chains: int = 0
    events: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    heads: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


# Plain rows, not ORM objects: a check of every chain reads millions of events, and building an
# object per row was most of its time.  The rows carry the attributes `expected_hash` reads.
_COLUMNS = (AuditEvent.id, AuditEvent.case_id, AuditEvent.event_type, AuditEvent.actor_id, AuditEvent.at,
            AuditEvent.data, AuditEvent.chain, AuditEvent.sequence, AuditEvent.prev_hash, AuditEvent.hash)
BATCH = 5000


def count_events(case_id: int | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(AuditEvent)
    if case_id is not None:
        query = query.where(AuditEvent.chain == chain_key(case_id))
    return db.session.execute(query).scalar_one()


def verify(case_id: int | None = None, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Walk every chain (or the one of `case_id`) and report the first broken link of each.

    Found: edited rows (hash mismatch), deleted rows (sequence gap or previous-hash mismatch),
    reordered rows (previous-hash mismatch, ids out of sequence), rows moved to another case.
    Not found by the chain alone: events cut off at the very end of a chain; compare the
    printed heads with an earlier run to notice that.
    """
    query = sa.select(*_COLUMNS)
    if case_id is not None:
        query = query.where(AuditEvent.chain == chain_key(case_id))
    query = query.order_by(AuditEvent.chain, AuditEvent.sequence, AuditEvent.id)
    rows = db.session.execute(query.execution_options(yield_per=BATCH))
    report = ChainReport()
    for chain, events in _group_by_chain(_counted(rows, progress)):
        report.chains += 1
        problem, head, count = _check_chain(chain, events)
        report.events += count
        report.heads[chain] = head
        if problem:
            report.problems.append(problem)
    return report


def _counted(rows, progress: Callable[[int], None] | None):
    """The rows, telling `progress` how many went by every BATCH rows."""
    if progress is None:
        yield from rows
        return
    seen = 0
    for row in rows:
        yield row
        seen += 1
        if seen == BATCH:
            progress(seen)
            seen = 0
    if seen:
        progress(seen)


def _group_by_chain(events: Iterable[AuditEvent]):
    current, batch = None, []
    for event in events:
        if event.chain != current and batch:
            yield current, batch
            batch = []
        current = event.chain
        batch.append(event)
    if batch:
        yield current, batch


def _check_chain(chain: str, events: list[AuditEvent]) -> tuple[ChainProblem | None, str, int]:
    prev_hash, previous_id, first = GENESIS_HASH, 0, None
    for expected_sequence, event in enumerate(events, start=1):
        found = _link_problem(chain, event, expected_sequence, prev_hash, previous_id)
        if found and first is None:
            first = ChainProblem(chain, event.sequence, event.id, found)
        prev_hash, previous_id = event.hash, event.id
    return first, prev_hash, len(events)


def _link_problem(chain: str, event: AuditEvent, expected_sequence: int, prev_hash: str,
                  previous_id: int) -> str | None:
    if not belongs_in_chain(event, chain):
        owner = f"case {event.case_id}" if event.case_id is not None else "no case"
        return f"event of {owner} ({event.event_type}) sits in chain {chain}"
    if event.sequence != expected_sequence:
        kind = "missing" if event.sequence > expected_sequence else "duplicated"
        return f"sequence {expected_sequence} expected, found {event.sequence} (events {kind})"
    if event.prev_hash != prev_hash:
        return "previous-hash link broken (an event before it was changed, removed or reordered)"
    if event.id <= previous_id:
        return "event ids out of order (events reordered)"
    if expected_hash(event) != event.hash:
        return "content does not match its hash (the event was edited)"
    return None
