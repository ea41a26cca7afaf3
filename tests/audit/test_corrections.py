"""本人情報の訂正: a correction keeps before, after and a mandatory reason in the audit trail."""

from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent, FormSubmission, Person

from ..helpers import case_of, complete, form_post, walk_in


def _case_after_intake(login, staff) -> tuple[object, int]:
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    return cw, case_id


def _corrections(case_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="data_corrected").all()


def test_a_correction_changes_the_record_and_keeps_before_after_and_reason(staff, login, auditor):
    cw, case_id = _case_after_intake(login, staff)
    person = case_of(case_id).person
    old_address, old_kana = person.address, person.kana
    response = cw.post(f"/cases/{case_id}/actions/correct_person", data=form_post({
        "address": "横浜市中区山下町99-9", "person_kana": "やました さくら", "reason": "住民票の写しで誤記を確認"}))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]

    person = db.session.get(Person, case_of(case_id).person_id)
    assert person.address == "横浜市中区山下町99-9" and person.kana == "ヤマシタ サクラ"
    [event] = _corrections(case_id)
    assert event.data["reason"] == "住民票の写しで誤記を確認"
    assert event.data["changes"]["address"] == {"before": old_address, "after": "横浜市中区山下町99-9"}
    assert event.data["changes"]["person_kana"]["before"] == old_kana
    assert set(event.data["changes"]) == {"address", "person_kana"}

    timeline = login(auditor).get(f"/audit/cases/{case_id}").get_data(as_text=True)
    assert "本人情報の訂正" in timeline and "住民票の写しで誤記を確認" in timeline
    result = login(auditor).application.test_cli_runner().invoke(args=["audit", "verify", "--case", str(case_id)])
    assert result.exit_code == 0, result.output


def test_a_correction_without_a_reason_changes_nothing(staff, login):
    cw, case_id = _case_after_intake(login, staff)
    before = case_of(case_id).person.address
    submissions = db.session.query(FormSubmission).filter_by(case_id=case_id).count()
    response = cw.post(f"/cases/{case_id}/actions/correct_person", data=form_post({"address": "別の住所"}))
    assert response.status_code == 422
    assert "訂正の理由" in response.get_data(as_text=True)
    assert case_of(case_id).person.address == before
    assert _corrections(case_id) == []
    assert db.session.query(FormSubmission).filter_by(case_id=case_id).count() == submissions


def test_a_correction_that_changes_nothing_is_refused(staff, login):
    cw, case_id = _case_after_intake(login, staff)
    same = case_of(case_id).person.address
    response = cw.post(f"/cases/{case_id}/actions/correct_person",
                       data=form_post({"address": same, "reason": "確認"}))
    assert response.status_code == 422
    assert "現在の記録と同じ" in response.get_data(as_text=True)
    assert _corrections(case_id) == []


def test_an_auditor_cannot_correct(staff, login, auditor):
    _cw, case_id = _case_after_intake(login, staff)
    response = login(auditor).post(f"/cases/{case_id}/actions/correct_person",
                                   data=form_post({"address": "x", "reason": "y"}))
    assert response.status_code == 403
    assert _corrections(case_id) == []
