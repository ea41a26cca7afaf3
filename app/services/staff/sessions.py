"""Login sessions that the server can end: a generation per user, an idle timeout, a lifetime.

The session cookie is signed but lives in the browser; a copy of it would work for as long as
the cookie says.  So each login session records the user's session generation and when it
began and was last used, and every request checks them against the user row and the clock:
raising the generation ends every session of that user at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, g, session
from flask_login import login_user, logout_user

from app.clock import now
from app.extensions import db
from app.models import User

_GENERATION = "_tsunagi_generation"
_STARTED = "_tsunagi_started"
_SEEN = "_tsunagi_seen"
# What a new login keeps from before it: only the chosen language.
_KEPT_AT_LOGIN = ("locale",)
# Built once: every request reads its user, and `Session.get` builds its statement anew each time.
_USER_BY_ID = sa.select(User).where(User.id == sa.bindparam("user_id"))


def begin(user: User) -> None:
    """Log the user in on a fresh session: nothing from before login survives, the CSRF token
    included, so a token or session id planted before login is worthless after it."""
    kept = {key: session[key] for key in _KEPT_AT_LOGIN if key in session}
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the request's token here
    session.update(kept)
    login_user(user)
    stamp = now().timestamp()
    session[_GENERATION] = user.session_generation
    session[_STARTED] = stamp
    session[_SEEN] = stamp


def current(user_id: str) -> User | None:
    """The logged-in user of this request, or None when the session is over (Flask-Login's loader)."""
    try:
        with db.session.no_autoflush:  # as `Session.get`: the user is read, nothing is written
            user = db.session.execute(_USER_BY_ID, {"user_id": int(user_id)}).scalar_one_or_none()
    except (TypeError, ValueError):
        user = None
    started, seen = session.get(_STARTED), session.get(_SEEN)
    stamp = now().timestamp()
    if (
        user is None
        or not user.active
        or session.get(_GENERATION) != user.session_generation
        or not isinstance(started, (int, float))
        or not isinstance(seen, (int, float))
        or stamp - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60
        or stamp - started > current_app.config["SESSION_MAX_HOURS"] * 3600
    ):
        _forget()
        return None
    session[_SEEN] = stamp
    return user


def end_all(user: User) -> None:
    """End every login session of the user, on every device."""
    db.session.execute(
        db.update(User).where(User.id == user.id).values(session_generation=User.session_generation + 1))
    db.session.commit()


def end(user: User) -> None:
    """Logout: this session and every other of the same user."""
    end_all(user)
    logout_user()
    _forget()


def _forget() -> None:
    kept = {key: session[key] for key in _KEPT_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)
