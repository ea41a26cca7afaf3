"""Meeting fixtures: API clients per user, and the privacy switch through its CLI."""

from __future__ import annotations

import pytest

from app.services.staff.tokens import issue_token
from tests.api.conftest import ApiClient


@pytest.fixture
def api(app):
    def make(user) -> ApiClient:
        raw, _token = issue_token(user.username)
        return ApiClient(app.test_client(), raw)

    return make
