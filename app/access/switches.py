"""The privacy switches as the access rules read them (changing one is an audited service).

``mask_nhi_as_tax`` (default on): NHI premium arrears (保険年金課) are treated like tax information
until the city's legal team rules otherwise.
"""

from __future__ import annotations

from app.extensions import db
from app.models import PrivacySetting

DEFAULTS = {"mask_nhi_as_tax": True}


def get_setting(key: str):
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(PrivacySetting, key)
    return DEFAULTS[key] if row is None else row.value


def mask_nhi_as_tax() -> bool:
    return bool(get_setting("mask_nhi_as_tax"))


def settings() -> dict:
    return {key: get_setting(key) for key in DEFAULTS}
