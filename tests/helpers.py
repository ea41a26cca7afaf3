"""Driving cases through the same HTTP doors a caseworker uses."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

from app.clock import JST
from app.extensions import db
from app.lifecycle import step_rows
from app.models import Case, HumanTask
from app.services.demo.samples import sample


def form_post(data: dict) -> MultiDict:
    """A JSON-shaped submission as browser form fields (lists repeat, False is "n": a checkbox
    reads it as unchecked, a yes/no question as いいえ; None is left out)."""
    pairs = []
    for key, value in data.items():
        if isinstance(value, list):
            pairs.extend((key, str(item)) for item in value)
        elif value is True:
            pairs.append((key, "y"))
        elif value is False:
            pairs.append((key, "n"))
        elif value is None:
            continue
        else:
            pairs.append((key, str(value)))
    return MultiDict(pairs)


def open_task(case_id: int, form_key: str, instance_item: str | None = None) -> HumanTask:
    db.session.expire_all()
    query = db.session.query(HumanTask).filter_by(case_id=case_id, status="open", form_key=form_key)
    if instance_item:
        query = query.filter_by(instance_item=instance_item)
    tasks = query.order_by(HumanTask.id).all()
    assert len(tasks) == 1, f"expected one open {form_key} task, found {[(t.bpmn_id, t.status) for t in tasks]}"
    return tasks[0]


def complete(client, case_id: int, form_key: str, day: date | None = None, expect: int = 303,
             instance_item: str | None = None, **overrides):
    task = open_task(case_id, form_key, instance_item)
    data = sample(form_key, day or date(2026, 11, 26), **overrides)
    if form_key == "service_record" and instance_item:
        data["service"] = instance_item
    posted = form_post(data)
    posted["confirmed"] = "1"  # irreversible steps show a confirm page first
    with clock_not_before(data.get("contact_on") if form_key == "monitoring" else None):
        response = client.post(f"/tasks/{task.id}", data=posted)
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


@contextmanager
def clock_not_before(day: str | None):
    """A monitoring is recorded on or after its date of contact (a future date is refused): when a
    test records one ahead of the app clock, the clock stands at that day for the request."""
    clock = current_app.extensions.get("tsunagi.clock")
    start = getattr(clock, "current", None)
    if not day or start is None or start.astimezone(JST).date() >= date.fromisoformat(day):
        yield
        return
    clock.current = datetime.combine(date.fromisoformat(day), time(10), JST).astimezone(UTC)
    try:
        yield
    finally:
        clock.current = start


def walk_in(client) -> int:
    response = client.post("/cases/new", data={"ward": "naka"})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.query(Case).order_by(Case.id.desc()).first().id


def case_with_plan_ending(caseworker, lead_worker) -> int:
    """A case whose plan (to 2026-12-10) the meeting has approved: its plan-end timer waits."""
    case_id = walk_in(caseworker)
    complete(caseworker, case_id, "intake")
    complete(caseworker, case_id, "assessment")
    complete(caseworker, case_id, "plan", plan_to="2026-12-10", next_monitoring_on="2026-12-01")
    complete(lead_worker, case_id, "coordination_meeting")
    return case_id


def case_of(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def run_together(calls, join_timeout: float = 120) -> list:
    """Run each call in its own thread, released at once by a barrier; their answers in order.

    Each thread gets its own app context (and so its own session and connection) from the client
    or code it calls.  A failure in any thread fails the test: a thread must not fail silently.
    """
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            answers[index] = call()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join_timeout)
    assert not failures, failures
    return answers


@contextmanager
def statements_sent(which=None):
    """The SQL statements the app sends while the block runs, in order (a list filled as they go);
    `which(statement)` keeps only some."""
    sent: list[str] = []

    def keep(_conn, _cursor, statement, *_args):
        if which is None or which(statement):
            sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)


def core_writes_only_for(monkeypatch, case_id: int) -> list[bool]:
    """Let the steps' Core writer act for one case only, every other case's rows going through the
    ORM's flush (its twin, to compare with); the list fills with what each of its writes answered."""
    answered: list[bool] = []
    write = step_rows.write

    def for_one_case(step):
        if step.case.id != case_id:
            return False
        answered.append(write(step))
        return answered[-1]

    monkeypatch.setattr(step_rows, "write", for_one_case)
    return answered
