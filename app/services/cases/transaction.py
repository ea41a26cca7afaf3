"""One case step, one transaction: commit it whole, or roll it back and say why in the users' words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.audit_chain import record
from app.engine import EngineError, TaskNotReady
from app.errors import Conflict, StepFailed
from app.extensions import db
from app.models import User


@dataclass
class Attempt:
    """What the step is, for the error message and the operators' `step_failed` event."""

    kind: str  # タスク or 操作, as the message names it
    what: str = ""
    case_id: int | None = None
    element_id: str | None = None


_BUSY_SQLSTATES = {"55P03", "57014"}  # lock_not_available, query_canceled


@contextmanager
def one_transaction(actor: User, attempt: Attempt) -> Iterator[Attempt]:
    try:
        yield attempt
        db.session.commit()
    except TaskNotReady as exc:
        db.session.rollback()
        raise Conflict("このタスクはもう処理できません（ケースの状況が変わりました）") from exc
    except EngineError as exc:
        db.session.rollback()
        record_step_failure(attempt.case_id, actor.id, attempt.what, exc.element_id or attempt.element_id, exc)
        raise StepFailed(f"{attempt.kind}「{attempt.what}」の処理に失敗しました。変更は保存されていません。",
                         exc.element_id) from exc
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict("他の職員が同時にこのケースを更新しました。画面を開き直してください") from exc
    except OperationalError as exc:
        db.session.rollback()
        _raise_busy_as_conflict(exc)
        raise
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def busy_case_is_conflict() -> Iterator[None]:
    """Waiting for a case row outside `one_transaction` ends the same way: nothing saved, a Conflict."""
    try:
        yield
    except OperationalError as exc:
        db.session.rollback()
        _raise_busy_as_conflict(exc)
        raise


def _raise_busy_as_conflict(exc: OperationalError) -> None:
    # PostgreSQL's lock_timeout (another step holds the case) or statement_timeout: the case is
    # busy, nothing was saved, trying again later is right; anything else stays an error.
    if getattr(getattr(exc, "orig", None), "sqlstate", None) in _BUSY_SQLSTATES:
        raise Conflict("このケースは別の処理の途中です。変更は保存されていません。"
                       "しばらくしてからやり直してください") from exc


def record_step_failure(case_id: int | None, actor_id: int, what: str, element_id: str | None,
                        exc: Exception) -> None:
    """Operators must see failed steps even though the step itself was rolled back."""
    record("step_failed", case_id, actor_id, what=what, element_id=element_id, error=str(exc)[:1000])
    db.session.commit()
