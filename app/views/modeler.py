"""Process owners' pages: versions, the bpmn-js modeler, checks, deploy, diff and migration.

A version is a set of BPMN files (the main process and the processes it calls); the modeler
opens any file of it (``?file=``), a draft names its file, and checks and deploys take the set.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app.access.registry import access_rule
from app.codes import ROLES
from app.engine import MAX_BPMN_BYTES
from app.errors import ServiceError, ValidationFailed
from app.forms import load_form_definitions
from app.services.processes import drafts, migration

bp = Blueprint("modeler", __name__, url_prefix="/processes")
BPMN_JS_VERSION = "18.31.1"


def _process_id() -> str:
    return current_app.config["MAIN_PROCESS_ID"]


def _problems_json(problems) -> list[dict]:
    return [{"message": p.message, "element_id": p.element_id, "file": p.file, "severity": p.severity}
            for p in problems]


def _error_json(exc: ServiceError):
    body = {"title": exc.title, "detail": exc.message, "status": exc.status}
    if isinstance(exc, ValidationFailed):
        body["errors"] = exc.errors
    if isinstance(exc, drafts.ChecksFailed):
        body["problems"] = _problems_json(exc.problems)
    return jsonify(body), exc.status


@bp.get("/")
@login_required
@access_rule("process_admin")
def index():
    drafts.require_owner(current_user)
    versions = drafts.versions(_process_id())
    files = drafts.version_files(versions[0]) if versions else []
    return render_template("modeler/index.html", versions=versions, files=files,
                           drafts=drafts.drafts(_process_id()), max_kb=MAX_BPMN_BYTES // 1024)


def _modeler_config(xml_url: str, version_id: int | None, draft_id: int | None, filename: str) -> dict:
    locale_forms = load_form_definitions(current_app.config["FORMS_DIR"])
    locale = str(get_locale() or "ja")
    return {
        "xmlUrl": xml_url, "baseVersionId": version_id, "draftId": draft_id, "csrfToken": generate_csrf(),
        "filename": filename,
        "saveUrl": url_for("modeler.save_draft"), "indexUrl": url_for("modeler.index"),
        "moddleUrl": url_for("static", filename="js/spiffworkflow-moddle.json"),
        "forms": [{"key": k, "title": d.title(locale)} for k, d in sorted(locale_forms.items())],
        "roles": [{"code": code, "label": entry.get(locale, code)} for code, entry in ROLES.items()],
        "messages": {
            "loaded": _("図を読み込みました"), "saved": _("下書き #%(id)s を保存しました", id="{id}"),
            "passed": _("チェックに通りました"), "blocking": _("デプロイできない問題が %(n)s 件あります", n="{n}"),
            "none": _("問題はありません"), "error": _("エラー"), "warning": _("警告"),
        },
    }


@bp.get("/versions/<int:number>/modeler")
@login_required
@access_rule("process_admin")
def edit_version(number: int):
    drafts.require_owner(current_user)
    version = drafts.get_version(_process_id(), number)
    filename = drafts.version_file(version, request.args.get("file"))
    config = _modeler_config(url_for("modeler.version_xml", number=number, file=filename), version.id, None, filename)
    return render_template("modeler/modeler.html", config=config, version=version, draft=None, filename=filename,
                           files=drafts.version_files(version), bpmn_js=BPMN_JS_VERSION)


@bp.get("/drafts/<int:draft_id>/modeler")
@login_required
@access_rule("process_admin")
def edit_draft(draft_id: int):
    draft = drafts.get_draft(current_user, draft_id)
    config = _modeler_config(url_for("modeler.draft_xml", draft_id=draft.id), draft.base_version_id, draft.id,
                             draft.filename)
    base = drafts.base_version(draft)
    return render_template("modeler/modeler.html", config=config, version=base, draft=draft, filename=draft.filename,
                           files=drafts.version_files(base) if base else [], bpmn_js=BPMN_JS_VERSION)


@bp.get("/versions/<int:number>/bpmn")
@login_required
@access_rule("process_admin")
def version_xml(number: int):
    drafts.require_owner(current_user)
    version = drafts.get_version(_process_id(), number)
    return Response(version.bpmn_files[drafts.version_file(version, request.args.get("file"))],
                    mimetype="application/xml")


@bp.get("/drafts/<int:draft_id>/bpmn")
@login_required
@access_rule("process_admin")
def draft_xml(draft_id: int):
    return Response(drafts.get_draft(current_user, draft_id).bpmn_xml, mimetype="application/xml")


@bp.post("/drafts")
@login_required
@access_rule("process_admin")
def save_draft():
    """JSON from the modeler ({xml, baseVersionId, draftId}) or a file upload from the index page."""
    if request.content_length and request.content_length > MAX_BPMN_BYTES + 64 * 1024:
        too_big = _("ファイルが大きすぎます（上限 %(kb)s KB）", kb=MAX_BPMN_BYTES // 1024)
        if request.mimetype == "multipart/form-data":  # the index page's upload: say it on the page
            flash(too_big, "error")
            return redirect(url_for("modeler.index")), 303
        return _error_json(ValidationFailed({"bpmn": [too_big]}, too_big))
    upload = request.files.get("bpmn")
    body = {} if upload is not None else (request.get_json(silent=True) or {})
    try:
        xml = upload.read(MAX_BPMN_BYTES + 1) if upload is not None else str(body.get("xml") or "")
        draft = drafts.save_draft(current_user, xml, body.get("baseVersionId"), body.get("draftId"),
                                  filename=body.get("filename") or None)
    except ServiceError as exc:
        if upload is None:
            return _error_json(exc)
        flash("; ".join(m for ms in getattr(exc, "errors", {}).values() for m in ms) or exc.message, "error")
        return redirect(url_for("modeler.index")), 303
    if upload is not None:
        return redirect(url_for("modeler.edit_draft", draft_id=draft.id)), 303
    return jsonify({"draftId": draft.id, "url": url_for("modeler.edit_draft", draft_id=draft.id),
                    "checkUrl": url_for("modeler.check", draft_id=draft.id),
                    "deployUrl": url_for("modeler.deploy", draft_id=draft.id)})


@bp.post("/drafts/<int:draft_id>/check")
@login_required
@access_rule("process_admin")
def check(draft_id: int):
    try:
        problems = drafts.check_draft(current_user, draft_id)
    except ServiceError as exc:
        return _error_json(exc)
    return jsonify({"problems": _problems_json(problems), "blocking": len(drafts.blocking(problems))})


@bp.post("/drafts/<int:draft_id>/deploy")
@login_required
@access_rule("process_admin")
def deploy(draft_id: int):
    note = (request.get_json(silent=True) or {}).get("note") or request.form.get("note")
    try:
        version = drafts.deploy_draft(current_user, draft_id, note)
    except ServiceError as exc:
        return _error_json(exc)
    flash(_("版 %(number)s をデプロイしました", number=version.version))
    return jsonify({"version": version.version, "url": url_for("modeler.index")})


@bp.get("/diff")
@login_required
@access_rule("process_admin")
def diff():
    drafts.require_owner(current_user)
    old, new = request.args.get("old", type=int), request.args.get("new", type=int)
    if not old or not new:
        return redirect(url_for("modeler.index")), 303
    changes, where = drafts.diff_by_file(_process_id(), old, new)
    old_version, new_version = drafts.get_version(_process_id(), old), drafts.get_version(_process_id(), new)
    files = sorted(set(old_version.bpmn_files) | set(new_version.bpmn_files),
                   key=lambda name: (name != drafts.main_file(new_version), name))
    shown = request.args.get("file") if request.args.get("file") in files else files[0]
    urls = {number: url_for("modeler.version_xml", number=number, file=shown) if shown in v.bpmn_files else None
            for number, v in ((old, old_version), (new, new_version))}
    return render_template("modeler/diff.html", old=old, new=new, changes=changes, where=where, files=files,
                           shown=shown, urls=urls, bpmn_js=BPMN_JS_VERSION)


@bp.route("/versions/<int:number>/migration", methods=["GET", "POST"])
@login_required
@access_rule("process_admin")
def migrate(number: int):
    if request.method == "POST":
        report = migration.migrate_cases(current_user, _process_id(), number)
        return render_template("modeler/migration.html", report=report, done=True)
    report = migration.dry_run(current_user, _process_id(), number)
    return render_template("modeler/migration.html", report=report, done=False)


@bp.post("/cases/<int:case_id>/move")
@login_required
@access_rule("process_admin")
def move_case(case_id: int):
    target = request.form.get("version", type=int) or 0
    result = migration.move_case(current_user, case_id, target)
    if result.result == "migrated":
        flash(_("ケース #%(case)s を版 %(number)s に移行しました", case=case_id, number=target))
    else:
        flash(_("ケース #%(case)s は移行できません: %(detail)s", case=case_id, detail=result.detail), "error")
    return redirect(url_for("modeler.index")), 303
