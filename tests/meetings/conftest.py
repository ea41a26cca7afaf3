"""Meeting fixtures: the API's per-user clients (shared with tests/api)."""

from __future__ import annotations

from tests.api.conftest import api  # noqa: F401  (the fixture, re-exported for these tests)
