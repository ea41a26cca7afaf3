"""Process owners' drafts: save from the modeler or an upload, check, deploy, compare versions.

A version is a set of BPMN files: the main process and the processes its call activities call.
A draft replaces one file of the version it was opened from (or adds one); deploying it checks
the whole set and stores that version's other files, the draft and today's form definitions as
the next immutable version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app

from app import audit_chain as audit
from app.access.processes import can_manage_processes
from app.clock import now
from app.engine import MAX_BPMN_BYTES, EngineError, ProcessProblem, VersionDiff, diff_versions, parse_xml
from app.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from app.extensions import db
from app.forms import load_form_definitions
from app.lifecycle.runtime import engine
from app.lifecycle.versions import current_version, spec_for
from app.models import ProcessDraft, ProcessVersion, User
from app.services.processes import graph
from app.services.processes.checks import blocking, check_files
from app.services.processes.deploy import process_files, store_version


class ChecksFailed(ServiceError):
    """The diagram has problems that block a deploy; ``problems`` point at elements."""

    status = 422
    title = "Process checks failed"

    def __init__(self, problems: list[ProcessProblem]):
        super().__init__(f"デプロイできません: {len(blocking(problems))} 件の問題があります")
        self.problems = problems


def require_owner(user: User) -> None:
    if not can_manage_processes(user):
        raise Forbidden("プロセスの編集・デプロイはプロセス管理者だけが行えます")


def main_file(version: ProcessVersion) -> str:
    """The file of the version that holds its main process."""
    return file_of_process(version.bpmn_files, version.process_id) or sorted(version.bpmn_files)[0]


def file_of_process(files: dict[str, str], process_id: str) -> str | None:
    """The file of a set that defines ``process_id`` (None when none does)."""
    for name, processes in process_files(files).items():
        if any(pid == process_id for pid, _name in processes):
            return name
    return None


@dataclass(frozen=True)
class ProcessFile:
    """One file of a version, for the process pages."""

    filename: str
    processes: list  # [(process id, name)]
    calls: list  # [(call activity id, called process id)]
    main: bool


def version_files(version: ProcessVersion) -> list[ProcessFile]:
    """The files of a version, the main process first, then by name."""
    main = main_file(version)
    found = []
    for name, text in version.bpmn_files.items():
        root = parse_xml(text, name)
        found.append(ProcessFile(name, graph.processes_in(root), graph.called_elements(root), name == main))
    return sorted(found, key=lambda f: (not f.main, f.filename))


def version_file(version: ProcessVersion, filename: str | None) -> str:
    """``filename`` when it is a file of the version; None means its main file."""
    if filename is None:
        return main_file(version)
    if filename not in version.bpmn_files:
        raise NotFound(f"版 {version.version} にファイル {filename} はありません")
    return filename


_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}\.bpmn$")


def _draft_filename(base: ProcessVersion, xml: str | bytes, filename: str | None) -> str:
    """Which file of the base version a draft replaces.

    Named by the modeler (the file it opened); for an upload, the file that defines the same
    process, else a new file named after the upload's process id (``support_phase.bpmn``).
    """
    if filename is not None:
        return version_file(base, filename)
    try:
        root = parse_xml(xml, "upload.bpmn")
    except EngineError:
        return main_file(base)  # refused below, with the parser's message
    ids = [pid for pid, _name in graph.processes_in(root)]
    for pid in ids:
        existing = file_of_process(base.bpmn_files, pid)
        if existing is not None:
            return existing
    if ids and _SAFE_NAME.match(f"{ids[0]}.bpmn"):
        return f"{ids[0]}.bpmn"
    return main_file(base)


def get_version(process_id: str, number: int) -> ProcessVersion:
    version = db.session.query(ProcessVersion).filter_by(process_id=process_id, version=number).first()
    if version is None:
        raise NotFound(f"{process_id} の版 {number} はありません")
    return version


def versions(process_id: str) -> list[ProcessVersion]:
    return (db.session.query(ProcessVersion).filter_by(process_id=process_id)
            .order_by(ProcessVersion.version.desc()).all())


def drafts(process_id: str) -> list[ProcessDraft]:
    return (db.session.query(ProcessDraft).filter_by(process_id=process_id, deployed_version_id=None)
            .order_by(ProcessDraft.saved_at.desc()).all())


def get_draft(user: User, draft_id: int) -> ProcessDraft:
    require_owner(user)
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound("下書きが見つかりません")
    return draft


def _refuse_unsafe(xml: str | bytes, filename: str) -> str:
    """Size cap and hardened parse before anything is stored (XXE, DTDs, entity bombs)."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    if len(raw) > MAX_BPMN_BYTES:
        raise ValidationFailed({"bpmn": [f"ファイルが大きすぎます（上限 {MAX_BPMN_BYTES // 1024} KB）"]})
    try:
        parse_xml(raw, filename)
        text = raw.decode("utf-8")
    except EngineError as exc:
        raise ValidationFailed({"bpmn": [f"安全でない、または壊れた XML は受け付けません: {exc}"]}) from exc
    except UnicodeDecodeError as exc:
        raise ValidationFailed({"bpmn": ["XML は UTF-8 で保存してください"]}) from exc
    return text


