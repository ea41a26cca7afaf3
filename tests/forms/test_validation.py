"""validate_data: types, Japanese input, required rules and cross-field rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.forms import jp, load_form_definitions, validate_data

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture(scope="module")
def defs():
    return load_form_definitions(FORMS_DIR)


# Only contract fields, as an API client would send them.
VALID = {
    "referral_slip": {
        "slip_date": "2026-11-20", "from_section": "tax", "from_staff": "税務 太郎", "person_name": "横浜 花子",
        "person_kana": "ヨコハマ ハナコ", "phone": "045-123-4567", "consent_to_refer": True,
        "consent_scopes": ["identity", "reason", "arrears_detail", "reply"], "arrears_kind": "tax",
        "arrears_amount": 120000, "person_request": "生活費の相談をしたい",
    },
    "intake": {
        "received_on": "2026-11-26", "method": "visit", "route": "self", "via_slip": False,
        "person_name": "横浜 花子", "person_kana": "ヨコハマ ハナコ", "birth_date": "1978-06-15",
        "address": "横浜市中区港町1-1", "worries": ["income", "job_search"], "urgency": "medium",
        "screening_result": "continue_support", "applied": True, "consent_scopes": ["support_agencies"],
    },
    "assessment": {
        "likely_public_assistance": False, "issues": ["hardship"], "suicide_risk": "none", "household_size": 1,
        "monthly_income": 80000, "assets": 50000, "rent": 52000, "summary": "家賃の支払いが滞っている",
    },
    "plan": {
        "overall_goal": "仕事に就く", "statutory_services": ["household_budget"], "employment_support_target": True,
        "plan_from": "2026-12-01", "plan_to": "2027-05-31", "next_monitoring_on": "2027-01-05",
        "signed_by_person": True,
    },
    "coordination_meeting": {
        "held_on": "2026-12-01", "attendees": ["person", "caseworker", "section_chief"], "decision": "approve",
    },
    "monitoring": {
        "contact_on": "2026-11-26", "contact_made": True, "progress": "求職中", "replan_needed": False,
        "next_monitoring_on": "2027-02-05",
    },
    "evaluation": {"goals_result": "achieved", "outcome": "close", "closure_reason": "goal_achieved"},
    "service_record": {"service": "work_readiness", "started_on": "2026-12-01", "status": "ongoing"},
    "pa_handoff": {
        "consent_to_share": True, "handed_over_at": "2026-12-01T10:00:00+09:00", "application_received": True,
        "note": "同行した",
    },
    "closure": {"closed_on": "2027-06-01", "closure_reason": "goal_achieved"},
    "progress_note": {"recorded_on": "2026-12-02", "kind": "phone", "content": "近況を確認"},
}


def check(defs, form_key, **changes):
    data = {**VALID[form_key], **changes}
    for key in [k for k, v in changes.items() if v is ...]:
        del data[key]
    return validate_data(defs[form_key], data)


@pytest.mark.parametrize("form_key", sorted(VALID))
def test_contract_only_data_is_valid_and_clean_is_json(defs, form_key):
    result = validate_data(defs[form_key], VALID[form_key])
    assert result.ok, result.errors
    assert set(result.clean) == {f.name for f in defs[form_key].fields}
    json.dumps(result.clean)


def test_clean_values_have_json_shapes(defs):
    result = validate_data(defs["pa_handoff"], VALID["pa_handoff"])
    assert result.clean["handed_over_at"] == "2026-12-01T10:00:00+09:00"
    result = check(defs, "plan")
    assert result.clean["plan_from"] == "2026-12-01"
    assert result.clean["statutory_services"] == ["household_budget"]
    assert result.clean["plan_kind"] == "initial"  # extra field filled by its default
    assert result.clean["goal_details"] is None


def test_missing_bools_are_false_and_missing_codes_empty(defs):
    result = check(defs, "monitoring", replan_needed=..., next_monitoring_on=...)
    assert result.ok, result.errors
    assert result.clean["replan_needed"] is False
    assert result.clean["next_monitoring_on"] is None
    result = check(defs, "plan", statutory_services=...)
    assert result.clean["statutory_services"] == []


def test_a_yes_no_question_left_unanswered_is_an_error_and_no_is_an_answer(defs):
    assert check(defs, "monitoring", contact_made=...).errors == {
        "contact_made": ["本人と連絡がとれたかを選択してください"]}
    result = check(defs, "monitoring", contact_made=False)
    assert result.ok and result.clean["contact_made"] is False


def test_unknown_keys_are_errors_not_dropped(defs):
    result = check(defs, "closure", approver="someone")
    assert not result.ok
    assert result.errors == {"approver": ["この項目は定義されていません: approver"]}
    assert result.clean == {}
    english = validate_data(defs["closure"], {**VALID["closure"], "approver": "x"}, locale="en")
    assert english.errors["approver"] == ["This field is not defined: approver"]


def test_data_must_be_an_object(defs):
    result = validate_data(defs["closure"], ["closed_on"])
    assert not result.ok and "data" in result.errors


@pytest.mark.parametrize(("form_key", "field", "value", "message"), [
    ("assessment", "household_size", "abc", "世帯人数は数字で入力してください（例: 3）"),
    ("assessment", "household_size", True, "世帯人数は数字で入力してください（例: 3）"),
    ("assessment", "household_size", 0, "世帯人数は1以上で入力してください"),
    ("assessment", "rent", "たくさん", "家賃（月額）は金額を数字で入力してください（例: 120,000）"),
    ("assessment", "rent", -1, "家賃（月額）は0円以上で入力してください"),
    ("closure", "closed_on", 3, "終結日は正しい日付を入力してください（例: 2026年11月26日）"),
    ("closure", "closed_on", "2027-02-30", "終結日は正しい日付を入力してください（例: 2026年11月26日）"),
    ("closure", "closure_reason", "bored", "終結の理由の選択肢にない値です: bored"),
    ("assessment", "issues", "hardship", "課題と背景要因は選択肢のリストで指定してください"),
    ("assessment", "issues", ["hardship", "aliens"], "課題と背景要因の選択肢にない値です: aliens"),
    ("assessment", "summary", 42, "総合的な見立ては文字で入力してください"),
    ("monitoring", "contact_made", "maybe", "本人と連絡がとれたかは「はい」か「いいえ」で指定してください"),
    ("pa_handoff", "handed_over_at", "2026-12-01",
     "つないだ日時は正しい日時を入力してください（例: 2026年11月26日 10時30分）"),
])
def test_type_errors_in_japanese(defs, form_key, field, value, message):
    result = check(defs, form_key, **{field: value})
    assert result.errors == {field: [message]}


def test_type_errors_in_english(defs):
    result = validate_data(defs["assessment"], {**VALID["assessment"], "household_size": "abc"}, locale="en")
    assert result.errors == {"household_size": ["Household size must be a whole number (e.g. 3)"]}
    result = validate_data(defs["closure"], {"closed_on": "2027-06-01"}, locale="en")
    assert result.errors == {"closure_reason": ["Select Reason"]}


def test_required_messages(defs):
    result = check(defs, "closure", closed_on="", closure_reason=...)
    assert result.errors == {
        "closed_on": ["終結日を入力してください"], "closure_reason": ["終結の理由を選択してください"]}
    result = check(defs, "assessment", issues=[])
    assert result.errors == {"issues": ["課題と背景要因を選択してください"]}


def test_required_bool_must_be_checked(defs):
    result = check(defs, "plan", signed_by_person=False)
    assert list(result.errors) == ["signed_by_person"]
    assert result.errors["signed_by_person"][0].endswith("にチェックを入れてください")


# --- Japanese input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "clean"), [
    ("やまだ たろう", "ヤマダ タロウ"),
    ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
    ("ﾊﾟｰｸ　ｼﾞｭﾝ", "パーク ジュン"),
    ("  ヤマダ　　タロウ ", "ヤマダ タロウ"),
    ("ゔぁいおりん", "ヴァイオリン"),
    ("スミス・ジョン", "スミス・ジョン"),
])
def test_kana_is_normalised(defs, typed, clean):
    result = check(defs, "intake", person_kana=typed)
    assert result.ok, result.errors
    assert result.clean["person_kana"] == clean


def test_kana_rejects_other_characters(defs):
    result = check(defs, "intake", person_kana="山田 タロウ")
    assert result.errors == {"person_kana": ["フリガナはカタカナで入力してください（使えない文字: 山田）"]}
    result = check(defs, "intake", person_kana="Yamada")
    assert result.errors["person_kana"][0].endswith("（使えない文字: Yamd）")


@pytest.mark.parametrize("typed", ["120,000", "１２０，０００", "120000円", "¥120,000", " 120000 ", 120000])
def test_yen_amounts(defs, typed):
    result = check(defs, "assessment", monthly_income=typed)
    assert result.ok, result.errors
    assert result.clean["monthly_income"] == 120000


def test_yen_helpers():
    assert jp.format_yen(1234567) == "1,234,567"
    assert jp.parse_integer("12.5", yen=True) is None
    assert jp.parse_integer("−500", yen=True) == -500
    assert jp.parse_integer("1,000") == 1000


def test_date_parts_and_eras(defs):
    parts = {"year": "２０２６", "month": "11", "day": "26"}
    assert check(defs, "closure", closed_on=parts).clean["closed_on"] == "2026-11-26"
    for year, month, day, iso in [("令和8", "1", "5", "2026-01-05"), ("H31", "4", "30", "2019-04-30"),
                                  ("令和元年", "5", "1", "2019-05-01"), ("r8", "１２", "０１", "2026-12-01")]:
        parts = {"year": year, "month": month, "day": day}
        assert check(defs, "closure", closed_on=parts).clean["closed_on"] == iso
    assert check(defs, "closure", closed_on="2026/11/26").clean["closed_on"] == "2026-11-26"
    assert check(defs, "closure", closed_on=date(2026, 11, 26)).clean["closed_on"] == "2026-11-26"
    incomplete = check(defs, "closure", closed_on={"year": "2026", "month": "", "day": "1"})
    assert incomplete.errors == {"closed_on": ["終結日は年・月・日をすべて入力してください"]}
    wrong = check(defs, "closure", closed_on={"year": "2026", "month": "13", "day": "1"})
    assert wrong.errors["closed_on"][0].startswith("終結日は正しい日付")


def test_wareki():
    assert jp.wareki(date(2026, 11, 26)) == "令和8年"
    assert jp.wareki(date(2019, 5, 1)) == "令和元年"
    assert jp.wareki(date(2019, 4, 30)) == "平成31年"
    assert jp.wareki(date(1978, 6, 15), "en") == "Showa 53"


def test_birth_date_cannot_be_in_the_future(defs):
    result = check(defs, "intake", birth_date="2999-01-01")
    assert result.errors == {"birth_date": ["生年月日は今日以前の日付を入力してください"]}


def test_datetime_offsets(defs):
    naive = check(defs, "pa_handoff", handed_over_at="2026-12-01T10:00")
    assert naive.clean["handed_over_at"] == "2026-12-01T10:00:00+09:00"
    utc = check(defs, "pa_handoff", handed_over_at="2026-12-01T01:00:00Z")
    assert utc.clean["handed_over_at"] == "2026-12-01T01:00:00+00:00"


# --- rules ------------------------------------------------------------------------------------------

def test_intake_route_section_required_for_city_section(defs):
    result = check(defs, "intake", route="city_section")
    assert result.errors == {"route_section": ["つないだ庁内関係課を選択してください"]}
    assert check(defs, "intake", route="city_section", route_section="tax", via_slip=True).ok
    assert check(defs, "intake", route="self", route_section=...).ok


def test_intake_continue_support_needs_application_and_consent(defs):
    result = check(defs, "intake", applied=False, consent_scopes=[])
    assert result.errors == {
        "applied": ["継続支援には本人の申込（申込済み）が必要です"],
        "consent_scopes": ["継続支援には情報共有に同意した範囲を1つ以上選んでください"],
    }
    assert check(defs, "intake", screening_result="info_only", applied=False, consent_scopes=[]).ok
    english = validate_data(defs["intake"], {**VALID["intake"], "applied": False}, locale="en")
    assert english.errors == {"applied": ["Continued support needs the person's application"]}


def test_intake_address_or_no_fixed_address(defs):
    assert check(defs, "intake", address=...).errors == {"address": ["住所を入力してください"]}
    assert check(defs, "intake", address=..., no_fixed_address=True).ok


def test_plan_dates(defs):
    result = check(defs, "plan", plan_to="2026-12-01")
    assert result.errors == {"plan_to": ["プラン終了日はプラン開始日より後の日付にしてください"]}
    result = check(defs, "plan", next_monitoring_on="2026-11-30")
    assert result.errors == {"next_monitoring_on": ["次回モニタリング予定日はプラン開始日以降の日付にしてください"]}
    result = check(defs, "plan", next_monitoring_on="2027-06-01")
    assert result.errors == {"next_monitoring_on": ["次回モニタリング予定日はプラン終了日以前の日付にしてください"]}
    assert check(defs, "plan", next_monitoring_on="2027-05-31").ok
    assert check(defs, "plan", next_monitoring_on="2026-12-01").ok


def test_meeting_revise_needs_requested_changes(defs):
    result = check(defs, "coordination_meeting", decision="revise")
    assert result.errors == {"requested_changes": ["修正を求める内容を入力してください"]}
    assert check(defs, "coordination_meeting", decision="revise", requested_changes="目標を具体的に").ok


def test_meeting_attendees_name_who_is_missing(defs):
    result = check(defs, "coordination_meeting", attendees=["caseworker"])
    assert result.errors == {"attendees": [
        "出席者が足りません。次の出席が必要です: 本人、主任相談支援員または区担当係長"]}
    result = check(defs, "coordination_meeting", attendees=["person", "lead_worker"])
    assert result.errors == {"attendees": ["出席者が足りません。次の出席が必要です: 自立相談支援員"]}
    english = validate_data(defs["coordination_meeting"], {**VALID["coordination_meeting"], "attendees": ["person"]},
                            locale="en")
    assert english.errors == {
        "attendees": ["Attendees missing: Support worker, Lead support worker or Ward section chief"]}
    assert check(defs, "coordination_meeting", attendees=["person", "caseworker", "lead_worker", "provider"]).ok


def test_service_record_end_date(defs):
    result = check(defs, "service_record", status="completed")
    assert result.errors == {"ended_on": ["終了日を入力してください"]}
    result = check(defs, "service_record", status="discontinued", ended_on="2026-11-30")
    assert result.errors == {"ended_on": ["終了日は開始日以降の日付にしてください"]}
    assert check(defs, "service_record", status="completed", ended_on="2026-12-01").ok


def test_evaluation_close_needs_reason(defs):
    assert check(defs, "evaluation", closure_reason=...).errors == {"closure_reason": ["終結の理由を選択してください"]}
    assert check(defs, "evaluation", outcome="replan", closure_reason=...).ok


def test_monitoring_next_date_not_before_contact(defs):
    result = check(defs, "monitoring", next_monitoring_on="2026-11-25")
    assert result.errors == {"next_monitoring_on": ["次回モニタリング予定日は確認日以降の日付にしてください"]}


def test_referral_consent_rules(defs):
    result = check(defs, "referral_slip", consent_scopes=["identity", "reason"])
    assert result.errors == {"arrears_amount": ["滞納額は、同意の範囲に「滞納の詳細」が含まれる場合だけ記入できます"]}
    result = check(defs, "referral_slip", consent_to_refer=False)
    assert result.errors == {"consent_scopes": ["本人の同意がない場合は同意の範囲を選択できません"]}
    no_consent = check(defs, "referral_slip", consent_to_refer=False, consent_scopes=[], arrears_amount=...,
                       person_name=...)
    assert no_consent.ok, no_consent.errors
    assert check(defs, "referral_slip", person_name="").errors == {"person_name": ["氏名を入力してください"]}


def test_a_field_with_a_type_error_does_not_trigger_rules_on_it(defs):
    result = check(defs, "coordination_meeting", decision="nonsense")
    assert result.errors == {"decision": ["決定の選択肢にない値です: nonsense"]}


def test_phone_is_normalised_and_checked(defs):
    assert check(defs, "intake", phone="０９０ー１２３４ー５６７８").clean["phone"] == "090-1234-5678"
    result = check(defs, "intake", phone="090-1234-abcd")
    assert result.errors == {"phone": ["電話番号は数字とハイフンで入力してください（例: 090-1234-5678）"]}


def test_regional_english_locale_gets_english(defs):
    result = validate_data(defs["closure"], {"closed_on": "2027-06-01"}, locale="en_US")
    assert result.errors == {"closure_reason": ["Select Reason"]}


def test_birth_date_minimum(defs):
    result = check(defs, "intake", birth_date="1899-12-31")
    assert result.errors == {"birth_date": ["生年月日は1900年1月1日以降の日付を入力してください"]}
