"""集計: case counts per ward and state for the city bureau (stats_viewer) and ward supervisors."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.access import access_rule
from app.services import stats

bp = Blueprint("stats", __name__, url_prefix="/stats")


@bp.get("/")
@login_required
@access_rule("stats")
def index():
    return render_template("stats/index.html", table=stats.case_counts(current_user))
