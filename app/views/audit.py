"""Auditor pages: case timeline, forms as submitted, data differences, diagram step-through, exports."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from app.access import access_rule
from app.access.history import refuses_change
from app.forms import build_form_class
from app.services.audit import history
from app.services.audit.export import export_case_history
from app.services.privacy import masking

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _locale() -> str:
    return str(get_locale() or "ja")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.get("/")
@login_required
@access_rule("case_history")
def index():
    cases = history.cases_for_auditor(current_user, _int_arg("case_id"), request.args.get("ward") or None)
    return render_template("audit/index.html", cases=cases)


@bp.get("/cases/<int:case_id>")
@login_required
@access_rule("case_history")
def timeline(case_id: int):
    case = history.case_for_auditor(current_user, case_id)
    page = history.timeline_page(case, _int_arg("from") or 1, _locale())
    html = render_template("audit/timeline.html", case=case, entries=page.entries, page=page)
    # Recorded once the page is made (its commit would expire the case the page reads) and before
    # it is sent: no page leaves without its read in the audit trail.
    history.note_read(current_user, case, "timeline", **({"from_sequence": page.start} if page.start > 1 else {}))
    return html


@bp.get("/cases/<int:case_id>/submissions/<int:submission_id>")
@login_required
@access_rule("case_history")
def submission(case_id: int, submission_id: int):
    case = history.case_for_auditor(current_user, case_id)
    shown = history.submitted_form(case, submission_id)
    form_class = build_form_class(shown.definition, locale=_locale())
    viewer = masking.viewer_for(current_user, case)
    values, hidden = masking.mask_form_data(viewer, shown.submission.form_key, shown.submission.data)
    values = {key: value for key, value in values.items() if key not in hidden}
    form = form_class(formdata=None, data=values, meta={"csrf": False})
    history.note_read(current_user, case, "submission", submission_id=submission_id)
    hidden_labels = [shown.definition.field(name).label(_locale()) if shown.definition.has_field(name) else name
                     for name in hidden]
    return render_template("audit/submission.html", case=case, shown=shown, form=form, hidden_labels=hidden_labels)


@bp.get("/cases/<int:case_id>/diff")
@login_required
@access_rule("case_history")
def diff(case_id: int):
    case = history.case_for_auditor(current_user, case_id)
    entries = history.timeline(case, _locale())
    last = entries[-1].sequence if entries else 0
    first, second = _int_arg("from") or 1, _int_arg("to") or last
    changes = masking.mask_diff(masking.viewer_for(current_user, case),
                                history.data_diff(case, min(first, second), max(first, second)))
    history.note_read(current_user, case, "diff", from_sequence=changes.from_sequence, to_sequence=changes.to_sequence)
    return render_template("audit/diff.html", case=case, entries=entries, diff=changes, labels=_labels(case),
                           shown_value=_values(case))


def _labels(case):
    """label(form_key, field) in the case's own form version, for the diff table."""
    from app.lifecycle.versions import form_definition

    def label(form_key: str, name: str) -> str:
        try:
            definition = form_definition(case.process_version, form_key)
        except Exception:  # "case" and records of forms no longer in the version
            return name
        return definition.field(name).label(_locale()) if definition.has_field(name) else name

    return label


# Fields of the case record itself, as the diff names them.
CASE_FIELD_CODES = {"state": "CASE_STATES", "ward": "WARDS", "closure_reason": "CLOSURE_REASONS"}


def _values(case):
    """value(form_key, field, value) as a person reads it: choice labels, はい/いいえ, Japanese dates."""
    from app.lifecycle.versions import form_definition
    from app.views.template_helpers import code_label, display_value, jdate

    def value(form_key: str, name: str, raw) -> str:
        if raw is None:
            return "—"
        if form_key == "case" and name in CASE_FIELD_CODES:
            return code_label(CASE_FIELD_CODES[name], raw)
        try:
            fdef = form_definition(case.process_version, form_key).field(name)
        except Exception:  # "case" and records of forms no longer in the version
            fdef = None
        if fdef is not None and fdef.type == "code":
            return fdef.choice_label(str(raw), _locale())
        if fdef is not None and fdef.type == "codes" and isinstance(raw, list):
            return "、".join(fdef.choice_label(str(code), _locale()) for code in raw) or "—"
        if fdef is not None and fdef.type == "date" and isinstance(raw, str):
            return jdate(raw)
        if fdef is not None and fdef.type == "int" and isinstance(raw, int) and fdef.unit != "yen":
            return f"{raw:,}"
        if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            return jdate(raw)
        return display_value(raw)

    return value


@bp.get("/cases/<int:case_id>/steps")
@login_required
@access_rule("case_history")
def steps(case_id: int):
    case = history.case_for_auditor(current_user, case_id)
    data = history.step_through(case, _int_arg("step"))
    history.note_read(current_user, case, "steps", step=data["step"])
    return render_template("audit/steps.html", case=case, data=data, files=history.diagram_files(case),
                           bpmn_js_version=_bpmn_js_version())


@lru_cache(maxsize=1)
def _bpmn_js_version() -> str:
    """The newest vendored bpmn-js that ships the navigated viewer (static/vendor/bpmn-js/<version>/)."""
    folder = Path(current_app.static_folder) / "vendor" / "bpmn-js"
    found = [p.parent.name for p in folder.glob("*/bpmn-navigated-viewer.production.min.js")]
    return max(found, key=lambda v: tuple(int(x) if x.isdigit() else 0 for x in v.split(".")), default="missing")


@bp.get("/cases/<int:case_id>/steps.json")
@login_required
@access_rule("case_history")
def steps_json(case_id: int):
    case = history.case_for_auditor(current_user, case_id)
    return jsonify(history.step_through(case, _int_arg("step")))


@bp.get("/cases/<int:case_id>/diagram.bpmn")
@login_required
@access_rule("case_history")
def diagram(case_id: int):
    case = history.case_for_auditor(current_user, case_id)
    return Response(history.diagram_xml(case, request.args.get("file")), mimetype="application/xml")


@bp.get("/cases/<int:case_id>/export.json")
@login_required
@access_rule("case_history")
def export_json(case_id: int):
    case = history.case_for_auditor(current_user, case_id)
    response = jsonify(export_case_history(current_user, case, "json"))
    response.headers["Content-Disposition"] = f'attachment; filename="case-{case.id}-history.json"'
    return response


@bp.get("/cases/<int:case_id>/export.html")
@login_required
@access_rule("case_history")
def export_html(case_id: int):
    case = history.case_for_auditor(current_user, case_id)
    exported = export_case_history(current_user, case, "html")
    return render_template("audit/export.html", case=case, exported=exported, field_label=_labels(case),
                           shown_value=_values(case))


def _refuse_read_only_changes():
    """Auditors read; any request of theirs that could change something is refused and audited."""
    user = g.get("api_user") or current_user
    if not refuses_change(user, request.method, request.endpoint):
        return None
    history.record_refused_change(user, request.method, request.path, request.endpoint, request.view_args)
    message = "監査担当は閲覧のみです。変更はできません（この操作は記録されました）"
    if request.path.startswith("/api/"):
        from app.views.api.problems import problem

        return problem(403, message)
    return render_template("error.html", message=message, status=403), 403


def register_audit(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_refuse_read_only_changes)
    # The API signs its user in from the bearer token in its own before_request, which runs
    # after the app's; run the same refusal once more after it.
    app.before_request_funcs.setdefault("api", []).append(_refuse_read_only_changes)
