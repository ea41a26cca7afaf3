"""集計 (支援状況調査): monthly table, charts, downloads; the cases behind a number for the ward's supervisors."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from app.access import access_rule
from app.access.privacy import no_case_data
from app.services.statistics import exports, page, reports

bp = Blueprint("stats", __name__, url_prefix="/stats")
AGGREGATES = "aggregates only: ward, month, counts"


@bp.get("/")
@login_required
@access_rule("stats")
@no_case_data(AGGREGATES)
def index():
    args = request.args
    shown = page.page(current_user, args.get("ward"), args.get("from"), args.get("to"))
    return render_template("stats/index.html", page=shown), (422 if shown["errors"] else 200)


def _rows():
    args = request.args
    return reports.monthly_for(current_user, args.get("ward"), args.get("from"), args.get("to"))


@bp.get("/monthly.csv")
@login_required
@access_rule("stats")
@no_case_data(AGGREGATES)
def monthly_csv():
    return Response(exports.to_csv(_rows()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="stats-monthly.csv"'})


@bp.get("/monthly.xlsx")
@login_required
@access_rule("stats")
@no_case_data(AGGREGATES)
def monthly_xlsx():
    return Response(exports.to_xlsx(_rows()), mimetype=exports.XLSX_MIMETYPE,
                    headers={"Content-Disposition": 'attachment; filename="stats-monthly.xlsx"'})


@bp.get("/cases")
@login_required
@access_rule("stats")
@no_case_data("case numbers, states and dates of the supervisor's own ward (no person data); a read event each")
def cases_behind():
    args = request.args
    cases = reports.cases_behind(current_user, args.get("ward", ""), args.get("month", ""),
                                 args.get("indicator", ""), args.get("detail") or None, args.get("plan") == "1")
    return render_template("stats/cases.html", cases=cases, ward=args.get("ward"), month=args.get("month"),
                           indicator=args.get("indicator"), detail=args.get("detail"))
