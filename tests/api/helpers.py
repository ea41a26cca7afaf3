"""Driving cases through the JSON API."""

from __future__ import annotations

import threading
from datetime import date

from app.extensions import db
from app.services.demo.samples import sample
from app.services.staff.tokens import issue_token
from tests.helpers import clock_not_before

from .conftest import ApiClient

DAY = date(2026, 11, 26)


def open_task_id(client, case_id: int, form_key: str, instance_item: str | None = None) -> int:
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200, response.get_json()
    tasks = [t for t in response.get_json()["open_tasks"]
             if t["form_key"] == form_key and (instance_item is None or t["instance_item"] == instance_item)]
    assert len(tasks) == 1, response.get_json()["open_tasks"]
    return tasks[0]["task_id"]


def complete(client, case_id: int, form_key: str, expect: int = 200, instance_item: str | None = None,
             day: date = DAY, **overrides):
    task_id = open_task_id(client, case_id, form_key, instance_item)
    data = sample(form_key, day, **overrides)
    if form_key == "service_record" and instance_item:
        data["service"] = instance_item
    with clock_not_before(data.get("contact_on") if form_key == "monitoring" else None):
        response = client.post(f"/tasks/{task_id}/complete", json={"data": data})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def post_twice_at_once(app, user, path: str, json: dict, headers: dict) -> list[tuple[int, dict]]:
    """Two API clients of the user send the same POST at the same moment; their (status, body) answers.

    Each runs in its own thread with its own app context (its own database session), as two
    workers would; a thread's failure is raised here, never lost.
    """
    token = issue_token(user.username)[0]
    barrier = threading.Barrier(2)
    answers: list = [None, None]
    errors: list[BaseException] = []

    def send(index):
        try:
            with app.app_context():
                client = ApiClient(app.test_client(), token)
                barrier.wait(timeout=10)
                response = client.post(path, json=json, headers=headers)
                answers[index] = (response.status_code, response.get_json())
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return answers
