"""Writing audit events onto their hash chain, and checking the chains.

Every event joins the chain of its case (events without a case share the system chain).
Appending reads the chain's last event, so two transactions must not append to one chain
at once.  On PostgreSQL the case row lock is that lock: a workflow step, an action, a timer
or a reassignment holds it already (and says so with `case_row_locked`), and `record` takes
it for anything else that writes to a case's chain (`case_viewed`, exports).  The system
chain queues on a transaction-scoped advisory lock.  One kind of lock per chain means no
lock-order deadlocks between them.  A unique (chain, sequence) constraint is the last line
of defence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditEvent
from app.models.audit import (
    GENESIS_HASH,
    SYSTEM_CHAIN,
    canonical_payload,
    chain_key,
    event_hash,
    expected_hash,
)

from .runtime import now

_ADVISORY_NAMESPACE = 0x7453  # "tS": keeps our advisory locks apart from anyone else's


def record(event_type: str, case_id: int | None, actor_id: int | None, **data) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change it records)."""
    chain = chain_key(case_id)
    # Stored exactly as hashed: a JSON round trip turns tuples into lists, dates into text.
    clean = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    at = now().astimezone(UTC)
    sequence, prev_hash = _next_link(chain, case_id)
    event = AuditEvent(event_type=event_type, case_id=case_id, actor_id=actor_id, at=at, data=clean,
                       chain=chain, sequence=sequence, prev_hash=prev_hash)
    event.hash = event_hash(canonical_payload(chain, sequence, prev_hash, event_type, case_id, actor_id, at, clean))
    db.session.add(event)
    _transaction_heads()[chain] = (sequence, event.hash)
    return event


# The chain heads this transaction has read or written: {chain: (sequence, hash)}.  While the
# transaction lasts it holds the chain's lock, so a second event on the chain (a step records
# several) needs neither the lock nor the head query again.
_HEADS = "tsunagi.audit_heads"


def _transaction_heads() -> dict:
    return db.session.info.setdefault(_HEADS, {})


# Ids of the cases whose row this transaction has locked (SELECT ... FOR UPDATE).
_LOCKED_CASES = "tsunagi.locked_cases"


def case_row_locked(case_id: int) -> None:
    """Tell `record` that the current transaction holds this case's row lock."""
    db.session.info.setdefault(_LOCKED_CASES, set()).add(case_id)


def holds_case_lock(case_id: int) -> bool:
    return case_id in db.session.info.get(_LOCKED_CASES, ())


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_heads(session, transaction) -> None:
    # The transaction or a savepoint ended (commit, rollback, release, close): read again.
    # A flush's internal subtransaction is neither and keeps what we know.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HEADS, None)
        session.info.pop(_LOCKED_CASES, None)


def _next_link(chain: str, case_id: int | None) -> tuple[int, str]:
    known = _transaction_heads().get(chain)
    if known is None:
        known = _read_head(chain, case_id)
    return known[0] + 1, known[1]


def head_columns():
    """A chain's last sequence and hash as two scalar subqueries, for a query the caller runs
    while it holds the case row lock anyway (saves the separate head query).  They take the
    chain as the bound parameter `audit_chain` (`head_params(case_id)`); hand what they return
    to `remember_head`."""
    return _HEAD_COLUMNS


def head_params(case_id: int) -> dict:
    return {"audit_chain": chain_key(case_id)}


def _head_columns():
    # Built once: a fresh construct per step would cost its cache key every time.
    last = (sa.select(AuditEvent.sequence, AuditEvent.hash).where(AuditEvent.chain == sa.bindparam("audit_chain"))
            .order_by(AuditEvent.sequence.desc()).limit(1).subquery())
    return sa.select(last.c.sequence).scalar_subquery(), sa.select(last.c.hash).scalar_subquery()


_HEAD_COLUMNS = _head_columns()


def remember_head(case_id: int, sequence: int | None, head_hash: str | None) -> None:
    """Keep the head read through `head_columns` (None, None: the chain is still empty)."""
    if not holds_case_lock(case_id) and db.session.get_bind().dialect.name == "postgresql":
        raise RuntimeError("a chain head read without the case row lock may be stale")
    _transaction_heads()[chain_key(case_id)] = (sequence, head_hash) if sequence else (0, GENESIS_HASH)


def _read_head(chain: str, case_id: int | None) -> tuple[int, str]:
    """(sequence, hash) of the chain's last event; (0, genesis) for an empty chain."""
    _lock_chain(case_id)
    # The query autoflushes events added earlier in this transaction; pending ones that were
    # not flushed (no_autoflush blocks) are looked at directly.
    stored = db.session.execute(
        sa.select(AuditEvent.sequence, AuditEvent.hash)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.sequence.desc())
        .limit(1)
    ).first()
    candidates = [(stored.sequence, stored.hash)] if stored else []
    candidates += [(e.sequence, e.hash) for e in db.session.new if isinstance(e, AuditEvent) and e.chain == chain]
    return max(candidates) if candidates else (0, GENESIS_HASH)


def _lock_chain(case_id: int | None) -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: one writer at a time anyway
    if case_id is None:
        db.session.execute(
            db.text("SELECT pg_advisory_xact_lock(:namespace, 0)"), {"namespace": _ADVISORY_NAMESPACE}
        )
    elif not holds_case_lock(case_id):
        db.session.execute(db.text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id})
        case_row_locked(case_id)


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
    if event.chain != chain_key(event.case_id) and not (chain == SYSTEM_CHAIN and event.case_id is None):
        return f"event belongs to case {event.case_id} but sits in chain {chain}"
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
