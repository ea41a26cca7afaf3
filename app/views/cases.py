from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.access import access_rule
from app.codes import WARDS
from app.errors import ServiceError, ValidationFailed
from app.forms import build_form_class
from app.programs.housing_benefit import pages as hb_pages
from app.services import processes
from app.services.cases import pages as case_pages
from app.services.cases.actions import ACTIONS, available_actions, run_action
from app.services.cases.opening import decision_of, get_case_for, open_tasks, start_case
from app.services.cases.reads import record_case_view
from app.services.cases.search import can_search, search_cases
from app.services.privacy import masking

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if request.method == "POST":
        case = start_case(request.form.get("ward") or current_user.ward or "", current_user)
        flash(_("相談ケースを開きました"))
        intake = next((t for t in open_tasks(case) if t.form_key == "intake"), None)
        target = url_for("tasks.show", task_id=intake.id) if intake else url_for("cases.show", case_id=case.id)
        return redirect(target), 303
    return render_template("new_case.html", wards=WARDS)


@bp.get("/<int:case_id>")
@login_required
def show(case_id: int):
    case = case_pages.case_for_page(current_user, case_id)
    viewer = masking.viewer_for(current_user, case)
    page = case_pages.case_page(case)
    page["open_tasks"] = masking.visible_tasks(viewer, page["open_tasks"])
    openable = {t.id for t in page["open_tasks"] if access.can_act_on_task(current_user, t)}
    # 「次へ」: the user's own next task first, then one of their roles nobody holds yet.
    next_task = next((t for t in page["open_tasks"] if t.id in openable and t.assignee_id == current_user.id),
                     None) or next((t for t in page["open_tasks"] if t.id in openable and t.assignee_id is None), None)
    html = render_template("case.html", case=case, page=page, actions=available_actions(case, current_user),
                           data=masking.case_data(viewer, page["submissions"]),
                           hb=hb_pages.panel(case, viewer.sees("income")), openable=openable, next_task=next_task,
                           progress=case_pages.progress(case), age=case_pages.person_age(case))
    # Recorded once the page is made (its commit would expire what the page reads) and before it
    # is sent: no page leaves without its read in the audit trail.
    record_case_view(current_user, case, "case_page", basis=viewer.basis)
    return html


@bp.get("/search")
@login_required
@access_rule("case_search")
def search():
    query = request.args.get("q", "").strip()
    results, error = [], None
    if query:
        try:
            results = search_cases(current_user._get_current_object(), query)  # asked per hit: not via the proxy
        except ValidationFailed as exc:
            error = "; ".join(m for ms in exc.errors.values() for m in ms)
    elif not can_search(current_user):
        abort(403)
    return render_template("cases/search.html", query=query, results=results, error=error)


@bp.get("/<int:case_id>/decisions/<int:decision_id>/notice")
@login_required
def notice(case_id: int, decision_id: int):
    case = get_case_for(current_user, case_id)
    decision = decision_of(case, decision_id)
    if decision is None:
        abort(404)
    if decision.notice_id is not None:  # issued through the notice machinery: its numbered A4 page
        return redirect(url_for("notices.show", notice_id=decision.notice_id)), 303
    record_case_view(current_user, case, "decision_notice", decision_id=decision.id)
    return render_template("notice.html", case=case, decision=decision)


@bp.route("/<int:case_id>/actions/<action>", methods=["GET", "POST"])
@login_required
def action(case_id: int, action: str):
    case = get_case_for(current_user, case_id)
    if action not in available_actions(case, current_user):
        flash(_("この操作は現在行えません"), "error")
        return redirect(url_for("cases.show", case_id=case.id)), 303
    form = definition = None
    if ACTIONS.get(action):
        definition = processes.form_definition(case.process_version, ACTIONS[action])
        form = build_form_class(definition, locale=str(get_locale()))()
    rows = hb_pages.income_rows() if action in hb_pages.INCOME_ACTIONS else None  # 住居確保給付金: income rows
    if request.method == "GET":
        record_case_view(current_user, case, "case_action", action=action)
    if request.method == "POST":
        if rows is not None:
            rows = hb_pages.income_rows(request.form)
        if form is not None and not form.validate():
            return render_template("action.html", case=case, action=action, form=form, definition=definition,
                                   income_rows=rows), 422
        data = form.clean_data() if form is not None else {"note": request.form.get("note", "")}
        if rows is not None:
            data["incomes"] = hb_pages.incomes_from_form(request.form)
        try:
            run_action(case.id, action, data, current_user)
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                if form is not None and name in form:
                    form[name].errors = list(form[name].errors) + list(messages)
            if rows is not None:
                rows = hb_pages.income_rows(request.form, exc.errors)
            flash("; ".join(m for ms in exc.errors.values() for m in ms), "error")
            return render_template("action.html", case=case, action=action, form=form, definition=definition,
                                   income_rows=rows), 422
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("操作を記録しました"))
        return redirect(url_for("cases.show", case_id=case.id)), 303
    return render_template("action.html", case=case, action=action, form=form, definition=definition,
                           income_rows=rows)
