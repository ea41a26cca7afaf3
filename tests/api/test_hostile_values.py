"""Values that look like data but are not: invisible names, reordered text, impossible dates.

Each is refused with a field error through the API, and nothing is stored.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import FormSubmission, Person
from app.services.demo.samples import sample

from .helpers import DAY, open_task_id

ZERO_WIDTH_ONLY = "\u200b\u200c\u200d\ufeff"
RTL_OVERRIDE = "山田\u202e郎太"  # shows as 山田太郎 to a reader, is stored otherwise


@pytest.mark.parametrize(("field", "value", "says"), [
    ("person_name", ZERO_WIDTH_ONLY, "を入力してください"),
    ("person_name", "\u3000\u200b", "を入力してください"),
    ("person_name", RTL_OVERRIDE, "制御文字"),
    ("address", "港町\u20661-2\u2069", "制御文字"),
    ("birth_date", "0001-01-01", "1900年1月1日以降"),  # the field's own bound
    ("received_on", "9999-12-31", "1900年1月1日から2099年12月31日まで"),
    ("applied_on", "0001-01-01", "1900年1月1日から2099年12月31日まで"),
])
def test_hostile_values_are_field_errors_and_nothing_is_stored(api, staff, field, value, says):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    data = {**sample("intake", DAY, new_person=True), field: value}

    answer = cw.post(f"/tasks/{task_id}/complete", json={"data": data})

    assert answer.status_code == 422, answer.get_json()
    assert list(answer.get_json()["errors"]) == [field]
    assert says in answer.get_json()["errors"][field][0]
    db.session.expire_all()
    assert db.session.query(FormSubmission).count() == 0 and db.session.query(Person).count() == 0


def test_an_ordinary_name_with_a_space_still_passes(api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    data = {**sample("intake", DAY, new_person=True), "person_name": "山田　太郎", "birth_date": "1900-01-01"}
    assert cw.post(f"/tasks/{task_id}/complete", json={"data": data}).status_code == 200
