"""API fixtures: a client per user carrying a fresh bearer token."""

from __future__ import annotations

import pytest

from app.services.staff.tokens import issue_token


class ApiClient:
    """A test client that talks to /api/v1 with one user's bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return headers

    def get(self, path: str, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(kwargs.pop("headers", None)),
                                **kwargs)


@pytest.fixture
def api(app):
    """api(user) -> an ApiClient with a new token of that user."""

    def make(user) -> ApiClient:
        raw, _token = issue_token(user.username)
        return ApiClient(app.test_client(), raw)

    return make
