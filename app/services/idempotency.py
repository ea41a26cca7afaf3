"""Idempotency-Key for API steps (opening a case, case actions, completing a task).

The answer is stored in an IdempotencyRecord inside the step's own transaction: either the step and
its answer are both committed, or neither is.  A client whose answer was lost (a timeout, a
connection dropped after the commit, a 500) retries with the same key and gets the first answer
back (`replayed`) instead of a second case or a 409 for a task it already completed.

The key claims its row first (insert and flush); a simultaneous request with the same key waits on
the unique index (PostgreSQL) until the first transaction ends, then replays its answer — or, if the
first step failed and rolled back, runs the step itself.  The same key with another body or on
another endpoint is refused (422), as for referrals.  Step errors are not stored: nothing was
committed, so a retry runs the step again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import IdempotencyRecord, User

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128

# before_commit(result) is called by the service inside its transaction, just before it commits.
BeforeCommit = Callable[[object], None]


@dataclass
class Answer:
    status: int
    body: dict
    replayed: bool = False


def run_once(user: User, key: str | None, request_line: str, payload, status: int,
             step: Callable[[BeforeCommit | None], object], respond: Callable[[object], dict]) -> Answer:
    """Run `step` once per (user, key); `respond(result)` builds the answer inside the transaction."""
    if key is None:
        return Answer(status, respond(step(None)))
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed({HEADER: [f"冪等キーは1〜{MAX_KEY_LENGTH}文字で指定してください"]})
    digest = _digest(request_line, payload)
    user_id = user.id
    earlier = _find(user_id, key)
    if earlier is not None:
        return _replay(earlier, request_line, digest)
    record = IdempotencyRecord(user_id=user_id, key=key, request=request_line[:300], request_hash=digest, status=0)
    try:
        db.session.add(record)
        db.session.flush()  # claims the key now: a simultaneous retry waits here, not after its own step
    except IntegrityError:
        db.session.rollback()
        earlier = _find(user_id, key)
        if earlier is None:  # pragma: no cover - the other request's row vanished between two reads
            raise Conflict("同じ冪等キーの送信が処理中です。しばらくしてからもう一度送信してください") from None
        return _replay(earlier, request_line, digest)

    def before_commit(result) -> None:
        record.response = respond(result)
        record.status = status

    try:
        step(before_commit)
    except BaseException:
        # A step refused before its own transaction began (not found, forbidden) must not leave the
        # claim pending for a later commit of this session: the retry has to run the step again.
        db.session.rollback()
        raise
    return Answer(record.status, record.response)


def _find(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.query(IdempotencyRecord).filter_by(user_id=user_id, key=key).first()


def _replay(record: IdempotencyRecord, request_line: str, digest: str) -> Answer:
    if record.request != request_line[:300] or record.request_hash != digest:
        raise ValidationFailed({HEADER: [
            "この冪等キーは別の内容の送信に使われています。新しい送信には新しいキーを使ってください"]})
    return Answer(record.status, record.response or {}, replayed=True)


def _digest(request_line: str, payload) -> str:
    canonical = json.dumps({"request": request_line, "body": payload}, sort_keys=True, ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