def save_draft(user: User, xml: str | bytes, base_version_id: int | None = None, draft_id: int | None = None,
               note: str | None = None, filename: str | None = None) -> ProcessDraft:
    """Create or update a draft of one file of a version; refused before storage when unsafe or too large."""
    require_owner(user)
    if draft_id is not None:
        draft = get_draft(user, draft_id)
        if draft.deployed_version_id is not None:
            raise ValidationFailed({"bpmn": ["この下書きはデプロイ済みです。新しい下書きとして保存してください"]})
    else:
        base = db.session.get(ProcessVersion, base_version_id) if base_version_id else current_version()
        if base is None:
            raise NotFound("元の版が見つかりません")
        draft = ProcessDraft(process_id=base.process_id, filename=_draft_filename(base, xml, filename),
                             base_version_id=base.id)
        db.session.add(draft)
    draft.bpmn_xml = _refuse_unsafe(xml, draft.filename)
    draft.note = note if note is not None else draft.note
    draft.saved_by_id = user.id
    draft.saved_at = now()
    db.session.flush()
    audit.record("process_draft_saved", None, user.id, process_id=draft.process_id, draft_id=draft.id,
                 file=draft.filename, bytes=len(draft.bpmn_xml.encode("utf-8")))
    db.session.commit()
    return draft


def base_version(draft: ProcessDraft) -> ProcessVersion | None:
    return db.session.get(ProcessVersion, draft.base_version_id) if draft.base_version_id else None


def _draft_files(draft: ProcessDraft) -> dict[str, str]:
    base = db.session.get(ProcessVersion, draft.base_version_id) if draft.base_version_id else None
    files = dict(base.bpmn_files) if base is not None else {}
    files[draft.filename] = draft.bpmn_xml
    return files


def _disk_forms() -> dict:
    return load_form_definitions(current_app.config["FORMS_DIR"])


def check_draft(user: User, draft_id: int) -> list[ProcessProblem]:
    draft = get_draft(user, draft_id)
    return check_files(_draft_files(draft), draft.process_id, _disk_forms())


def deploy_draft(user: User, draft_id: int, note: str | None) -> ProcessVersion:
    """Run every check; when none blocks, store version N (BPMN + forms) and audit it."""
    draft = get_draft(user, draft_id)
    if draft.deployed_version_id is not None:
        raise ValidationFailed({"bpmn": ["この下書きはデプロイ済みです"]})
    if not (note or "").strip():
        raise ValidationFailed({"note": ["変更内容（変更メモ）を入力してください"]})
    files = _draft_files(draft)
    forms = _disk_forms()
    problems = check_files(files, draft.process_id, forms)
    if blocking(problems):
        raise ChecksFailed(problems)
    version, created = store_version(draft.process_id, files, {k: d.to_dict() for k, d in forms.items()},
                                     user.id, note.strip(), source="modeler")
    if not created:
        raise ValidationFailed({"bpmn": [f"版 {version.version} と同じ内容です（変更がありません）"]})
    draft.deployed_version_id = version.id
    db.session.commit()
    return version


def diff(process_id: str, old_number: int, new_number: int) -> VersionDiff:
    old, new = get_version(process_id, old_number), get_version(process_id, new_number)
    return diff_versions(engine(), spec_for(old), spec_for(new))


def element_files(version: ProcessVersion) -> dict[str, str]:
    """{element id: file} for every element of a version (to show a diff file by file)."""
    found = {}
    for name, text in sorted(version.bpmn_files.items()):
        for element in parse_xml(text, name).iter():
            if isinstance(element.tag, str) and element.get("id"):
                found.setdefault(element.get("id"), name)
    return found


def diff_by_file(process_id: str, old_number: int, new_number: int) -> tuple[VersionDiff, dict[str, str]]:
    """The diff and {element id: file it is in} (the new version's file, else the old one's)."""
    old, new = get_version(process_id, old_number), get_version(process_id, new_number)
    return diff(process_id, old_number, new_number), {**element_files(old), **element_files(new)}
