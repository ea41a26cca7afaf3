"""build_form_class: dynamic FlaskForm classes that share the rules of validate_data, and the macros."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from app.forms import build_form_class, load_form_definitions, validate_data

ROOT = Path(__file__).resolve().parents[2]
PAGE = ('{% import "forms/_macros.html" as fm %}'
        "{{ fm.render_error_summary(form, definition, locale) }}{{ fm.render_form_fields(form, definition, locale) }}")


@pytest.fixture(scope="module")
def defs():
    return load_form_definitions(ROOT / "forms")


def make_app(csrf: bool = False) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "app" / "templates"))
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=csrf, TESTING=True)
    return app


@pytest.fixture
def app():
    return make_app()


def post(app, definition, pairs, locale="ja"):
    """Build and validate the form from posted pairs; returns (form, ok, html)."""
    with app.test_request_context(method="POST", data=MultiDict(pairs)):
        form = build_form_class(definition, locale=locale)()
        ok = form.validate()
        html = render_template_string(PAGE, form=form, definition=definition, locale=locale)
        return form, ok, html


INTAKE_POST = [
    ("received_on-year", "2026"), ("received_on-month", "11"), ("received_on-day", "26"),
    ("method", "visit"), ("route", "city_section"), ("route_section", "tax"), ("via_slip", "y"),
    ("person_name", "横浜 花子"), ("person_kana", "よこはま ﾊﾅｺ"),
    ("birth_date-year", "S53"), ("birth_date-month", "6"), ("birth_date-day", "15"),
    ("address", "横浜市中区港町1-1"), ("worries", "income"), ("worries", "debt"), ("urgency", "high"),
    ("screening_result", "continue_support"), ("applied", "y"), ("consent_scopes", "support_agencies"),
    ("csrf_token", "ignored"), ("submit_task", "1"),
]


def test_one_flaskform_class_per_definition_content_and_locale(defs):
    first = build_form_class(defs["intake"])
    assert build_form_class(defs["intake"]) is first  # built once, not on every request
    assert issubclass(first, FlaskForm)
    assert first.__name__ == "IntakeV1Form"
    assert first.definition == defs["intake"]  # the same content (another test may have built it first)
    english = build_form_class(defs["intake"], locale="en")
    assert english is not first and english.locale == "en"
    changed = defs["intake"].to_dict()
    changed["title"] = {**changed["title"], "ja": "相談受付（改）"}
    assert build_form_class(type(defs["intake"]).from_dict(changed)) is not first  # other content, other class


def test_csrf_is_on_by_default(defs):
    app = make_app(csrf=True)
    form, ok, html = post(app, defs["closure"], [("closed_on", "2026-11-26"), ("closure_reason", "moved")])
    assert not ok
    assert form.errors_by_field() == {"csrf_token": ["画面の有効期限が切れました。もう一度送信してください"]}
    assert 'role="alert"' in html


def test_valid_post_gives_the_same_clean_data_as_validate_data(app, defs):
    form, ok, _html = post(app, defs["intake"], INTAKE_POST)
    assert ok, form.errors_by_field()
    clean = form.clean_data()
    assert clean["received_on"] == "2026-11-26"
    assert clean["birth_date"] == "1978-06-15"
    assert clean["person_kana"] == "ヨコハマ ハナコ"
    assert clean["worries"] == ["income", "debt"]
    assert clean["via_slip"] is True and clean["no_fixed_address"] is False
    api = validate_data(defs["intake"], clean)
    assert api.ok and api.clean == clean


def test_single_iso_date_value_is_accepted(app, defs):
    form, ok, _ = post(app, defs["closure"], [("closed_on", "2026-11-26"), ("closure_reason", "moved")])
    assert ok, form.errors_by_field()
    assert form.clean_data() == {
        "closed_on": "2026-11-26", "closure_reason": "moved", "closure_detail": None, "follow_up_on": None}


def test_yen_input(app, defs):
    pairs = [("household_size", "2"), ("monthly_income", "１２０，０００"), ("rent", "52000円"),
             ("suicide_risk", "none"), ("issues", "hardship"), ("summary", "見立て")]
    form, ok, _ = post(app, defs["assessment"], pairs)
    assert ok, form.errors_by_field()
    assert form.clean_data()["monthly_income"] == 120000
    assert form.clean_data()["rent"] == 52000


def test_errors_match_validate_data(app, defs):
    pairs = [("held_on", "2026-12-01"), ("attendees", "caseworker"), ("decision", "revise")]
    form, ok, _ = post(app, defs["coordination_meeting"], pairs)
    assert not ok
    api = validate_data(defs["coordination_meeting"],
                        {"held_on": "2026-12-01", "attendees": ["caseworker"], "decision": "revise"})
    assert form.errors_by_field() == api.errors
    assert set(api.errors) == {"attendees", "requested_changes"}
    with pytest.raises(RuntimeError):
        form.clean_data()


def test_clean_data_needs_validate(app, defs):
    with app.test_request_context(method="POST", data={"closed_on": "2026-11-26"}):
        form = build_form_class(defs["closure"])()
        with pytest.raises(RuntimeError):
            form.clean_data()


def test_unchecked_required_bool_and_english_messages(app, defs):
    pairs = [("overall_goal", "goal"), ("plan_from", "2026-12-01"), ("plan_to", "2027-05-31"),
             ("next_monitoring_on", "2027-01-05")]
    form, ok, html = post(app, defs["plan"], pairs, locale="en")
    assert not ok
    assert list(form.errors_by_field()) == ["signed_by_person"]
    assert form.errors_by_field()["signed_by_person"][0].endswith("must be checked")
    assert "Required" in html and "Optional" in html and "※必須" not in html


def test_rerender_keeps_submitted_values_and_links_errors(app, defs):
    pairs = [p for p in INTAKE_POST if p[0] not in ("applied", "person_name")]
    pairs += [("birth_date-day", "")]  # ignored: the first value wins
    pairs = [p if p[0] != "person_kana" else ("person_kana", "やまだ 山") for p in pairs]
    form, ok, html = post(app, defs["intake"], pairs)
    assert not ok
    assert set(form.errors_by_field()) == {"person_name", "person_kana", "applied"}
    # error summary: alert, focusable, links to the inputs
    assert 'class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus' in html
    assert '<a href="#person_name">氏名を入力してください</a>' in html
    assert "入力内容に3件のエラーがあります" in html
    assert '<a href="#applied">継続支援には本人の申込（申込済み）が必要です</a>' in html
    # values typed are shown again, as typed
    assert 'name="person_kana" value="やまだ 山"' in html
    assert 'name="birth_date-year" value="S53"' in html
    assert "（昭和53年）" in html
    assert '<option value="tax" selected>' in html
    assert 'name="worries" value="income" checked' in html
    assert 'name="worries" value="care">' in html
    assert 'id="via_slip" name="via_slip" value="y" checked' in html
    assert 'id="method-0" name="method" value="visit" checked' in html  # 4 choices: radios
    # anatomy: badge, error text next to the field, aria links
    assert '<span class="badge required">※必須</span>' in html
    assert '<span class="badge optional">※任意</span>' in html
    assert 'aria-describedby="person_name-error" aria-invalid="true"' in html
    assert '<div class="field-error" id="person_name-error">' in html


def test_yen_shown_with_separators_and_prefill(app, defs):
    with app.test_request_context():
        definition = defs["assessment"]
        form = build_form_class(definition)(data={"monthly_income": 120000, "issues": ["hardship"]})
        html = render_template_string(PAGE, form=form, definition=definition, locale="ja")
    assert 'name="monthly_income" value="120,000"' in html
    assert '<span class="unit">円</span>' in html
    assert 'name="issues" value="hardship" checked' in html
    assert "error-summary" not in html
    with app.test_request_context():
        definition = defs["plan"]
        form = build_form_class(definition)(data={"plan_from": "2026-12-01"})
        html = render_template_string(PAGE, form=form, definition=definition, locale="ja")
    assert 'name="plan_from-year" value="2026"' in html
    assert "（令和8年）" in html
    assert "<textarea" in html


def test_conditional_badge_and_note(app, defs):
    _form, _ok, html = post(app, defs["intake"], INTAKE_POST)
    assert '<span class="badge conditional">※条件付き必須</span>' in html
    assert "相談経路が「庁内関係課」の場合は必須です" in html


def test_datetime_field_renders_japan_time(app, defs):
    with app.test_request_context():
        definition = defs["pa_handoff"]
        form = build_form_class(definition)(data={"handed_over_at": "2026-12-01T01:00:00+00:00"})
        html = render_template_string(PAGE, form=form, definition=definition, locale="ja")
    for part, value in (("year", "2026"), ("month", "12"), ("day", "1"), ("hour", "10"), ("minute", "00")):
        assert f'id="handed_over_at-{part}" name="handed_over_at-{part}" value="{value}"' in html
    assert "datetime-local" not in html


def test_datetime_parts_post_as_japan_time(app, defs):
    posted = {"consent_to_share": "y", "handed_over_at-year": "令和8", "handed_over_at-month": "12",
              "handed_over_at-day": "1", "handed_over_at-hour": "9", "handed_over_at-minute": "5"}
    with app.test_request_context(method="POST", data=posted):
        from flask import request

        form = build_form_class(defs["pa_handoff"])(formdata=request.form)
        assert form.validate(), form.errors_by_field()
        assert form.clean_data()["handed_over_at"] == "2026-12-01T09:05:00+09:00"
    with app.test_request_context(method="POST", data={**posted, "handed_over_at-hour": "25"}):
        from flask import request

        form = build_form_class(defs["pa_handoff"])(formdata=request.form)
        assert not form.validate()
        assert "10時30分" in form.errors_by_field()["handed_over_at"][0]
