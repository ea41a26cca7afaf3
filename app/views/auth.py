from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from app.extensions import limiter
from app.services.staff import sessions, users

bp = Blueprint("auth", __name__)


def _login_attempt_key() -> str:
    # Per address and account: slows password guessing without locking out a whole office NAT.
    return f"{get_remote_address()}|{request.form.get('username', '').strip().lower()}"


def _login_failed(response) -> bool:
    return response.status_code == 401


def local_path(target: str | None, fallback: str) -> str:
    """target when it is a path on this site, else fallback.

    Browsers read a backslash as a slash and drop tabs and newlines from URLs, so "/\\evil.com"
    and "/\\t/evil.com" (sent as /%09/evil.com) lead to another host: only a plain "/path" passes.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F or char.isspace() for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    # Decoded once more, as a careless proxy or redirect chain might: still a plain local path.
    decoded = unquote(target)
    if decoded.startswith(("//", "/\\")) or any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded):
        return fallback
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_login_attempt_key)
# Per address across every user name (one password tried on many accounts); failures only.
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"],
               key_func=lambda: f"address|{get_remote_address()}", deduct_when=_login_failed)
def login():
    error = None
    if request.method == "POST":
        user = users.authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            sessions.begin(user)
            return redirect(local_path(request.args.get("next"), url_for("worklist.index")))
        # One message for unknown user and wrong password: no account enumeration.
        error = _("ユーザー名またはパスワードが正しくありません")
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    # Ends every session of this user, so a copy of the cookie is worthless from now on.
    sessions.end(current_user._get_current_object())
    flash(_("ログアウトしました"))
    return redirect(url_for("auth.login"))


@bp.post("/locale/<code>")
def set_locale(code: str):
    if code in ("ja", "en"):
        session["locale"] = code
    return redirect(local_path(request.form.get("next"), "/"))
