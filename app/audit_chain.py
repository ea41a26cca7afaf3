"""Appending audit events to their hash chains.

Every event joins the chain of its case; an API token's uses join that token's chain; the other
events without a case share the system chain.  Appending reads the chain's last event, so two
transactions must never append to one chain at once:

* a case's chain is guarded by the case row lock.  A writer that changes a case holds that lock
  for its whole transaction through `app.lifecycle.steps`, and appends through the `CaseChain`
  the step hands it, which carries the chain's head from one event to the next;
* `record_case_event` is for the few writers that only add an event to a case (a read of the
  case, an export): it takes the row lock and reads the head itself;
* a token's chain is guarded by the token's row lock (`record_token_use`): every API call appends
  there, so calls queue only behind calls with the same token (one client), never behind each other;
* the system chain queues on a transaction-scoped advisory lock (`record_system_event`); only rare
  administrative events (deployments, token issue, cover assignments, settings) go there.

One kind of lock per chain means no lock-order deadlocks between them.  A unique
(chain, sequence) constraint is the last line of defence.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import OperationalError

from app.clock import now
from app.extensions import db
from app.models import ApiToken, AuditEvent, Case
from app.models.audit import (
    GENESIS_HASH,
    SYSTEM_CHAIN,
    TOKEN_USE_EVENT,
    canonical_payload,
    chain_key,
    event_hash,
    token_chain_key,
)

log = logging.getLogger("tsunagi.audit")

_ADVISORY_NAMESPACE = 0x7453  # "tS": keeps our advisory locks apart from anyone else's


def _last_link():
    # Built once: SQLAlchemy keeps a statement object's cache key.
    return (sa.select(AuditEvent.sequence, AuditEvent.hash).where(AuditEvent.chain == sa.bindparam("audit_chain"))
            .order_by(AuditEvent.sequence.desc()).limit(1))


_LAST_LINK = _last_link()
_LAST_LINK_SUBQUERY = _LAST_LINK.subquery()
HEAD_COLUMNS = (sa.select(_LAST_LINK_SUBQUERY.c.sequence).scalar_subquery(),
                sa.select(_LAST_LINK_SUBQUERY.c.hash).scalar_subquery())
"""A chain's last sequence and hash as two scalar subqueries (bound parameter ``audit_chain``), for a
query that reads them under the case row lock anyway; pass what they return to `CaseChain`."""


def head_params(case_id: int | None) -> dict:
    return {"audit_chain": chain_key(case_id)}


def _append(chain: str, case_id: int | None, sequence: int, prev_hash: str, event_type: str,
            actor_id: int | None, data: dict) -> AuditEvent:
    # Stored exactly as hashed: a JSON round trip turns tuples into lists, dates into text.
    clean = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    at = now().astimezone(UTC)
    event = AuditEvent(event_type=event_type, case_id=case_id, actor_id=actor_id, at=at, data=clean,
                       chain=chain, sequence=sequence, prev_hash=prev_hash)
    event.hash = event_hash(canonical_payload(chain, sequence, prev_hash, event_type, case_id, actor_id, at, clean))
    db.session.add(event)
    return event


def _read_head(chain: str) -> tuple[int, str]:
    """(sequence, hash) of the chain's last event, counting events of this transaction not yet flushed."""
    stored = db.session.execute(_LAST_LINK, {"audit_chain": chain}).first()
    candidates = [(stored.sequence, stored.hash)] if stored else []
    candidates += [(e.sequence, e.hash) for e in db.session.new if isinstance(e, AuditEvent) and e.chain == chain]
    return max(candidates) if candidates else (0, GENESIS_HASH)


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


class CaseChain:
    """The audit chain of one case, while the current transaction holds the case row lock.

    Made by the step pipeline once it holds the lock; it remembers the head it last wrote, so
    a step that records several events reads the head once.
    """

    def __init__(self, case_id: int, sequence: int | None = None, head_hash: str | None = None):
        self.case_id = case_id
        self.key = chain_key(case_id)
        self._head = (sequence, head_hash) if sequence else None

    @classmethod
    def new(cls, case_id: int) -> CaseChain:
        """The chain of a case created in this transaction: it starts at the genesis link."""
        chain = cls(case_id)
        chain._head = (0, GENESIS_HASH)
        return chain

    def record(self, event_type: str, actor_id: int | None, **data) -> AuditEvent:
        """Add an event to the current transaction (committed with the change it records)."""
        sequence, prev_hash = self._head if self._head is not None else _read_head(self.key)
        event = _append(self.key, self.case_id, sequence + 1, prev_hash, event_type, actor_id, data)
        self._head = (event.sequence, event.hash)
        return event


