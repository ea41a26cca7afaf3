"""Driving the housing benefit through the JSON API and the CLI, with the app clock frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import HumanTask
from app.services.staff.tokens import issue_token
from tests.api.conftest import ApiClient

JST = ZoneInfo("Asia/Tokyo")


def jst(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), JST).astimezone(UTC)


def wage(gross: int, commuting: int = 0, member: str = "本人") -> dict:
    return {"member": member, "kind": "wage", "gross": gross, "commuting_allowance": commuting}


def application(applied_on: date, **overrides) -> dict:
    data = {"applied_on": applied_on.isoformat(), "household_size": 1, "main_earner": True,
            "job_seeker_registered": True, "job_loss_on": "2027-03-31", "incapacity_days": 0,
            "incomes": [], "rent": 50000, "common_fee": 0, "assets": 100000, "payee": "agent",
            "payee_name": "みなと不動産株式会社"}
    return {**data, **overrides}


class Benefit:
    """One case's benefit, driven by its caseworker, a lead worker and a section chief."""

    def __init__(self, app, clock, staff):
        self.app, self.clock, self.staff = app, clock, staff
        self.case_id = None
        self._tokens()

    def _tokens(self) -> None:
        # Tokens expire: each move of the clock gives the staff fresh ones, as a long-running test would need.
        self.cw, self.lead, self.chief = (self.client(self.staff[r]) for r in ("caseworker", "lead_worker",
                                                                                 "section_chief"))

    def client(self, user) -> ApiClient:
        return ApiClient(self.app.test_client(), issue_token(user.username)[0])

    def on(self, day: date, hour: int = 10) -> None:
        self.clock.current = jst(day, hour)
        self._tokens()

    def open_case(self) -> int:
        response = self.cw.post("/cases", json={"ward": "naka"})
        assert response.status_code == 201, response.get_json()
        self.case_id = response.get_json()["case_id"]
        return self.case_id

    def action(self, name: str, data: dict, expect: int = 200, client=None):
        response = (client or self.cw).post(f"/cases/{self.case_id}/actions/{name}", json={"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def task_id(self, form_key: str) -> int:
        db.session.expire_all()
        tasks = db.session.query(HumanTask).filter_by(case_id=self.case_id, form_key=form_key, status="open").all()
        assert len(tasks) == 1, [(t.bpmn_id, t.status) for t in tasks]
        return tasks[0].id

    def complete(self, form_key: str, data: dict, client=None, expect: int = 200):
        task_id = self.task_id(form_key)
        response = (client or self.lead).post(f"/tasks/{task_id}/complete", json={"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def screen(self, decision: str, expect: int = 200, note: str | None = None):
        data = {"decision": decision, **({"note": note} if note else {})}
        return self.complete("hb_screening", data, expect=expect)

    def state(self, client=None) -> dict:
        response = (client or self.cw).get(f"/cases/{self.case_id}/housing-benefit")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def current(self, client=None) -> dict:
        return self.state(client)["applications"][-1]

    def report_duties(self, month: str, compliant: bool = True):
        counts = {"desk_interviews": 4, "hello_work_sessions": 2, "weeks_with_application": 4} if compliant else \
            {"desk_interviews": 0, "hello_work_sessions": 0, "weeks_with_application": 0}
        return self.action("hb_report_duties", {"month": month, **counts})

    def pay(self, month: str) -> str:
        result = self.app.test_cli_runner().invoke(args=["benefits", "pay", "--month", month])
        assert result.exit_code == 0, result.output
        return result.output

    def check_duties(self, day: date) -> str:
        self.on(day, 0)
        result = self.app.test_cli_runner().invoke(args=["benefits", "check-duties"])
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture
def benefit(app, clock, staff):
    return Benefit(app, clock, staff)
