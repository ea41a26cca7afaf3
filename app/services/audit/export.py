"""Exporting one case's history for an auditor (JSON, printable HTML); each export is audited.

The export holds every event of the case's chain with its hashes, so a reader can check the
chain without the system: sha256 over the canonical payload (see app/models/audit.py).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from app import audit_chain as audit
from app.clock import JST, iso_datetime, now
from app.extensions import db
from app.models import Case, FormSubmission, User
from app.models.audit import canonical_payload, chain_key, utc_iso
from app.services.audit.chain import verify
from app.services.audit.history import case_events
from app.services.privacy import masking

EXPORT_FORMAT = "tsunagi-case-history/1"


def export_case_history(user: User, case: Case, file_format: str) -> dict:
    """The case's history as plain data; records `case_history_exported` and commits."""
    events = case_events(case)
    viewer = masking.viewer_for(user, case)
    report = verify(case.id)
    names = dict(db.session.query(User.id, User.display_name).all())
    submissions = db.session.query(FormSubmission).filter_by(case_id=case.id).order_by(FormSubmission.id).all()
    version = case.process_version
    exported = {
        "format": EXPORT_FORMAT,
        "exported_at": now().astimezone(JST).isoformat(),
        "exported_by": user.username,
        "case": {
            "case_id": case.id, "ward": case.ward, "state": case.state,
            "opened_on": case.opened_on.isoformat(),
            "closed_on": case.closed_on.isoformat() if case.closed_on else None,
            "closure_reason": case.closure_reason,
            "process_id": version.process_id, "process_version": version.version,
            "process_hash": version.content_hash,
        },
        "chain": {
            "chain": chain_key(case.id), "verified": report.ok,
            "problems": [str(p) for p in report.problems], "head": report.heads.get(chain_key(case.id)),
            "hash_rule": "sha256(canonical_payload) with canonical_payload = JSON (sorted keys, no spaces, "
                         "UTF-8) of actor_id, at (UTC, microseconds, Z), case_id, chain, data, event_type, "
                         "prev_hash, sequence",
        },
        "events": [_event(e, names, viewer) for e in events],
        "submissions": [
            {"submission_id": s.id, "form_key": s.form_key, "form_version": s.form_version,
             "submitted_at": iso_datetime(s.submitted_at), "actor": names.get(s.actor_id), "action": s.action,
             "data": masking.mask_form_data(viewer, s.form_key, s.data)[0]}
            for s in submissions
        ],
    }
    exported["chain"]["redaction"] = (
        "events marked redacted have values the exporter may not see replaced (tax, NHI, suicide risk: "
        "domain §7); their own hash cannot be recomputed from the export, the links between events still can; "
        "`tsunagi audit verify` checks them in full")
    audit.record("case_history_exported", case.id, user.id, format=file_format, events=len(events),
                 head=exported["chain"]["head"], basis=viewer.basis)
    db.session.commit()
    return exported


def _event(event, names: dict, viewer) -> dict:
    data = masking.mask_event_data(viewer, event.event_type, event.data)
    shown = {
        # `at` in UTC as the hash covers it; `at_jst` as people read it.
        "sequence": event.sequence, "at": utc_iso(event.at), "at_jst": iso_datetime(event.at),
        "event_type": event.event_type,
        "actor_id": event.actor_id, "actor": names.get(event.actor_id), "case_id": event.case_id,
        "data": data if data is not None else {}, "prev_hash": event.prev_hash, "hash": event.hash,
    }
    if data != (event.data or {}):
        shown["redacted"] = True
    return shown


def check_exported_chain(exported: dict) -> bool:
    """Recompute an export's chain from its own content (what an outside reader would do)."""
    prev = "0" * 64
    for item in exported["events"]:
        at = datetime.fromisoformat(item["at"].replace("Z", "+00:00"))
        payload = canonical_payload(exported["chain"]["chain"], item["sequence"], prev, item["event_type"],
                                    item["case_id"], item["actor_id"], at, item["data"])
        if item["prev_hash"] != prev:
            return False
        if not item.get("redacted") and hashlib.sha256(payload.encode("utf-8")).hexdigest() != item["hash"]:
            return False
        prev = item["hash"]
    return True
