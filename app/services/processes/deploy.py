"""Process versions: what is deployed, and the form definitions each version uses."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.engine import ProcessSpec, content_hash
from app.extensions import db
from app.forms import FormDefinition, load_form_definitions
from app.models import ProcessVersion

from .. import audit
from ..errors import NotFound
from ..runtime import engine, now


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


def spec_for(version: ProcessVersion) -> ProcessSpec:
    return engine().parse(version.bpmn_files, version.process_id)


_definitions: dict[tuple[int, str, str], FormDefinition] = {}


def form_definition(version: ProcessVersion, form_key: str) -> FormDefinition:
    """The form exactly as the version was deployed (cases render with their own version).

    Versions are immutable, so a definition is parsed once per (version, content hash) and the
    large JSON column is not read again.
    """
    key = (version.id, version.content_hash, form_key)
    cached = _definitions.get(key)
    if cached is not None:
        return cached
    raw = version.form_definitions.get(form_key)
    if raw is None:
        raise NotFound(f"form {form_key} is not part of process version {version.version}")
    definition = FormDefinition.from_dict(raw)
    if len(_definitions) > 1024:
        _definitions.clear()
    _definitions[key] = definition
    return definition


def process_files(files: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """{filename: [(process id, name)]} of a set of BPMN files (a deployed version, or processes/)."""
    from app.engine import parse_xml

    from .graph import processes_in

    return {name: processes_in(parse_xml(text, name)) for name, text in sorted(files.items())}
