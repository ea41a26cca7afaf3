"""Login attempts are rate limited per address and user name (Flask-Limiter)."""

from __future__ import annotations

from ..conftest import PASSWORD


def test_too_many_login_attempts_get_429(app, staff):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"username": "cw", "password": "wrong"}).status_code == 401
    assert client.post("/login", data={"username": "cw", "password": PASSWORD}).status_code == 429
    # Another account from the same address is not locked out by someone guessing at "cw".
    assert client.post("/login", data={"username": "lead", "password": PASSWORD}).status_code == 302
    assert client.get("/login").status_code == 200  # only POSTs count
