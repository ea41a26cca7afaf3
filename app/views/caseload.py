"""ケース一覧: the ward's (or my) cases with filters, sorting and CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from app.access import access_rule
from app.access.privacy import privacy_door
from app.errors import Forbidden
from app.services.cases import caseload

bp = Blueprint("caseload", __name__, url_prefix="/caseload")


def _filters() -> caseload.Filters:
    if not caseload.can_list(current_user):
        raise Forbidden("ケース一覧を見られるのは区の相談支援員・主任相談支援員・係長です")
    return caseload.Filters.from_args(request.args, current_user)


@bp.get("/")
@login_required
@access_rule("case_search")
@privacy_door("search")
def index():
    filters = _filters()
    rows = caseload.caseload(current_user, filters)
    return render_template("caseload/index.html", rows=rows, filters=filters,
                           workers=caseload.ward_workers(current_user), limit=caseload.LIMIT)


@bp.get("/export.csv")
@login_required
@access_rule("case_search")
@privacy_door("search")
def export():
    body = caseload.caseload_csv(current_user, _filters())
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=caseload.csv"})
