from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict, ServiceError, ValidationFailed
from app.forms import build_form_class
from app.forms import values as form_values
from app.lifecycle.registry import confirmation_reason
from app.programs import eligibility
from app.programs.housing_benefit import pages as hb_pages
from app.services import processes
from app.services.cases import form_drafts, review
from app.services.cases.reads import record_case_view
from app.services.cases.tasks import cancellation_of, get_task_for, submit_task
from app.services.intake import episodes as intake_episodes
from app.services.privacy import masking

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _form_for(task, formdata=None, data=None):
    definition = processes.form_definition(task.case.process_version, task.form_key)
    form_class = build_form_class(definition, locale=str(get_locale()))
    return definition, form_class(formdata=formdata, data=data)


@bp.get("/<int:task_id>")
@login_required
def show(task_id: int):
    task = get_task_for(current_user, task_id)
    viewer = masking.for_task(masking.viewer_for(current_user, task.case), task.form_key)
    prefill = {**review.replan_prefill(review.review_for(task)), **(task.prefill or {})}
    values = {**masking.visible_prefill(viewer, task.form_key, prefill), **form_drafts.load(task, current_user)}
    definition, form = _form_for(task, formdata=form_drafts.as_formdata(values) if values else None)
    record_case_view(current_user, task.case, "task_page", basis=viewer.basis, task_id=task.id)
    return render_template("task.html", task=task, form=form, definition=definition, errors={},
                           **_case_panel(task))


def _case_panel(task) -> dict:
    """The case data shown beside a task form, masked for the viewer (and for meetings)."""
    viewer = masking.for_task(masking.viewer_for(current_user, task.case), task.form_key)
    checks = eligibility.meeting_checks(task.case, viewer.sees) if task.form_key == "coordination_meeting" else []
    return {"case": task.case, "data": masking.case_data(viewer), "service_checks": checks,
            "hb_screening": hb_pages.screening(task, viewer.sees("income")),
            "cancellation": cancellation_of(task), "review": review.review_for(task) if task.status == "open" else None}


@bp.post("/<int:task_id>")
@login_required
def submit(task_id: int):
    # A submission locks its case now: validating under the lock costs little, and the step
    # then reads the task and case only once.
    submitting = "save_draft" not in request.form and "back_to_form" not in request.form
    try:
        task = get_task_for(current_user, task_id, lock=submitting)
    except Conflict as exc:  # another step holds the case too long; nothing was done
        task = get_task_for(current_user, task_id)
        flash(exc.message, "error")
        return redirect(url_for("cases.show", case_id=task.case_id)), 303
    definition, form = _form_for(task, formdata=request.form)
    if "save_draft" in request.form:
        form_drafts.save(task, current_user, request.form)
        flash(_("下書きを保存しました"))
        return redirect(url_for("tasks.show", task_id=task.id))
    if "back_to_form" in request.form:
        return render_template("task.html", task=task, form=form, definition=definition, errors={},
                               **_case_panel(task))
    if not form.validate():
        return render_template("task.html", task=task, form=form, definition=definition,
                               errors=form.errors_by_field(), **_case_panel(task)), 422
    reason = confirmation_reason(task.form_key, form.clean_data()) or hb_pages.confirmation(task, form.clean_data())
    if reason and request.form.get("confirmed") != "1":
        return _confirm_page(task, definition, form, reason)
    # Read before the commit expires them (reading after would cost two more queries).
    task_name, case_id = task.name, task.case_id
    try:
        submit_task(task.id, form.clean_data(), current_user, locked=task)  # drafts returned above
    except ValidationFailed as exc:
        for name, messages in exc.errors.items():
            if name in form:
                form[name].errors = list(form[name].errors) + list(messages)
        picks = None
        if "existing_person_id" in exc.errors:  # a probable duplicate: offer the persons, not an ID box
            birth = form_values.parse_date(form["birth_date"].raw) if "birth_date" in form else None
            picks = {"existing_person_id": [("", "—"), *intake_episodes.duplicate_choices(
                task.case, request.form.get("person_kana"), birth)]}
        return render_template("task.html", task=task, form=form, definition=definition, picks=picks,
                               errors=form.errors_by_field(), **_case_panel(task)), 422
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("cases.show", case_id=task.case_id)), 303
    flash(_("「%(name)s」を完了しました", name=task_name))
    return redirect(url_for("cases.show", case_id=case_id)), 303


def _confirm_page(task, definition, form, reason: str):
    """Show what will be recorded; the same values come back with confirmed=1."""
    hidden = [(key, value) for key, values in request.form.lists() for value in values
              if key not in ("csrf_token", "confirmed", "submit_task", "back_to_form")]
    return render_template("task_confirm.html", task=task, definition=definition, values=form.clean_data(),
                           hidden=hidden, reason=reason)
