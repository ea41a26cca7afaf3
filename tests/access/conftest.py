"""The API client fixture is shared with tests/api."""

from ..api.conftest import api  # noqa: F401
