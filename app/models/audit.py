"""Audit events: append-only and hash-chained, one chain per case, one per API token for its uses, and
one for the other events without a case.

Each event stores the hash of the event before it in its chain (`prev_hash`) and its own
`hash` = SHA-256 over the canonical payload (chain, sequence, previous hash, type, case,
actor, time, data).  Editing, deleting or reordering a row breaks the chain at that row,
which `tsunagi audit verify` reports.

On PostgreSQL a trigger (installed by the migration and by `create_all`) refuses UPDATE,
DELETE and TRUNCATE on the table for every role, the application's included.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow

GENESIS_HASH = "0" * 64
SYSTEM_CHAIN = "system"


class AuditEvent(db.Model):
    """Append-only record of what happened; event types are subject_past_tense_verb."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.UniqueConstraint("chain", "sequence", name="uq_audit_events_chain_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    event_type: Mapped[str] = mapped_column(sa.String(64), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    chain: Mapped[str] = mapped_column(sa.String(32))
    sequence: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor = relationship("User")


TOKEN_CHAIN_PREFIX = "token:"
TOKEN_USE_EVENT = "api_token_used"


def chain_key(case_id: int | None) -> str:
    return f"case:{case_id}" if case_id is not None else SYSTEM_CHAIN


def token_chain_key(token_id: int) -> str:
    """The chain of one API token's uses: every API call appends one event, so the calls of different
    tokens must not queue on one chain's lock."""
    return f"{TOKEN_CHAIN_PREFIX}{token_id}"


def belongs_in_chain(event: AuditEvent, chain: str) -> bool:
    """Whether the event may sit in this chain (a row moved to another chain is tampering)."""
    if event.case_id is not None:
        return chain == chain_key(event.case_id)
    if chain.startswith(TOKEN_CHAIN_PREFIX):
        token_id = (event.data or {}).get("token_id")
        return event.event_type == TOKEN_USE_EVENT and chain == token_chain_key(token_id)
    return chain == SYSTEM_CHAIN


def utc_iso(value: datetime) -> str:
    # SQLite hands datetimes back naive; everything is stored in UTC.
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept (JSONB reorders keys)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_payload(chain: str, sequence: int, prev_hash: str, event_type: str, case_id: int | None,
                      actor_id: int | None, at: datetime, data: dict) -> str:
    return canonical_json({
        "actor_id": actor_id, "at": utc_iso(at), "case_id": case_id, "chain": chain, "data": data,
        "event_type": event_type, "prev_hash": prev_hash, "sequence": sequence,
    })


def event_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def expected_hash(event: AuditEvent) -> str:
    """The hash the row should carry given its stored content."""
    return event_hash(canonical_payload(event.chain, event.sequence, event.prev_hash, event.event_type,
                                        event.case_id, event.actor_id, event.at, event.data or {}))


# Kept as data so that the migration installs exactly the same protection.
APPEND_ONLY_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    -- No percent signs here: DDL() and op.execute() treat them as format markers.
    RAISE EXCEPTION USING MESSAGE = 'audit_events is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER_SQL = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
)
NO_TRUNCATE_TRIGGER_SQL = (
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
)
APPEND_ONLY_SQL = (APPEND_ONLY_FUNCTION_SQL, APPEND_ONLY_TRIGGER_SQL, NO_TRUNCATE_TRIGGER_SQL)

for _statement in APPEND_ONLY_SQL:
    sa.event.listen(AuditEvent.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
