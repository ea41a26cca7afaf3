"""Deploying process versions: the BPMN files and form definitions of processes/ and forms/."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app import audit_chain as audit
from app.clock import now
from app.engine import content_hash, parse_xml
from app.extensions import db
from app.forms import load_form_definitions
from app.lifecycle.runtime import engine
from app.lifecycle.versions import current_version, form_definition, spec_for
from app.models import ProcessVersion
from app.services.processes.graph import processes_in


def read_process_files(directory: str) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(Path(directory).glob("*.bpmn"))}


def deploy_from_disk(actor_id: int | None = None, note: str | None = None) -> tuple[ProcessVersion, bool]:
    """Deploy processes/ and forms/ as a new version unless identical to an existing one.

    Returns (version, created).  The caller commits.
    """
    config = current_app.config
    process_id = config["MAIN_PROCESS_ID"]
    files = read_process_files(config["PROCESSES_DIR"])
    forms = {key: d.to_dict() for key, d in load_form_definitions(config["FORMS_DIR"]).items()}
    engine().parse(files, process_id)  # refuse to deploy what does not parse
    return store_version(process_id, files, forms, actor_id, note, source="disk")


def store_version(process_id: str, files: dict[str, str], forms: dict, actor_id: int | None, note: str | None,
                  source: str) -> tuple[ProcessVersion, bool]:
    """Keep ``files`` and ``forms`` as the next immutable version unless identical to one.

    Returns (version, created); audited; the caller commits.
    """
    digest = content_hash({**files, "__forms__": repr(sorted(forms.items()))})
    existing = db.session.query(ProcessVersion).filter_by(process_id=process_id, content_hash=digest).first()
    if existing is not None:
        return existing, False
    latest = db.session.query(db.func.max(ProcessVersion.version)).filter_by(process_id=process_id).scalar()
    version = ProcessVersion(
        process_id=process_id,
        version=(latest or 0) + 1,
        content_hash=digest,
        bpmn_files=files,
        form_definitions=forms,
        note=note,
        deployed_by_id=actor_id,
        deployed_at=now(),  # the injectable clock, like every other time we record
    )
    db.session.add(version)
    db.session.flush()
    audit.record("process_deployed", None, actor_id, process_id=process_id, version=version.version, hash=digest,
                 source=source, note=note)
    return version, True


def process_files(files: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """{filename: [(process id, name)]} of a set of BPMN files (a deployed version, or processes/)."""
    return {name: processes_in(parse_xml(text, name)) for name, text in sorted(files.items())}


__all__ = ["current_version", "deploy_from_disk", "form_definition", "process_files", "read_process_files",
           "spec_for", "store_version"]
