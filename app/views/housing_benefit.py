"""住居確保給付金: the month's payment list for the finance section (CSV or .xlsx)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import login_required

from app.access import access_rule
from app.programs.housing_benefit.payments import list_for

bp = Blueprint("housing_benefit", __name__, url_prefix="/housing-benefit")


@bp.get("/payments/<month>.<fmt>")
@login_required
@access_rule("hb_payment_list")
def payment_list(month: str, fmt: str):
    from flask_login import current_user

    body, mimetype = list_for(current_user, month, fmt)
    # The file name names the month and the ward only, never a person.
    filename = f"hb-payments-{current_user.ward}-{month}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                      "Cache-Control": "no-store"})
