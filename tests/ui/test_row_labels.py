"""RowLabels: a long list's repeated labels and links, made once per page, read as the helpers make them."""

from __future__ import annotations

from datetime import date

from flask import url_for

from app.views.template_helpers import RowLabels, code_label, due_hint, jdate_weekday, role_labels


def test_row_labels_are_the_helpers_answers(app):
    with app.test_request_context("/"):
        row = RowLabels()
        for _ in range(2):  # the second round comes from the memo
            assert row.code("CASE_STATES", "intake") == code_label("CASE_STATES", "intake")
            assert row.roles("caseworker lead_worker") == role_labels("caseworker lead_worker")
            for day in (date(2026, 11, 20), date(2026, 12, 2), date(2027, 1, 4), None):
                assert row.weekday(day) == jdate_weekday(day)
                assert row.due_hint(day) == due_hint(day)
            for task_id in (1, 42, 7300000):
                assert row.url("tasks.show", "task_id", task_id) == url_for("tasks.show", task_id=task_id)
                assert row.url("cases.show", "case_id", task_id) == url_for("cases.show", case_id=task_id)
