"""A4 print pages (and PDFs) of the case's plan, assessment sheet and meeting record."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from flask_login import current_user, login_required

from app.access import access_rule
from app.access.privacy import privacy_door
from app.services.cases.opening import get_case_for
from app.services.cases.reads import record_case_view
from app.services.documents.case_prints import printed_form, render_printed
from app.services.documents.render import pdf_from_html

bp = Blueprint("prints", __name__)


@bp.get("/cases/<int:case_id>/print/<any(plan, assessment, meeting):kind>")
@login_required
@access_rule("case_view")
@privacy_door("case_form")
def show(case_id: int, kind: str):
    case = get_case_for(current_user, case_id)
    number = request.args.get("n", type=int)
    printed = printed_form(current_user, case, kind, number)
    as_pdf = request.args.get("format") == "pdf"
    record_case_view(current_user, case, "print", kind=kind, submission_id=printed.submission.id,
                     format="pdf" if as_pdf else "html")
    if not as_pdf:
        return render_printed(printed, case, pdf_url=url_for("prints.show", case_id=case.id, kind=kind, n=number,
                                                             format="pdf"))
    pdf = pdf_from_html(render_printed(printed, case, for_pdf=True))
    # The file name says what the document is, never whose.
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="case-{case.id}-{kind}.pdf"'})
