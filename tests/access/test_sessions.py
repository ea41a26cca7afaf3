"""Login sessions end on the server's word: logout, password change, deactivation, timeouts."""

from __future__ import annotations

import re

import pytest

from app.config import DEFAULTS

from ..conftest import PASSWORD


@pytest.fixture(autouse=True)
def _default_timeouts(app):
    # The shared app fixture stretches them for tests that move the clock by weeks.
    app.config["SESSION_IDLE_MINUTES"] = DEFAULTS["SESSION_IDLE_MINUTES"]
    app.config["SESSION_MAX_HOURS"] = DEFAULTS["SESSION_MAX_HOURS"]


def _logged_in(client) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _copy(app, client):
    """Another browser holding a copy of client's session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_is_worthless_after_it(app, staff, login):
    client = login(staff["caseworker"])
    other_device = login(staff["caseworker"])
    thief = _copy(app, client)
    assert _logged_in(thief) and _logged_in(other_device)
    assert client.post("/logout").status_code == 302
    assert not _logged_in(thief)
    assert not _logged_in(other_device)  # logout ends every session of the user
    assert not _logged_in(client)
    # Another user's session is untouched, and logging in again works.
    assert _logged_in(login(staff["lead_worker"]))
    assert _logged_in(login(staff["caseworker"]))


@pytest.mark.parametrize("command", [
    ["users", "set-password", "cw", "--password", "another-horse-2"],
    ["users", "deactivate", "cw"],
])
def test_password_change_and_deactivation_end_every_session(app, staff, login, command):
    client = login(staff["caseworker"])
    thief = _copy(app, client)
    lead = login(staff["lead_worker"])
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0, result.output
    assert not _logged_in(client) and not _logged_in(thief)
    assert _logged_in(lead)


def test_a_new_password_logs_in_and_a_deactivated_user_cannot(app, staff):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "set-password", "cw", "--password", "another-horse-2"]).exit_code == 0
    client = app.test_client()
    assert client.post("/login", data={"username": "cw", "password": PASSWORD}).status_code == 401
    assert client.post("/login", data={"username": "cw", "password": "another-horse-2"}).status_code == 302
    assert runner.invoke(args=["users", "deactivate", "cw"]).exit_code == 0
    assert client.post("/login", data={"username": "cw", "password": "another-horse-2"}).status_code == 401
    assert runner.invoke(args=["users", "activate", "cw"]).exit_code == 0
    assert client.post("/login", data={"username": "cw", "password": "another-horse-2"}).status_code == 302
    short = runner.invoke(args=["users", "set-password", "cw", "--password", "short"])
    assert short.exit_code == 2 and "8文字以上" in short.output
    assert runner.invoke(args=["users", "deactivate", "nobody"]).exit_code == 2


def test_a_session_ends_after_thirty_idle_minutes(app, staff, login, clock):
    assert DEFAULTS["SESSION_IDLE_MINUTES"] == 30
    client = login(staff["caseworker"])
    for _ in range(4):  # activity keeps it alive
        clock.advance(minutes=29)
        assert _logged_in(client)
    thief = _copy(app, client)
    clock.advance(minutes=31)
    assert not _logged_in(client)
    assert not _logged_in(thief)  # the copy carries the same last-seen time


def test_the_idle_timeout_is_configurable(app, staff, login, clock):
    app.config["SESSION_IDLE_MINUTES"] = 5
    client = login(staff["caseworker"])
    clock.advance(minutes=4)
    assert _logged_in(client)
    clock.advance(minutes=6)
    assert not _logged_in(client)


def test_a_session_ends_after_its_lifetime_however_busy(app, staff, login, clock):
    assert DEFAULTS["SESSION_MAX_HOURS"] == 12
    client = login(staff["caseworker"])
    for _ in range(11 * 3):
        clock.advance(minutes=20)
        assert _logged_in(client)
    clock.advance(minutes=61)
    assert not _logged_in(client)
    assert _logged_in(login(staff["caseworker"]))


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_the_csrf_token_from_before_login_is_refused_after_it(app, staff):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    before = _token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": "cw", "password": PASSWORD, "csrf_token": before}).status_code == 302
    refused = client.post("/cases/new", data={"ward": "naka", "csrf_token": before})
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    after = _token(client.get("/cases/new").get_data(as_text=True))
    assert after != before
    assert client.post("/cases/new", data={"ward": "naka", "csrf_token": after}).status_code == 303


def test_login_keeps_the_chosen_language(app, staff):
    client = app.test_client()
    client.post("/locale/en", data={"next": "/login"})
    client.post("/login", data={"username": "cw", "password": PASSWORD})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
