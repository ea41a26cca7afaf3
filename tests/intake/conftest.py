"""Fixtures for intake from every route: a referrer, a PA caseworker, API clients."""

from __future__ import annotations

import pytest

from ..api.conftest import api  # noqa: F401  (the API client fixture)


@pytest.fixture
def referrer(make_user):
    return make_user("tax_clerk", "referrer", ward=None)


@pytest.fixture
def pa_cw(make_user):
    return make_user("pa_cw", "pa_worker")
