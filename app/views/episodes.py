"""Case-page parts of intake from every route: consents (withdrawal), household members, re-consultation."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access, codes
from app.access import access_rule
from app.clock import today as clock_today
from app.errors import ServiceError, ValidationFailed
from app.forms import values as form_values
from app.models import Case
from app.services.cases.opening import get_case_for, open_tasks
from app.services.intake import consents, episodes, households

bp = Blueprint("episodes", __name__, url_prefix="/cases")


def episode_panel(case: Case) -> dict:
    """What the case page shows about the person's episodes, consents and household."""
    later = episodes.later_episodes(case)
    return {
        "may_read": households.may_read_person_records(current_user, case),
        "consents": consents.consents_of(case),
        "members": households.members_for(case),
        "previous": case.previous_case,
        "later": later,
        "may_act": not case.is_closed and access.can_run_action(current_user, case, "household"),
        "may_withdraw": access.can_run_action(current_user, case, "withdraw_consent"),
        "may_open": access.can_open_case(current_user, case.ward),
    }


@bp.route("/<int:case_id>/consents/<int:consent_id>/withdraw", methods=["GET", "POST"])
@login_required
@access_rule("case_action")
def withdraw_consent(case_id: int, consent_id: int):
    case = get_case_for(current_user, case_id)
    consent = consents.consent_of(case, consent_id)
    if consent is None:
        return render_template("error.html", message=_("同意の記録が見つかりません"), status=404), 404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        parts = {p: (request.form.get(f"withdrawn_on-{p}") or "").strip() for p in ("year", "month", "day")}
        raw = parts if any(parts.values()) else (request.form.get("withdrawn_on") or "").strip()
        withdrawn_on = form_values.parse_date(raw) if raw else None
        if raw and withdrawn_on is None:
            errors = {"withdrawn_on": [_("撤回日は正しい日付を入力してください（例: 2026年11月26日）")]}
        if not errors:
            try:
                consents.withdraw_consent(case.id, consent.id, withdrawn_on, request.form.get("note") or None,
                                          current_user)
            except ValidationFailed as exc:
                errors = exc.errors
            else:
                flash(_("同意の撤回を記録しました。これ以降の情報共有は行いません（これまでの記録は残ります）。"))
                return redirect(url_for("cases.show", case_id=case.id)), 303
    status = 422 if errors else 200
    return render_template("episodes/withdraw.html", case=case, consent=consent, errors=errors,
                           values=request.form, today=clock_today()), status


@bp.post("/<int:case_id>/household/members")
@login_required
@access_rule("case_action")
def add_member(case_id: int):
    try:
        households.add_member(case_id, request.form.get("relation", ""), request.form.get("description"),
                              current_user)
    except ValidationFailed as exc:
        flash("; ".join(m for ms in exc.errors.values() for m in ms), "error")
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("世帯員を記録しました（本人が同意・申込するまで、この方の名前では何も作成されません）。"))
    return redirect(url_for("cases.show", case_id=case_id)), 303


@bp.post("/<int:case_id>/household/members/<int:member_id>/episode")
@login_required
@access_rule("case_open")
def member_episode(case_id: int, member_id: int):
    new_case = households.start_member_episode(case_id, member_id, current_user)
    return _to_intake(new_case, _("世帯員本人の相談ケースを開きました"))


@bp.post("/<int:case_id>/reconsultation")
@login_required
@access_rule("case_open")
def reconsultation(case_id: int):
    new_case = episodes.start_reconsultation(case_id, current_user)
    return _to_intake(new_case, _("再相談の相談ケースを開きました（前回のケースとつながっています）"))


def _to_intake(case: Case, message: str):
    flash(message)
    intake = next((t for t in open_tasks(case) if t.form_key == "intake"), None)
    target = url_for("tasks.show", task_id=intake.id) if intake else url_for("cases.show", case_id=case.id)
    return redirect(target), 303


def _consent_scope_label(code: str) -> str:
    from app.views.template_helpers import code_label

    list_name = "CONSENT_SCOPES" if code in codes.CONSENT_SCOPES else "PA_SLIP_CONSENT_SCOPES"
    return code_label(list_name, code)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(episode_panel=episode_panel, consent_scope_label=_consent_scope_label,
                                 code_list_codes=lambda name: list(codes.CODE_LISTS[name]))
