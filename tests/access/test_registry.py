"""Every view declares its access rule; a view without one makes this test fail."""

from __future__ import annotations

from flask import Blueprint

from app.access import RULES, access_rule, rule_for, undeclared_endpoints


def test_every_endpoint_declares_a_known_access_rule(app):
    assert undeclared_endpoints(app) == []
    assert rule_for(app, "api.complete_task") == "task_act"
    assert rule_for(app, "cases.show") == "case_view"


def test_a_view_without_a_rule_is_reported(app):
    bp = Blueprint("rogue", __name__)

    @bp.get("/rogue-export")
    def export_everything():
        return "all the cases"

    @bp.get("/declared")
    @access_rule("stats")
    def declared():
        return "aggregates"

    app.register_blueprint(bp)
    assert undeclared_endpoints(app) == ["rogue.export_everything"]


def test_unknown_rule_names_are_refused_at_import_time():
    try:
        access_rule("anyone_can_do_anything")
    except ValueError as exc:
        assert "unknown access rule" in str(exc)
    else:
        raise AssertionError("an unknown rule name was accepted")
    assert "case_view" in RULES
