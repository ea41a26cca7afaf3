"""Driving cases through the JSON API."""

from __future__ import annotations

from datetime import date

from app.services.demo.samples import sample

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
    response = client.post(f"/tasks/{task_id}/complete", json={"data": data})
    assert response.status_code == expect, response.get_json()
    return response.get_json()
