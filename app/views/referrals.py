"""Pages for the slips that connect a person to the desk: 連絡票 and 情報提供票."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.access import access_rule
from app.codes import WARDS
from app.errors import ValidationFailed
from app.forms import build_form_class
from app.services import processes
from app.services.intake import referrals as referral_intake

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

SLIPS = {
    "referral_slip": (referral_intake.submit_referral, access.can_submit_referral),
    "pa_discontinuation_slip": (referral_intake.submit_pa_slip, access.can_submit_pa_slip),
}


@bp.get("/")
@login_required
@access_rule("referral_submit")
def index():
    may_refer, may_pa = access.can_submit_referral(current_user), access.can_submit_pa_slip(current_user)
    if not (may_refer or may_pa):
        abort(403)
    receipts = referral_intake.sent_by(current_user)
    return render_template("referrals/index.html", statuses=[referral_intake.status_of(r) for r in receipts],
                           may_refer=may_refer, may_pa=may_pa)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@access_rule("referral_submit")
def new():
    return _slip_page("referral_slip")


@bp.route("/pa/new", methods=["GET", "POST"])
@login_required
@access_rule("pa_slip_submit")
def new_pa():
    return _slip_page("pa_discontinuation_slip")


def _slip_page(form_key: str):
    submit, allowed = SLIPS[form_key]
    if not allowed(current_user):
        abort(403)
    definition = processes.form_definition(processes.current_version(), form_key)
    form_class = build_form_class(definition, locale=str(get_locale()))
    form = form_class(formdata=request.form if request.method == "POST" else None)
    key = request.form.get("idempotency_key") or secrets.token_urlsafe(24)
    ward = request.form.get("ward") or current_user.ward or ""
    page = {"definition": definition, "form": form, "idempotency_key": key, "ward": ward, "wards": WARDS,
            "form_key": form_key, "ward_error": None,
            # the approving chief is picked from the ward's chiefs, not typed as a user name
            "picks": {"approved_by": [(u.username, u.display_name) for u in referral_intake.ward_chiefs(ward)]}}
    if request.method == "GET":
        return render_template("referrals/new.html", **page)
    if not form.validate():
        return render_template("referrals/new.html", **page), 422
    try:
        receipt, replayed = submit(ward, form.clean_data(), current_user, key)
    except ValidationFailed as exc:
        for name, messages in exc.errors.items():
            if name in form:
                form[name].errors = list(form[name].errors) + list(messages)
            elif name == "ward":
                page["ward_error"] = "; ".join(messages)
            else:
                flash("; ".join(messages), "error")
        return render_template("referrals/new.html", **page), 422
    if receipt.case_id is None:
        flash(_("連絡票を受け付けました。本人の同意がないため、件数の集計だけを記録しました（個人情報は保存していません）。"))
    else:
        flash(_("送信しました。相談窓口から本人に連絡します。"))
    return redirect(url_for("referrals.index")), 303
