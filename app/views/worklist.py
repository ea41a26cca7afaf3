from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.services.cases import worklist

bp = Blueprint("worklist", __name__)


@bp.get("/")
@login_required
def index():
    groups = worklist.grouped_tasks(current_user)
    return render_template("worklist.html", groups=groups)
