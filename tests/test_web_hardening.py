"""Redirects stay on this site, pages are not cached, HTTPS is pinned, and guessing is limited."""

from __future__ import annotations

import pytest

from app import create_app

from .conftest import PASSWORD

TRICKY_TARGETS = [
    "//evil.com", "/\\evil.com", "/\t/evil.com", "/%09/evil.com", "/\n/evil.com", "\\\\evil.com", "http://evil.com",
    "https:evil.com", "javascript:alert(1)", "evil.com", " /cases", "/ /evil.com", "/%2F/evil.com", "/%5Cevil.com",
]


@pytest.mark.parametrize("target", TRICKY_TARGETS)
def test_login_redirects_only_to_paths_on_this_site(app, staff, target):
    from urllib.parse import quote

    client = app.test_client()
    # quote() keeps "/" but encodes tab, backslash and the rest, as a crafted link would.
    response = client.post(f"/login?next={quote(target, safe='/%')}",
                           data={"username": "cw", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/", (target, response.headers["Location"])


@pytest.mark.parametrize("target", TRICKY_TARGETS)
def test_the_language_switch_redirects_only_to_paths_on_this_site(app, target):
    response = app.test_client().post("/locale/en", data={"next": target})
    assert response.headers["Location"] == "/", (target, response.headers["Location"])


def test_plain_paths_on_this_site_are_kept(app, staff):
    client = app.test_client()
    response = client.post("/login?next=/cases/1%3Ftab%3Dplan", data={"username": "cw", "password": PASSWORD})
    assert response.headers["Location"] == "/cases/1?tab=plan"
    assert client.post("/locale/ja", data={"next": "/worklist?x=1"}).headers["Location"] == "/worklist?x=1"


def test_pages_are_not_cached_but_static_assets_are(app, staff, login):
    client = login(staff["caseworker"])
    for path in ("/", "/login"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    stylesheet = client.get("/static/app.css")
    assert stylesheet.status_code == 200
    assert "no-store" not in (stylesheet.headers.get("Cache-Control") or "")
    stylesheet.close()


def test_hsts_only_over_https(app):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forwarded_headers_count_only_behind_a_configured_proxy(app, database_url):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    # No proxy configured: the headers are anyone's to send and are ignored.
    assert "Strict-Transport-Security" not in app.test_client().get("/login", headers=forwarded).headers
    behind = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_PROXIES": 1})
    response = behind.test_client().get("/login", headers=forwarded)
    assert "Strict-Transport-Security" in response.headers
    with behind.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_password_spraying_across_accounts_is_limited_per_address(app, staff):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    for name in ("cw", "lead", "chief"):  # one guess at each of several accounts
        assert client.post("/login", data={"username": name, "password": "Winter2026!"}).status_code == 401
    assert client.post("/login", data={"username": "navi", "password": PASSWORD}).status_code == 429
    # Another address is not affected.
    other = app.test_client()
    response = other.post("/login", data={"username": "navi", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302


def test_successful_logins_from_one_office_address_do_not_count(app, staff):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3 per minute"
    for name in ("cw", "lead", "chief", "budget", "navi", "prov"):
        assert app.test_client().post("/login", data={"username": name, "password": PASSWORD}).status_code == 302
