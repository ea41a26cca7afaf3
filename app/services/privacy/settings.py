"""Switches of the privacy rules, stored in the database; every change is an audit event.

``mask_nhi_as_tax`` (default on): NHI premium arrears (保険年金課) are treated like tax information
until the city's legal team rules otherwise.
"""

from __future__ import annotations

from app import audit_chain as audit
from app.access.switches import DEFAULTS, get_setting, mask_nhi_as_tax, settings
from app.clock import now
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import PrivacySetting, User

CHANGE_ROLES = {"admin"}


def set_setting(key: str, value: bool, reason: str, actor: User) -> PrivacySetting:
    """Change a switch (admins only, with a reason); records ``privacy_setting_changed`` and commits."""
    if not (actor.roles & CHANGE_ROLES):
        raise Forbidden("プライバシー設定を変更できるのはシステム管理者だけです")
    if key not in DEFAULTS:
        raise ValidationFailed({"key": [f"設定 {key} はありません（{', '.join(DEFAULTS)}）"]})
    if not (reason or "").strip():
        raise ValidationFailed({"reason": ["変更の理由を入力してください"]})
    before = get_setting(key)
    row = db.session.get(PrivacySetting, key) or PrivacySetting(key=key)
    row.value = bool(value)
    row.updated_at = now()
    row.updated_by_id = actor.id
    row.reason = reason.strip()
    db.session.add(row)
    audit.record("privacy_setting_changed", None, actor.id, key=key, before=before, after=bool(value),
                 reason=reason.strip())
    db.session.commit()
    return row


__all__ = ["get_setting", "mask_nhi_as_tax", "set_setting", "settings"]
