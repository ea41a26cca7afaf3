"""The form definitions in forms/ against the integration contract's form fields, and the loader's checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import codes
from app.forms import FormDefinition, FormDefinitionError, describe_fields, load_form_definitions

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"

# The integration contract's forms: form key -> {field: contract type}
CONTRACT = {
    "referral_slip": {
        "slip_date": "date", "from_section": "code", "from_staff": "text", "person_name": "text",
        "person_kana": "text", "phone": "text", "consent_to_refer": "bool", "consent_scopes": "codes",
        "arrears_kind": "code", "arrears_amount": "int", "person_request": "text",
    },
    "intake": {
        "received_on": "date", "method": "code", "route": "code", "route_section": "code",
        "via_slip": "bool", "person_name": "text", "person_kana": "text", "birth_date": "date",
        "address": "text", "worries": "codes", "urgency": "code", "screening_result": "code",
        "applied": "bool", "consent_scopes": "codes",
    },
    "assessment": {
        "likely_public_assistance": "bool", "issues": "codes", "suicide_risk": "code",
        "household_size": "int", "monthly_income": "int", "assets": "int", "rent": "int", "summary": "text",
    },
    "plan": {
        "overall_goal": "text", "statutory_services": "codes", "employment_support_target": "bool",
        "plan_from": "date", "plan_to": "date", "next_monitoring_on": "date", "signed_by_person": "bool",
    },
    "coordination_meeting": {
        "held_on": "date", "attendees": "codes", "decision": "code", "requested_changes": "text",
        "closure_reason": "code",
    },
    "monitoring": {
        "contact_on": "date", "contact_made": "bool", "progress": "text", "replan_needed": "bool",
        "next_monitoring_on": "date",
    },
    "evaluation": {"goals_result": "code", "outcome": "code", "closure_reason": "code"},
    "service_record": {
        "service": "code", "started_on": "date", "status": "code", "ended_on": "date", "outcome": "text",
    },
    "pa_handoff": {
        "consent_to_share": "bool", "handed_over_at": "datetime", "application_received": "bool", "note": "text",
    },
    "closure": {"closed_on": "date", "closure_reason": "code"},
    "progress_note": {"recorded_on": "date", "kind": "code", "content": "text"},
}

# contract code fields and the exact codes they offer
CONTRACT_CHOICES = {
    ("referral_slip", "from_section"): list(codes.SECTIONS),
    ("referral_slip", "consent_scopes"): ["identity", "reason", "arrears_detail", "reply"],
    ("referral_slip", "arrears_kind"): list(codes.SECTIONS),
    ("intake", "method"): ["visit", "phone", "home_visit", "email"],
    ("intake", "route"): list(codes.ROUTES),
    ("intake", "route_section"): list(codes.SECTIONS),
    ("intake", "urgency"): ["high", "medium", "low"],
    ("intake", "screening_result"): ["continue_support", "refer_other", "info_only", "public_assistance"],
    ("assessment", "suicide_risk"): ["none", "low", "medium", "high"],
    ("plan", "statutory_services"): [
        "housing_benefit", "work_readiness", "household_budget", "temporary_shelter",
        "certified_work_training", "child_learning",
    ],
    # role codes of the people who can sit at a meeting (system roles are no attendees)
    ("coordination_meeting", "attendees"): ["person", *(
        r for r in codes.ROLES if r not in ("process_owner", "auditor", "stats_viewer", "admin"))],
    ("coordination_meeting", "decision"): ["approve", "revise", "close", "continue"],
    ("evaluation", "goals_result"): ["achieved", "partly", "not_achieved", "not_assessable"],
    ("evaluation", "outcome"): ["close", "replan"],
    ("evaluation", "closure_reason"): list(codes.CLOSURE_REASONS),
    ("service_record", "service"): list(codes.STATUTORY_SERVICES),
    ("service_record", "status"): ["ongoing", "completed", "discontinued"],
    ("closure", "closure_reason"): [
        "goal_achieved", "referred_out", "public_assistance", "lost_contact", "moved", "person_request",
        "death", "info_only", "other",
    ],
    ("progress_note", "kind"): ["interview", "phone", "visit", "accompany", "meeting", "letter", "emergency_aid"],
}


@pytest.fixture(scope="module")
def defs():
    return load_form_definitions(FORMS_DIR)


def test_every_contract_form_is_defined(defs):
    # Forms beyond the contract are allowed (contact_attempt, suspension_decision: the non-response ladder).
    assert set(CONTRACT) <= set(defs)


@pytest.mark.parametrize("form_key", sorted(CONTRACT))
def test_contract_fields_have_contract_types(defs, form_key):
    definition = defs[form_key]
    assert definition.key == form_key
    assert definition.version == 1
    for name, ftype in CONTRACT[form_key].items():
        assert definition.has_field(name), f"{form_key}.{name} missing"
        assert definition.field(name).contract_type == ftype, f"{form_key}.{name}"


@pytest.mark.parametrize(("form_key", "name"), sorted(CONTRACT_CHOICES))
def test_contract_code_fields_offer_the_contract_codes(defs, form_key, name):
    assert list(defs[form_key].field(name).options) == CONTRACT_CHOICES[(form_key, name)]


def test_extra_required_fields_have_defaults(defs):
    for key, definition in defs.items():
        if key not in CONTRACT:  # the rule binds the contract's forms only
            continue
        for f in definition.fields:
            if f.name in CONTRACT[key]:
                continue
            assert not (f.required or f.required_if) or f.default is not None, f"{key}.{f.name}"


def test_labels_exist_in_both_languages(defs):
    for definition in defs.values():
        assert definition.title("ja") and definition.title("en")
        for section in definition.sections:
            assert section.title("ja") and section.title("en")
        for f in definition.fields:
            assert f.label("ja") and f.label("en"), f.name
            for code, labels in (f.options or {}).items():
                assert labels["ja"] and labels["en"], code


def test_specific_field_details(defs):
    assert defs["intake"].field("person_kana").type == "kana"
    assert defs["assessment"].field("monthly_income").unit == "yen"
    assert defs["referral_slip"].field("arrears_amount").unit == "yen"
    assert defs["assessment"].field("tax_arrears").source == "tax"
    assert defs["assessment"].field("suicide_risk").sensitivity == "special_care"
    assert defs["plan"].field("signed_by_person").required is True
    assert defs["plan"].field("overall_goal").multiline is True
    route_section = defs["intake"].field("route_section")
    assert route_section.required_if.to_dict() == {"field": "route", "equals": "city_section"}


@pytest.mark.parametrize("form_key", sorted(CONTRACT))
def test_round_trip_to_dict_from_dict(defs, form_key):
    definition = defs[form_key]
    dumped = json.loads(json.dumps(definition.to_dict(), ensure_ascii=False))
    again = FormDefinition.from_dict(dumped)
    assert again == definition
    assert again.to_dict() == definition.to_dict()
    assert again.content_hash == definition.content_hash


def test_content_hash_changes_with_content(defs):
    data = defs["closure"].to_dict()
    data["sections"][0]["fields"][0]["label"]["ja"] = "終結した日"
    changed = FormDefinition.from_dict(data)
    assert len(changed.content_hash) == 64
    assert changed.content_hash != defs["closure"].content_hash


def test_stored_options_survive_code_list_changes(defs, monkeypatch):
    stored = defs["evaluation"].to_dict()
    monkeypatch.setitem(codes.CODE_LISTS, "GOALS_RESULTS", {"achieved": {"ja": "達成", "en": "Achieved"}})
    again = FormDefinition.from_dict(stored)
    assert list(again.field("goals_result").options) == ["achieved", "partly", "not_achieved", "not_assessable"]


def test_describe_fields(defs):
    described = {d["name"]: d for d in describe_fields(defs["intake"])}
    assert described["person_kana"] == {
        "name": "person_kana", "type": "text", "required": True, "label": "フリガナ"}
    assert described["route_section"]["required"] is False
    assert described["method"]["choices"][0] == {"code": "visit", "label": "来所"}
    english = {d["name"]: d for d in describe_fields(defs["intake"], locale="en")}
    assert english["method"]["choices"][0] == {"code": "visit", "label": "Visit"}
    assert set(described["applied"]) == {"name", "type", "required", "label"}


def test_requirement_note(defs):
    intake = defs["intake"]
    assert intake.requirement_note(intake.field("route_section")) == "相談経路が「庁内関係課」の場合は必須です"
    record = defs["service_record"]
    assert record.requirement_note(record.field("ended_on"), "en") == 'Required unless Status is "Ongoing"'
    assert intake.requirement_note(intake.field("route")) == ""


def test_code_lists():
    assert len(codes.WARDS) == 18
    assert codes.label("ROUTES", "city_section") == "庁内関係課"
    assert codes.label(codes.ROLES, "lead_worker", "en") == "Lead support worker"
    assert codes.label("ROLES", "unknown_code") == "unknown_code"
    for name, code_list in codes.CODE_LISTS.items():
        assert code_list, name
        for code, labels in code_list.items():
            assert set(labels) == {"ja", "en"}, (name, code)
    assert list(codes.ATTENDEES)[0] == "person"
    assert set(codes.ATTENDEES) - {"person"} < set(codes.ROLES)
    assert not set(codes.ATTENDEES) & {"process_owner", "auditor", "stats_viewer", "admin"}


# --- bad definitions ---------------------------------------------------------------------------

def _minimal(**field_overrides) -> dict:
    field = {"name": "when", "type": "date", "label": {"ja": "日付", "en": "Date"}, **field_overrides}
    return {
        "key": "sample", "version": 1, "title": {"ja": "見本", "en": "Sample"},
        "sections": [{"name": "main", "title": {"ja": "本体", "en": "Main"}, "fields": [
            field,
            {"name": "kind", "type": "code", "label": {"ja": "種別", "en": "Kind"}, "choices": "SERVICE_STATUSES"},
        ]}],
    }


def test_minimal_definition_is_valid():
    assert FormDefinition.from_dict(_minimal()).field("when").type == "date"


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"type": "number"}, "unknown type 'number'"),
    ({"type": "code", "choices": "NO_SUCH_LIST"}, "unknown choices list 'NO_SUCH_LIST'"),
    ({"required_if": {"field": "ghost", "equals": "x"}}, "missing field 'ghost'"),
    ({"required_if": {"field": "kind", "equals": "paused"}}, "'paused' is not a choice of 'kind'"),
    ({"requird": True}, "unknown keys ['requird']"),
    ({"not_before": "ghost"}, "'not_before' names a missing field 'ghost'"),
    ({"not_before": "kind"}, "is not a date"),
    ({"min": "yesterday"}, "ISO date or \"today\""),
    ({"unit": "yen"}, "'unit'"),
    ({"label": {"ja": "日付"}}, "label must be a table with 'ja' and 'en'"),
    ({"name": "data"}, "reserved"),
    ({"sensitivity": "secret"}, "unknown sensitivity"),
    ({"type": "int", "default": "abc"}, "'default' is not valid"),
    ({"type": "text", "pattern": "("}, "does not compile"),
    ({"required": True, "required_if": {"field": "kind", "equals": "ongoing"}}, "either 'required'"),
])
def test_bad_field_raises_with_field_name(overrides, expected):
    with pytest.raises(FormDefinitionError) as excinfo:
        FormDefinition.from_dict(_minimal(**overrides), source="sample.toml")
    text = str(excinfo.value)
    assert text.startswith("sample.toml")
    assert expected in text


def test_duplicate_field_and_bad_rule():
    data = _minimal(name="kind", type="text")
    with pytest.raises(FormDefinitionError, match="'kind' is defined twice"):
        FormDefinition.from_dict(data)
    data = _minimal()
    data["rules"] = [{"field": "ghost", "check": "not_empty", "message": {"ja": "x", "en": "x"}}]
    with pytest.raises(FormDefinitionError, match="rule 1: rule names a missing field 'ghost'"):
        FormDefinition.from_dict(data)


def test_loader_names_the_file_and_field(tmp_path):
    (tmp_path / "broken.toml").write_text(
        'version = 1\ntitle = { ja = "壊れ", en = "Broken" }\n'
        '[[sections]]\nname = "main"\ntitle = { ja = "本体", en = "Main" }\n'
        '[[sections.fields]]\nname = "amount"\ntype = "money"\nlabel = { ja = "金額", en = "Amount" }\n',
        encoding="utf-8")
    with pytest.raises(FormDefinitionError) as excinfo:
        load_form_definitions(tmp_path)
    assert "broken.toml" in str(excinfo.value)
    assert "field 'amount'" in str(excinfo.value)
    assert "unknown type 'money'" in str(excinfo.value)


def test_loader_rejects_key_mismatch_and_bad_toml(tmp_path):
    (tmp_path / "one.toml").write_text('key = "two"\n', encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="differs from the file name"):
        load_form_definitions(tmp_path)
    (tmp_path / "one.toml").write_text("key = = 1\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="one.toml: cannot read TOML"):
        load_form_definitions(tmp_path)
