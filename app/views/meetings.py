"""Meeting pages: 支援会議, 個別支援調整会議 sessions and 定例支援調整会議 packs (views stay thin)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.access import access_rule
from app.access.privacy import no_case_data, privacy_door
from app.codes import ATTENDEES, CLOSURE_REASONS, SECTIONS, SUPPORT_MEETING_ITEM_CATEGORIES
from app.errors import ServiceError, ValidationFailed
from app.services.documents.render import pdf_from_html
from app.services.documents.wareki import wareki_date
from app.services.meetings import regular_meetings, sessions, staff_tasks, support_meetings

bp = Blueprint("meetings", __name__)
SUPPORT_MEETING_DATA = "支援会議: household labels only, no case; its own access rule"


def _field_errors(exc: ServiceError) -> dict[str, list[str]]:
    return getattr(exc, "errors", None) or {"": [exc.message]}


# -- 支援会議 ------------------------------------------------------------------------------------
@bp.get("/support-meetings")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_index():
    return render_template("meetings/support_index.html", meetings=support_meetings.meetings_for(current_user),
                           may_convene=support_meetings.can_convene(current_user, current_user.ward))


def _members_from_form() -> tuple[list[dict], list[dict]]:
    """Member rows of the form (name, agency, staff user name, acknowledged)."""
    members, acknowledgements = [], []
    for i in range(int(request.form.get("member_rows", "0") or 0)):
        name = request.form.get(f"member_{i}_name", "").strip()
        if not name:
            continue
        members.append({"name": name, "agency": request.form.get(f"member_{i}_agency", ""),
                        "user": request.form.get(f"member_{i}_user") or None})
        if request.form.get(f"member_{i}_acknowledged"):
            acknowledgements.append({"name": name})
    return members, acknowledgements


@bp.route("/support-meetings/new", methods=["GET", "POST"])
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_new():
    if not support_meetings.can_convene(current_user, current_user.ward):
        abort(403)
    rows = 6
    if request.method == "GET":
        return render_template("meetings/support_new.html", rows=rows, errors={}, values={})
    members, acknowledgements = _members_from_form()
    try:
        meeting = support_meetings.convene(current_user, current_user.ward, request.form.get("held_on"), members,
                                           acknowledgements)
    except ValidationFailed as exc:
        return render_template("meetings/support_new.html", rows=rows, errors=exc.errors, values=request.form), 422
    flash(_("支援会議を登録しました（非公開）"))
    return redirect(url_for("meetings.support_show", meeting_id=meeting.id)), 303


@bp.get("/support-meetings/<int:meeting_id>")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_show(meeting_id: int):
    meeting = support_meetings.open_meeting(current_user, meeting_id)
    return _support_page(meeting, {})


def _support_page(meeting, errors: dict, status: int = 200):
    return render_template("meetings/support_show.html", meeting=meeting, errors=errors,
                           actions=support_meetings.actions_of(meeting), sections=SECTIONS,
                           categories=SUPPORT_MEETING_ITEM_CATEGORIES), status


@bp.get("/support-meetings/<int:meeting_id>/print")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_print(meeting_id: int):
    meeting = support_meetings.open_meeting(current_user, meeting_id)
    return _document("meetings/support_print.html", f"support-meeting-{meeting_id}",
                     url_for("meetings.support_print", meeting_id=meeting_id), meeting=meeting,
                     actions=support_meetings.actions_of(meeting), held_on=wareki_date(meeting.held_on),
                     document_title=_("支援会議 記録"))


@bp.post("/support-meetings/<int:meeting_id>/items")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_add_item(meeting_id: int):
    form = request.form
    return _support_write(meeting_id, lambda: support_meetings.add_item(
        current_user, meeting_id, form.get("source_agency"), form.get("category"), form.get("content"),
        form.get("household_label")))


@bp.post("/support-meetings/<int:meeting_id>/actions")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_add_action(meeting_id: int):
    form = request.form
    return _support_write(meeting_id, lambda: support_meetings.agree_action(
        current_user, meeting_id, form.get("assignee"), form.get("title"), form.get("due_on")))


@bp.post("/support-meetings/<int:meeting_id>/minutes")
@login_required
@access_rule("support_meeting")
@no_case_data(SUPPORT_MEETING_DATA)
def support_minutes(meeting_id: int):
    return _support_write(meeting_id, lambda: support_meetings.record_minutes(
        current_user, meeting_id, request.form.get("minutes")))


def _support_write(meeting_id: int, write):
    try:
        write()
    except ValidationFailed as exc:
        meeting = support_meetings.open_meeting(current_user, meeting_id)
        return _support_page(meeting, exc.errors, 422)
    flash(_("記録しました"))
    return redirect(url_for("meetings.support_show", meeting_id=meeting_id)), 303


# -- 個別支援調整会議 sessions ---------------------------------------------------------------------
def _document(template: str, filename: str, html_url: str, **context):
    """An A4 document page, or its PDF with `?format=pdf`."""
    if request.args.get("format") == "pdf":
        pdf = pdf_from_html(render_template(template, for_pdf=True, **context))
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'})
    return render_template(template, pdf_url=f"{html_url}?format=pdf", **context)


@bp.route("/meeting-sessions", methods=["GET", "POST"])
@login_required
@access_rule("meeting_session")
@no_case_data("sessions: dates, places and numbers of cases")
def sessions_index():
    errors: dict = {}
    if request.method == "POST":
        try:
            session = sessions.schedule(current_user, current_user.ward, request.form.get("held_on"),
                                        request.form.get("place"), request.form.get("members", "").split())
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash(_("会議を設定しました"))
            return redirect(url_for("meetings.session_show", session_id=session.id)), 303
    return render_template("meetings/sessions_index.html", sessions=sessions.sessions_for(current_user),
                           may_hold=sessions.can_hold(current_user, current_user.ward), errors=errors,
                           values=request.form), (422 if errors else 200)


@bp.get("/meeting-sessions/<int:session_id>")
@login_required
@access_rule("meeting_session")
@privacy_door("meeting_pack")
def session_show(session_id: int):
    return _session_page(session_id, {})


def _session_page(session_id: int, errors: dict, status: int = 200):
    agenda = sessions.agenda(current_user, session_id)
    may_hold = sessions.can_hold(current_user, agenda["session"].ward)
    waiting = sessions.waiting_tasks(agenda["session"].ward) if may_hold else []
    return render_template("meetings/session_show.html", agenda=agenda, waiting=waiting, may_hold=may_hold,
                           errors=errors, closure_reasons=CLOSURE_REASONS, attendees=ATTENDEES), status


@bp.post("/meeting-sessions/<int:session_id>/cases")
@login_required
@access_rule("meeting_session")
@no_case_data("adds a case to the agenda (redirect)")
def session_add_case(session_id: int):
    case_id = request.form.get("case_id", "")
    try:
        sessions.add_case(current_user, session_id, int(case_id) if case_id.isdigit() else 0)
    except ValidationFailed as exc:
        return _session_page(session_id, exc.errors, 422)
    return redirect(url_for("meetings.session_show", session_id=session_id)), 303


def minutes_from_form(form) -> dict:
    """A case's minutes from the session page's fields (named `<field>` in that case's form)."""
    minutes = {name: form.get(name) for name in (
        "decision", "review_notes", "requested_changes", "closure_reason", "follow_up_on", "role_assignments",
        "person_absence_reason") if form.get(name)}
    minutes["attendees"] = form.getlist("attendees")
    minutes["person_absent"] = bool(form.get("person_absent"))
    return minutes


@bp.post("/meeting-sessions/<int:session_id>/cases/<int:case_id>/minutes")
@login_required
@access_rule("meeting_session")
@no_case_data("records a case's minutes (redirect)")
def session_minutes(session_id: int, case_id: int):
    try:
        sessions.record_minutes(current_user, session_id, case_id, minutes_from_form(request.form))
    except ValidationFailed as exc:
        return _session_page(session_id, {f"{k}-{case_id}": v for k, v in exc.errors.items()}, 422)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("議事録を記録しました"))
    return redirect(url_for("meetings.session_show", session_id=session_id)), 303