def record_case_event(case_id: int, event_type: str, actor_id: int | None, **data) -> AuditEvent:
    """One event on a case's chain from a writer that changes nothing else (reads, exports)."""
    if _postgres():
        db.session.execute(sa.select(Case.id).where(Case.id == case_id).with_for_update())
    return CaseChain(case_id).record(event_type, actor_id, **data)


_CASE_LOCKED_NOWAIT = (sa.select(Case.id).where(Case.id == sa.bindparam("case_id"))
                       .with_for_update(nowait=True))


def record_case_read(case_id: int, event_type: str, actor_id: int | None, **data) -> AuditEvent | None:
    """A read of a case on its chain, without waiting behind a step that holds the case row lock.

    A step keeps the lock for its whole transaction; a page that only shows the case must answer
    anyway.  The read waits for the lock briefly (a step normally takes milliseconds); when a step
    holds it longer, the read is written to the audit log (``tsunagi.audit``) instead of the chain
    and the page answers.  Returns the event, or None when it went to the log.
    """
    if not _postgres():
        return record_case_event(case_id, event_type, actor_id, **data)
    # Most reads find the row free: take it at once, without setting and resetting the wait (two
    # round trips fewer).  The head is read afterwards in its own statement all the same: a lock
    # statement's snapshot may predate the commit of the step that just released the row.
    try:
        with db.session.begin_nested():
            db.session.execute(_CASE_LOCKED_NOWAIT, {"case_id": case_id})
    except OperationalError as exc:  # lock_not_available: a step holds the row; wait for it briefly
        if getattr(getattr(exc, "orig", None), "sqlstate", None) != "55P03":
            raise
    else:
        return CaseChain(case_id).record(event_type, actor_id, **data)
    wait_ms = int(current_app.config.get("DB_READ_AUDIT_LOCK_TIMEOUT_MS", 1000))
    try:
        with db.session.begin_nested():
            db.session.execute(sa.text(f"SET LOCAL lock_timeout = {wait_ms}"))
            db.session.execute(sa.select(Case.id).where(Case.id == case_id).with_for_update())
    except OperationalError as exc:  # lock_not_available: the savepoint undid the SET as well
        if getattr(getattr(exc, "orig", None), "sqlstate", None) != "55P03":
            raise
        log.warning("case %s was being changed by a step: %s not chained, logged here: actor=%s %s",
                    case_id, event_type, actor_id, json.dumps(data, ensure_ascii=False, default=str))
        return None
    db.session.execute(sa.text("SET LOCAL lock_timeout = DEFAULT"))
    return CaseChain(case_id).record(event_type, actor_id, **data)


def record_system_event(event_type: str, actor_id: int | None, **data) -> AuditEvent:
    """One event on the system chain (events without a case)."""
    if _postgres():
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:namespace, 0)"),
                           {"namespace": _ADVISORY_NAMESPACE})
    sequence, prev_hash = _read_head(SYSTEM_CHAIN)
    return _append(SYSTEM_CHAIN, None, sequence + 1, prev_hash, event_type, actor_id, data)


_TOKEN_LOCKED = sa.select(ApiToken.id).where(ApiToken.id == sa.bindparam("token_id")).with_for_update()


def record_token_use(token_id: int, actor_id: int | None, **data) -> AuditEvent:
    """One API call on its token's own chain, under the token's row lock (`last_used_at` is written
    under the same lock)."""
    if _postgres():
        db.session.execute(_TOKEN_LOCKED, {"token_id": token_id})
    chain = token_chain_key(token_id)
    sequence, prev_hash = _read_head(chain)
    return _append(chain, None, sequence + 1, prev_hash, TOKEN_USE_EVENT, actor_id, {"token_id": token_id, **data})


def record(event_type: str, case_id: int | None, actor_id: int | None, **data) -> AuditEvent:
    """An event on the chain its case (or none) names, for writers outside a case step."""
    if case_id is None:
        return record_system_event(event_type, actor_id, **data)
    return record_case_event(case_id, event_type, actor_id, **data)
