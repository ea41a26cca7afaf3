from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.services.cases import caseload, worklist

bp = Blueprint("worklist", __name__)

# Roles with no tasks of their own land on the page of their work.
HOMES = (("auditor", "audit.index"), ("stats_viewer", "stats.index"), ("process_owner", "modeler.index"),
         ("referrer", "referrals.index"), ("pa_worker", "referrals.index"))
SUPERVISORS = {"lead_worker", "section_chief"}
TASK_ROLES = {"caseworker", "lead_worker", "section_chief", "budget_advisor", "employment_navigator", "provider",
              "mental_health"}


@bp.get("/")
@login_required
def index():
    if not current_user.roles & TASK_ROLES:
        for role, endpoint in HOMES:
            if current_user.has_role(role):
                return redirect(url_for(endpoint))
    filters = worklist.WorklistFilters.from_args(request.args)
    tasks = worklist.open_tasks(current_user)  # read once for the groups and the filter's kinds
    groups = worklist.grouped_tasks(current_user, filters, tasks)
    return render_template("worklist.html", groups=groups, filters=filters,
                           kinds=worklist.task_kinds(current_user, tasks),
                           meetings=caseload.meeting_queue(current_user),
                           counts=caseload.state_counts(current_user) if current_user.roles & SUPERVISORS else {},
                           can_list=caseload.can_list(current_user))
