from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import login_required, login_user, logout_user

from app.extensions import limiter
from app.services.staff import users

bp = Blueprint("auth", __name__)


def _login_attempt_key() -> str:
    # Per address and account: slows password guessing without locking out a whole office NAT.
    return f"{get_remote_address()}|{request.form.get('username', '').strip().lower()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_login_attempt_key)
def login():
    error = None
    if request.method == "POST":
        user = users.authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            login_user(user)
            target = request.args.get("next", "")
            safe = target.startswith("/") and not target.startswith("//")
            return redirect(target if safe else url_for("worklist.index"))
        # One message for unknown user and wrong password: no account enumeration.
        error = _("ユーザー名またはパスワードが正しくありません")
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("ログアウトしました"))
    return redirect(url_for("auth.login"))


@bp.post("/locale/<code>")
def set_locale(code: str):
    if code in ("ja", "en"):
        session["locale"] = code
    target = request.form.get("next", "/")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
