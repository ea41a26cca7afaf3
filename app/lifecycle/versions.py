"""Deployed process versions as a running case sees them: the current one, its parsed spec, its forms.

Versions are immutable: a case runs on the exact BPMN and forms of its own version.
"""

from __future__ import annotations

from flask import current_app

from app.engine import ProcessSpec
from app.errors import NotFound
from app.extensions import db
from app.forms import FormDefinition
from app.models import ProcessVersion

from .runtime import engine


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
