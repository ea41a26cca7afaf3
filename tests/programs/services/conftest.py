"""Cases driven through the pages and the API for the statutory services."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.extensions import db
from app.models import HumanTask
from app.services.staff.tokens import issue_token
from tests.helpers import complete, walk_in

DAY = date(2026, 11, 26)
NOON = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday 12:00 in Japan


class Api:
    def __init__(self, app, user):
        raw, _ = issue_token(user.username)
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path):
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path, body):
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers)

    def action(self, case_id, action, data, expect=200):
        response = self.post(f"/cases/{case_id}/actions/{action}", {"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()


@pytest.fixture
def api(app):
    return lambda user: Api(app, user)


@pytest.fixture
def intake_case(staff, login, clock):
    """make(**intake overrides) -> a case of the caseworker past intake (the person is known)."""

    def make(**overrides) -> int:
        clock.current = NOON
        cw = login(staff["caseworker"])
        case_id = walk_in(cw)
        complete(cw, case_id, "intake", DAY, new_person=True, **overrides)
        return case_id

    return make


def open_task(case_id: int, bpmn_id: str) -> HumanTask | None:
    db.session.expire_all()
    return db.session.query(HumanTask).filter_by(case_id=case_id, status="open", bpmn_id=bpmn_id).one_or_none()
