"""The notices issued on a case (the printable page and the PDF are pages: /notices/<id>)."""

from __future__ import annotations

from flask import url_for

from app.access import access_rule
from app.access.privacy import no_case_data
from app.services.cases.opening import get_case_for
from app.services.cases.reads import record_case_view
from app.services.documents import notices

from .auth import current_api_user
from .blueprint import bp


@bp.get("/cases/<int:case_id>/notices")
@access_rule("case_view")
@no_case_data("notice numbers, kinds, dates and subjects: none of the masked items")
def list_case_notices(case_id: int):
    user = current_api_user()
    case = get_case_for(user, case_id)
    record_case_view(user, case, "api_notices")
    return [{**notices.summary(notice), "url": url_for("notices.show", notice_id=notice.id),
             "pdf_url": url_for("notices.show", notice_id=notice.id, format="pdf")}
            for notice in notices.case_notices(case)]
