"""Warnings raised by the project's own code fail the suite; third-party deprecations do not.

These run under the filters pytest took from pyproject.toml, so they check the live policy.
"""

from __future__ import annotations

import types
import warnings

import pytest


def warn_from(module_name: str, category: type[Warning]) -> None:
    """Warn from a function of a module called `module_name`, as that module's own code would."""
    module = types.ModuleType(module_name)
    exec("import warnings\ndef warn(category):\n    warnings.warn('probe warning', category)\n", module.__dict__)
    module.warn(category)


@pytest.mark.parametrize("category", [UserWarning, DeprecationWarning, RuntimeWarning])
@pytest.mark.parametrize("module_name", ["app", "app.services.cases", "tests.test_lifecycle", "bench.replay"])
def test_a_warning_from_the_projects_code_is_an_error(module_name, category):
    with pytest.raises(category, match="probe warning"):
        warn_from(module_name, category)


def test_a_warning_in_a_test_is_an_error():
    with pytest.raises(UserWarning):
        warnings.warn("probe warning", UserWarning, stacklevel=1)


@pytest.mark.parametrize("module_name", ["apscheduler.util", "application", "tests_helper", "flask_sqlalchemy",
                                         "sqlalchemy.orm.query", "benchmark"])
def test_a_deprecation_from_third_party_code_is_ignored(module_name):
    with warnings.catch_warnings(record=True) as shown:
        warn_from(module_name, DeprecationWarning)
    assert shown == []
