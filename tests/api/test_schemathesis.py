"""The OpenAPI document is true: schemathesis calls every operation with generated input.

No server error, no status code, content type or body outside the document.  Examples are
bounded (max_examples per operation) so that the suite stays quick.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.services.cases.opening import start_case
from app.services.staff.tokens import issue_token


def _fresh_context(app):
    """Each call gets its own app context (own `g`, own session), as in production."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app(environ, start_response)

    return wsgi


# Bounded so the suite stays quick; raise it for a deeper run (e.g. TSUNAGI_SCHEMATHESIS_EXAMPLES=200).
MAX_EXAMPLES = int(os.environ.get("TSUNAGI_SCHEMATHESIS_EXAMPLES", "15"))
OPERATIONS = [
    "POST /referrals", "GET /referrals/{referral_id}", "POST /cases", "GET /cases/{case_id}",
    "GET /cases/{case_id}/events", "POST /cases/{case_id}/actions/{action}", "POST /cases/{case_id}/reassign",
    "GET /tasks", "GET /tasks/{task_id}", "POST /tasks/{task_id}/claim", "POST /tasks/{task_id}/release",
    "POST /tasks/{task_id}/take-over", "POST /tasks/{task_id}/reassign", "POST /tasks/{task_id}/complete",
    "POST /covers", "POST /covers/{cover_id}/end",
    # intake from every route
    "GET /referrals", "POST /pa-slips", "GET /cases/{case_id}/consents",
    "POST /cases/{case_id}/consents/{consent_id}/withdraw", "GET /cases/{case_id}/household",
    "POST /cases/{case_id}/household/members", "POST /cases/{case_id}/household/members/{member_id}/episode",
    "POST /cases/{case_id}/reconsultation",
    "GET /cases",  # case search (masked results)
    "GET /cases/{case_id}/notices",
    "GET /stats/monthly",  # statistics (aggregates)
    # meetings
    "POST /support-meetings", "GET /support-meetings/{meeting_id}", "POST /support-meetings/{meeting_id}/items",
    "POST /support-meetings/{meeting_id}/actions", "POST /support-meetings/{meeting_id}/minutes",
    "POST /meeting-sessions", "GET /meeting-sessions/{session_id}", "POST /meeting-sessions/{session_id}/cases",
    "POST /meeting-sessions/{session_id}/cases/{case_id}/minutes", "POST /regular-meetings",
    "GET /regular-meetings/{meeting_id}/pack", "POST /regular-meetings/{meeting_id}/minutes",
    # statutory services
    "GET /cases/{case_id}/services", "GET /cases/{case_id}/shelter", "GET /cases/{case_id}/budget",
    "GET /cases/{case_id}/child-referrals",
]


def test_every_operation_is_exercised(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _fresh_context(app))
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert labels == set(OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_api_matches_its_openapi_document(app, staff, label):
    # Something to find: a case with an open task in the caller's ward.
    start_case("naka", staff["caseworker"])
    headers = {"Authorization": f"Bearer {issue_token('chief')[0]}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _fresh_context(app))
    operation = schema.find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        # Business rules (a known user, cross-field form rules) rightly refuse some schema-valid
        # bodies with 422, so "schema-valid data must be accepted" does not apply to this API.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()


def test_the_document_is_openapi_3_1_and_lists_the_contract_paths(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert {"/referrals", "/cases", "/cases/{case_id}", "/tasks", "/tasks/{task_id}", "/tasks/{task_id}/claim",
            "/tasks/{task_id}/complete", "/cases/{case_id}/actions/{action}",
            "/cases/{case_id}/events"} <= set(document["paths"])
