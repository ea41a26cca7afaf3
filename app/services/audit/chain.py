"""Checking the audit chains: every link of every chain, or of one case's chain.

Appending events is `app.audit_chain`'s job; this module only reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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


def verify(case_id: int | None = None) -> ChainReport:
    """Walk every chain (or the one of `case_id`) and report the first broken link of each.

    Found: edited rows (hash mismatch), deleted rows (sequence gap or previous-hash mismatch),
    reordered rows (previous-hash mismatch, ids out of sequence), rows moved to another case.
    Not found by the chain alone: events cut off at the very end of a chain; compare the
    printed heads with an earlier run to notice that.
    """
    query = db.session.query(AuditEvent)
    if case_id is not None:
        query = query.filter(AuditEvent.chain == chain_key(case_id))
    query = query.order_by(AuditEvent.chain, AuditEvent.sequence, AuditEvent.id).yield_per(500)
    report = ChainReport()
    for chain, events in _group_by_chain(query):
        report.chains += 1
        problem, head, count = _check_chain(chain, events)
        report.events += count
        report.heads[chain] = head
        if problem:
            report.problems.append(problem)
    return report


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
