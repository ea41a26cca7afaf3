"""Statistics (支援状況調査): the monthly table as JSON, CSV and .xlsx — aggregates only."""

from __future__ import annotations

from flask import Response, request

from app.access import access_rule
from app.access.privacy import no_case_data
from app.services.statistics import exports, reports

from .auth import current_api_user
from .blueprint import bp


def _rows():
    args = request.args
    return reports.monthly_for(current_api_user(), args.get("ward"), args.get("from"), args.get("to"))


@bp.get("/stats/monthly")
@access_rule("stats")
@no_case_data("aggregates only: ward, month, counts")
def stats_monthly():
    return _rows()


@bp.get("/stats/monthly.csv")
@access_rule("stats")
@no_case_data("aggregates only: ward, month, counts")
def stats_monthly_csv():
    return Response(exports.to_csv(_rows()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="stats-monthly.csv"'})


@bp.get("/stats/monthly.xlsx")
@access_rule("stats")
@no_case_data("aggregates only: ward, month, counts")
def stats_monthly_xlsx():
    return Response(exports.to_xlsx(_rows()), mimetype=exports.XLSX_MIMETYPE,
                    headers={"Content-Disposition": 'attachment; filename="stats-monthly.xlsx"'})
