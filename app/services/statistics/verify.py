"""Reconciliation: every counter recomputed from the records against what the pages show."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import StatFact

from . import counting


def differences(month: str | None = None) -> list[str]:
    """One line per counter whose stored value (shown by the pages and API) differs from the recount."""
    if month is not None:
        months = counting.check_range(month, month)
    else:
        stored_months = {m for (m,) in db.session.execute(sa.select(StatFact.month).distinct())}
        recount = counting.derive_facts()
        months = sorted(stored_months | {fact.month for fact in recount})
        if not months:
            return []
    facts = counting.derive_facts() if month is not None else recount
    expected = counting.aggregate_facts(facts, months)
    shown = counting.aggregate(None, months) if months else {}
    found = []
    for ward, mon in sorted(set(expected) | set(shown)):
        if mon not in months:
            continue
        want, have = expected.get((ward, mon), {}), shown.get((ward, mon), {})
        for key in sorted(set(want) | set(have), key=lambda k: tuple(map(str, k))):
            if want.get(key, 0) != have.get(key, 0):
                indicator, detail, of_which_plan = key
                label = indicator + (f"[{detail}]" if detail else "") + (" (of which plan)" if of_which_plan else "")
                found.append(f"{ward} {mon} {label}: shown {have.get(key, 0)}, records {want.get(key, 0)}")
    return found
