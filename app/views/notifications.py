"""お知らせ: the signed-in user's notifications, and the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from app.access import access_rule
from app.services.timers import notifications

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
@access_rule("signed_in")
def index():
    items = notifications.for_user(current_user)
    return render_template("notifications.html", items=items, message=notifications.message,
                           note_params=lambda note: notifications.params_of(note, str(get_locale())))


@bp.post("/notifications/read")
@login_required
@access_rule("signed_in")
def read_all():
    notifications.mark_read(current_user)
    return redirect(url_for("notifications.index"), 303)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
@access_rule("signed_in")
def read_one(notification_id: int):
    notifications.mark_read(current_user, notification_id)
    return redirect(url_for("notifications.index"), 303)


@bp.app_context_processor
def unread_notifications():
    def count() -> int:
        return notifications.unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notification_count": count}