@bp.get("/meeting-sessions/<int:session_id>/print")
@login_required
@access_rule("meeting_session")
@privacy_door("meeting_pack")
def session_print(session_id: int):
    agenda = sessions.agenda(current_user, session_id)
    return _document("meetings/session_print.html", f"meeting-session-{session_id}",
                     url_for("meetings.session_print", session_id=session_id), agenda=agenda,
                     held_on=wareki_date(agenda["session"].held_on), document_title=_("個別支援調整会議 次第・議事録"))


# -- 定例支援調整会議 ---------------------------------------------------------------------------------
@bp.route("/regular-meetings", methods=["GET", "POST"])
@login_required
@access_rule("regular_meeting")
@no_case_data("regular meetings: wards, quarters and dates")
def regular_index():
    if not regular_meetings.can_hold(current_user, current_user.ward):
        abort(403)
    errors: dict = {}
    if request.method == "POST":
        try:
            meeting = regular_meetings.create(current_user, current_user.ward, request.form.get("quarter"),
                                              request.form.get("held_on"))
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash(_("資料を作成しました"))
            return redirect(url_for("meetings.regular_pack", meeting_id=meeting.id)), 303
    return render_template("meetings/regular_index.html", meetings=regular_meetings.meetings_for(current_user),
                           errors=errors, values=request.form), (422 if errors else 200)


