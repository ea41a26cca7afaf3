"""Tokens: printed once, stored as a hash, expiring, revocable, every use audited."""

from __future__ import annotations

from app.extensions import db
from app.models import ApiToken, AuditEvent
from app.services.staff.tokens import issue_token

from .conftest import ApiClient


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_prints_a_token_once_and_stores_only_its_hash(app, staff):
    result = _cli(app, "users", "token", "cw")
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip().splitlines()[0]
    assert raw.startswith("tsg_") and len(raw) > 40
    stored = db.session.query(ApiToken).one()
    assert raw not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    client = ApiClient(app.test_client(), raw)
    assert client.get("/tasks").status_code == 200


def test_cli_refuses_an_unknown_user(app, staff):
    result = _cli(app, "users", "token", "nobody")
    assert result.exit_code == 2 and db.session.query(ApiToken).count() == 0


def test_revoked_tokens_are_refused(app, staff):
    client = ApiClient(app.test_client(), issue_token("cw")[0])
    assert client.get("/tasks").status_code == 200
    result = _cli(app, "users", "revoke-tokens", "cw")
    assert result.exit_code == 0 and "revoked 1" in result.output
    response = client.get("/tasks")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401


def test_tokens_expire_after_the_configured_days(app, staff, clock):
    app.config["TOKEN_TTL_DAYS"] = 7
    client = ApiClient(app.test_client(), issue_token("cw")[0])
    clock.advance(days=6, hours=23)
    assert client.get("/tasks").status_code == 200
    clock.advance(hours=2)
    assert client.get("/tasks").status_code == 401


def test_missing_or_forged_tokens_get_401_problems(app, staff):
    for header in ({}, {"Authorization": "Bearer tsg_forged"}, {"Authorization": "Basic Y3c6eA=="}):
        response = app.test_client().get("/api/v1/tasks", headers=header)
        assert response.status_code == 401, header
        body = response.get_json()
        assert set(body) >= {"type", "title", "status", "detail"}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_browser_session_does_not_open_the_api(staff, login):
    browser = login(staff["caseworker"])
    assert browser.get("/api/v1/tasks").status_code == 401


def test_each_use_is_attributable_in_the_audit_log(app, staff):
    raw, token = issue_token("cw")
    client = ApiClient(app.test_client(), raw)
    client.get("/tasks")
    client.post("/cases", json={"ward": "naka"})
    db.session.expire_all()
    uses = db.session.query(AuditEvent).filter_by(event_type="api_token_used").order_by(AuditEvent.id).all()
    assert [(u.actor_id, u.data["token_id"], u.data["method"], u.data["status"]) for u in uses] == [
        (staff["caseworker"].id, token.id, "GET", 200), (staff["caseworker"].id, token.id, "POST", 201)]
    assert db.session.get(ApiToken, token.id).last_used_at is not None
    assert client.get("/tasks").headers["Cache-Control"] == "no-store"


def test_inactive_users_tokens_stop_working(app, staff):
    client = ApiClient(app.test_client(), issue_token("cw")[0])
    staff["caseworker"].active = False
    db.session.commit()
    assert client.get("/tasks").status_code == 401


def test_a_token_cannot_be_given_a_life_beyond_the_longest_allowed(app, staff, clock):
    refused = _cli(app, "users", "token", "cw", "--days", "100000")
    assert refused.exit_code == 2 and "有効日数は1日から365日までで指定してください" in refused.output
    assert _cli(app, "users", "token", "cw", "--days", "0").exit_code == 2
    assert db.session.query(ApiToken).count() == 0
    made = _cli(app, "users", "token", "cw", "--days", "365")
    assert made.exit_code == 0
    (token,) = db.session.query(ApiToken).all()
    expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=clock.current.tzinfo)
    assert (expires - clock.current).days == 365
