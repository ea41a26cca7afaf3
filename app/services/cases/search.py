"""Case search for ward staff: by case id, name or kana; results go through the masking rules."""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from sqlalchemy import or_
from sqlalchemy.orm import contains_eager, joinedload

from app import access
from app.access.flags import protected_person_ids
from app.access.policy import WHOLE_WARD_READERS
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.forms.jp import normalize_kana
from app.models import Case, Person, User
from app.services.privacy.masking import risk_flags_of, search_result, viewer_for

LIMIT = 50


def can_search(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.roles & WHOLE_WARD_READERS) \
        and user.ward is not None


def _plan_for_these_words() -> None:
    """Have PostgreSQL plan the search for the words asked, for the rest of this transaction.

    The statement's text is the same for every search, so the driver prepares it and the server
    may settle on one generic plan: after a few common names that is the walk back through every
    case by id, which a rare name (a few hits, no early stop) pays with the whole table.  With the
    words known, a rare name reads the trigram indexes instead.  A SELECT, so the read-only request
    still ends with a commit."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.set_config("plan_cache_mode", "force_custom_plan", True)))


def search_cases(user: User, q: str) -> list[dict]:
    """Cases of the user's ward (and of the workers they cover) matching ``q``, newest first."""
    if not can_search(user):
        raise Forbidden("相談ケースを検索できるのは区の相談支援員・主任・係長です")
    text = unicodedata.normalize("NFKC", (q or "")).strip().lstrip("#")
    if not text:
        raise ValidationFailed({"q": ["検索する氏名・フリガナ・ケース番号を入力してください"]})
    if len(text) > 100:
        raise ValidationFailed({"q": ["検索語は100文字以内で入力してください"]})
    if any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in text):
        # The database cannot hold these (NUL, halves of a surrogate pair): a clear answer, not a failure.
        raise ValidationFailed({"q": ["検索語に使えない文字が含まれています"]})
    # Each result shows its person and caseworker: loaded with the cases, not one query per row.
    query = (db.session.query(Case).outerjoin(Person, Case.person_id == Person.id)
             .options(contains_eager(Case.person), joinedload(Case.assigned_to)))
    covered = access.covered_user_ids(user)
    query = query.filter(or_(Case.ward == user.ward, Case.assigned_to_id.in_(covered or {-1})))
    compact = text.replace(" ", "")
    clauses = [Person.name.contains(text, autoescape=True), Person.kana.contains(normalize_kana(text), autoescape=True),
               db.func.replace(Person.name, " ", "").contains(compact, autoescape=True),
               db.func.replace(Person.kana, " ", "").contains(normalize_kana(compact), autoescape=True)]
    if text.isdigit() and len(text) < 10:
        clauses.append(Case.id == int(text))
    _plan_for_these_words()
    cases = [case for case in query.filter(or_(*clauses)).order_by(Case.id.desc()).limit(LIMIT)
             if access.can_view_case(user, case)]
    flags = risk_flags_of([case.id for case in cases])
    protected = protected_person_ids(case.person_id for case in cases)
    return [search_result(viewer_for(user, case), flags[case.id], case.person_id in protected) for case in cases]