@bp.get("/regular-meetings/<int:meeting_id>")
@login_required
@access_rule("regular_meeting")
@privacy_door("meeting_pack")
def regular_pack(meeting_id: int):
    as_pdf = request.args.get("format") == "pdf"
    meeting, pack = regular_meetings.open_pack(current_user, meeting_id, what="pdf" if as_pdf else "page")
    return _document("meetings/regular_pack.html", f"regular-meeting-{meeting_id}",
                     url_for("meetings.regular_pack", meeting_id=meeting_id), meeting=meeting, pack=pack,
                     held_on=wareki_date(meeting.held_on), document_title=_("定例支援調整会議 資料"))


@bp.route("/regular-meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
@access_rule("regular_meeting")
@no_case_data("the minutes form: review ids and verdicts")
def regular_minutes(meeting_id: int):
    meeting, pack = regular_meetings.open_pack(current_user, meeting_id, what="minutes_form")
    errors: dict = {}
    if request.method == "POST":
        reviews = [{"review_id": r["review_id"], "verdict": request.form.get(f"verdict_{r['review_id']}"),
                    "comment": request.form.get(f"comment_{r['review_id']}")} for r in pack["case_reviews"]]
        try:
            regular_meetings.record_minutes(current_user, meeting_id, request.form.get("agencies", "").splitlines(),
                                            reviews, request.form.get("resource_issues", "").splitlines())
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash(_("議事録を記録しました"))
            return redirect(url_for("meetings.regular_pack", meeting_id=meeting_id)), 303
    return render_template("meetings/regular_minutes.html", meeting=meeting, pack=pack, errors=errors,
                           values=request.form), (422 if errors else 200)


# -- staff tasks (follow-ups, agreed actions) on the worklist -------------------------------------
@bp.app_context_processor
def staff_task_helpers():
    return {"my_staff_tasks": lambda: staff_tasks.open_for(current_user)}


@bp.post("/staff-tasks/<int:task_id>/done")
@login_required
@access_rule("signed_in")
@no_case_data("marks the user's own staff task done (redirect)")
def staff_task_done(task_id: int):
    try:
        staff_tasks.complete(current_user, task_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("完了にしました"))
    return redirect(url_for("worklist.index")), 303
