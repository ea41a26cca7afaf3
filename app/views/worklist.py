from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.services.cases import caseload, worklist
from app.services.cases.paging import page_number

bp = Blueprint("worklist", __name__)

# Roles with no tasks of their own land on the page of their work.
HOMES = (("auditor", "audit.index"), ("stats_viewer", "stats.index"), ("process_owner", "modeler.index"),
         ("referrer", "referrals.index"), ("pa_worker", "referrals.index"))
SUPERVISORS = {"lead_worker", "section_chief"}
TASK_ROLES = {"caseworker", "lead_worker", "section_chief", "budget_advisor", "employment_navigator", "provider",
              "mental_health"}
MEETINGS_PAGE = "page_meetings"


@bp.get("/")
@login_required
def index():
    if not current_user.roles & TASK_ROLES:
        for role, endpoint in HOMES:
            if current_user.has_role(role):
                return redirect(url_for(endpoint))
    user = current_user._get_current_object()  # the rules ask it per row: not through the proxy
    filters = worklist.WorklistFilters.from_args(request.args)

    def page_url(param: str, number: int) -> str:
        # Paging keeps the filters, the sort and the other lists' pages.
        return url_for("worklist.index", **{**request.args.to_dict(), param: number})

    actable = worklist.actable_tasks(user)
    return render_template("worklist.html", groups=worklist.grouped_tasks(user, filters, actable), filters=filters,
                           kinds=worklist.task_kinds(user, actable), page_param=worklist.page_param, page_url=page_url,
                           meetings=caseload.meeting_queue(user, page_number(request.args.get(MEETINGS_PAGE))),
                           meetings_param=MEETINGS_PAGE,
                           counts=caseload.state_counts(user) if user.roles & SUPERVISORS else {},
                           can_list=caseload.can_list(user))
