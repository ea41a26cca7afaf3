"""Notices (通知書): a case's list, and one notice as a printable A4 page or a PDF."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user, login_required

from app.access import access_rule
from app.access.privacy import privacy_door
from app.services.cases.opening import get_case_for
from app.services.cases.reads import record_case_view
from app.services.documents import notices
from app.services.documents.render import pdf_from_html, render_notice
from app.services.documents.wareki import wareki_date

bp = Blueprint("notices", __name__)


@bp.get("/cases/<int:case_id>/notices")
@login_required
@access_rule("case_view")
@privacy_door("case_form")
def case_list(case_id: int):
    case = get_case_for(current_user, case_id)
    record_case_view(current_user, case, "notice_list")
    return render_template("documents/case_notices.html", case=case, notices=notices.case_notices(case),
                           wareki=wareki_date)


@bp.get("/notices/<int:notice_id>")
@login_required
@access_rule("case_view")
@privacy_door("case_form")
def show(notice_id: int):
    notice, case = notices.notice_for(current_user, notice_id)
    as_pdf = request.args.get("format") == "pdf"
    record_case_view(current_user, case, "notice", notice_id=notice.id, format="pdf" if as_pdf else "html")
    if not as_pdf:
        return render_notice(notice, current_user, case,
                             pdf_url=url_for("notices.show", notice_id=notice.id, format="pdf"))
    pdf = pdf_from_html(render_notice(notice, current_user, case, for_pdf=True))
    # The file name carries the document number only: never a person's name.
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="notice-{notice.id}.pdf"'})
