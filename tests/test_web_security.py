"""CSRF on every form, and a login that does not reveal which accounts exist."""

from __future__ import annotations

import re

import pytest

from .conftest import PASSWORD


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_forms_refuse_posts_without_the_csrf_token(csrf_app, staff):
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"username": "cw", "password": PASSWORD}).status_code == 400
    response = client.post("/login", data={"username": "cw", "password": PASSWORD, "csrf_token": _token(login_page)})
    assert response.status_code == 302
    assert client.post("/cases/new", data={"ward": "naka"}).status_code == 400
    new_page = client.get("/cases/new").get_data(as_text=True)
    response = client.post("/cases/new", data={"ward": "naka", "csrf_token": _token(new_page)})
    assert response.status_code == 303
    task_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="csrf_token"' in task_page


def test_login_gives_one_message_for_unknown_user_and_wrong_password(app, staff):
    client = app.test_client()
    unknown = client.post("/login", data={"username": "nobody", "password": "x"})
    wrong = client.post("/login", data={"username": "cw", "password": "wrong-password"})
    assert unknown.status_code == wrong.status_code == 401
    message = "ユーザー名またはパスワードが正しくありません"
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)


def test_pages_require_login_and_send_security_headers(app):
    response = app.test_client().get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_session_cookie_is_secure_httponly_and_samesite_by_default(staff, app):
    client = app.test_client()
    response = client.post("/login", data={"username": staff["caseworker"].username, "password": "correct-horse-1"})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_settings_from_the_environment_get_the_type_of_their_default(monkeypatch):
    from app.config import load_config

    monkeypatch.setenv("TSUNAGI_SESSION_COOKIE_SECURE", "0")
    monkeypatch.setenv("TSUNAGI_TOKEN_TTL_DAYS", "30")
    config = load_config("/tmp", {})
    assert config["SESSION_COOKIE_SECURE"] is False and config["TOKEN_TTL_DAYS"] == 30
    monkeypatch.setenv("TSUNAGI_SESSION_COOKIE_SECURE", "maybe")
    with pytest.raises(ValueError, match="TSUNAGI_SESSION_COOKIE_SECURE"):
        load_config("/tmp", {})


def test_every_html_form_endpoint_refuses_a_post_without_the_csrf_token(csrf_app, staff):
    """Every POST route outside the API, enumerated from the URL map: a new form cannot forget CSRF."""
    from app.services.staff.tokens import issue_token

    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "lead", "password": PASSWORD, "csrf_token": _token(login_page)})
    checked = []
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        values = {name: ("claim" if name == "change" else "record_progress" if name == "action" else 1)
                  for name in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        response = client.post(path, data={"reason": "x"})
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "CSRF" in response.get_data(as_text=True), rule.rule
        checked.append(rule.endpoint)
    assert {"auth.login", "cases.new", "tasks.submit", "assignment.reassign", "modeler.save_draft"} <= set(checked)
    # Bearer-token API calls carry no cookie, so they are exempt.
    api = csrf_app.test_client().post("/api/v1/cases", json={"ward": "naka"},
                                      headers={"Authorization": f"Bearer {issue_token('cw')[0]}"})
    assert api.status_code == 201


def test_passwords_are_stored_as_salted_hashes(staff):
    from app.extensions import db
    from app.models import User

    hashes = [u.password_hash for u in db.session.query(User).all()]
    assert all(PASSWORD not in h and h.startswith(("scrypt:", "pbkdf2:")) for h in hashes)
    assert len(set(hashes)) == len(hashes)  # the same password, a different salt each
