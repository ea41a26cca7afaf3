"""Process versions: what is deployed, and the form definitions each version uses."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app

from app.engine import ProcessSpec, content_hash
from app.extensions import db
from app.forms import FormDefinition, load_form_definitions
from app.models import ProcessVersion

from . import audit
from .errors import NotFound
from .runtime import engine


def read_process_files(directory: str) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(Path(directory).glob("*.bpmn"))}


def current_version(process_id: str | None = None) -> ProcessVersion:
    """The newest deployed version of the main process."""
    process_id = process_id or current_app.config["MAIN_PROCESS_ID"]
    version = (
        db.session.query(ProcessVersion)
        .filter_by(process_id=process_id)
        .order_by(ProcessVersion.version.desc())
        .first()
    )
    if version is None:
        raise NotFound(f"process {process_id} has not been deployed")
    return version


def deploy_from_disk(actor_id: int | None = None, note: str | None = None) -> tuple[ProcessVersion, bool]:
    """Deploy processes/ and forms/ as a new version unless identical to an existing one.

    Returns (version, created).  The caller commits.
    """
    config = current_app.config
    process_id = config["MAIN_PROCESS_ID"]
    files = read_process_files(config["PROCESSES_DIR"])
    forms = {key: d.to_dict() for key, d in load_form_definitions(config["FORMS_DIR"]).items()}
    engine().parse(files, process_id)  # refuse to deploy what does not parse
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
    )
    db.session.add(version)
    db.session.flush()
    audit.record("process_deployed", None, actor_id, process_id=process_id, version=version.version, hash=digest)
    return version, True


def spec_for(version: ProcessVersion) -> ProcessSpec:
    return engine().parse(version.bpmn_files, version.process_id)


@lru_cache(maxsize=256)
def _definition_from(key: str, version_id: int, frozen: str) -> FormDefinition:
    import json

    return FormDefinition.from_dict(json.loads(frozen))


def form_definition(version: ProcessVersion, form_key: str) -> FormDefinition:
    """The form exactly as the version was deployed (cases render with their own version)."""
    import json

    raw = version.form_definitions.get(form_key)
    if raw is None:
        raise NotFound(f"form {form_key} is not part of process version {version.version}")
    return _definition_from(form_key, version.id, json.dumps(raw, sort_keys=True, ensure_ascii=False))
