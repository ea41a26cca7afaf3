"""A caseworker in a real browser: worklist → new walk-in → intake with errors → fixed → case page.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against the app served by
werkzeug in a background thread, with CSRF protection on (real forms, real tokens).
Screenshots land in test-output/browser/ at the repository root.
"""

from __future__ import annotations

import re

import pytest

from .browser_support import (  # noqa: F401  (re-exported for other browser test modules)
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT_DIR,
    PASSWORD,
    chromium_page,
    live_app_with,
    serve,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def live_app(database_url):
    with live_app_with(database_url, [("cw", ["caseworker"], "naka", "中区 ケースワーカー")]) as app:
        yield app


@pytest.fixture
def base_url(live_app):
    with serve(live_app) as url:
        yield url


@pytest.fixture
def page(base_url):
    with chromium_page(base_url) as page:
        yield page


def test_caseworker_opens_a_case_and_completes_intake_after_fixing_errors(page, base_url):
    from playwright.sync_api import expect

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)

    # Log in (the login form carries a real CSRF token).
    page.goto("/login")
    page.get_by_label("ユーザー名").fill("cw")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    # The worklist, in Japanese, grouped by due date.
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1, name="タスク一覧")).to_be_visible()
    for group in ("期限超過", "今日", "今週", "来週以降"):
        expect(page.get_by_role("heading", level=2, name=re.compile(rf"^{group}\s+\d+$"))).to_be_visible()

    # A walk-in: 新規相談 → open the case (ward preselected) → the intake task.
    page.get_by_role("link", name="新規相談").click()
    expect(page.get_by_role("heading", level=1, name="新規相談（来所）")).to_be_visible()
    expect(page.get_by_label("区", exact=True)).to_have_value("naka")
    page.get_by_role("button", name="相談ケースを開く").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    task_url = page.url
    expect(page.get_by_role("heading", level=1, name="相談受付・申込票")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="相談ケースを開きました")).to_be_visible()

    def field(name: str):
        return page.locator(f'[name="{name}"]')

    def choice(name: str, value: str):
        return page.locator(f'input[name="{name}"][value="{value}"]')

    def fill_date(name: str, year: str, month: str, day: str):
        field(f"{name}-year").fill(year)
        field(f"{name}-month").fill(month)
        field(f"{name}-day").fill(day)

    # Round 1: everything but 氏名, and フリガナ in Latin letters.
    fill_date("received_on", "2026", "11", "26")
    choice("method", "visit").check()
    field("route").select_option("self")
    field("person_name").fill("")
    field("person_kana").fill("Yokohama Hanako")
    fill_date("birth_date", "1978", "6", "15")
    field("address").fill("横浜市中区港町1-1")
    choice("worries", "income").check()
    choice("worries", "job_search").check()
    choice("urgency", "medium").check()
    choice("screening_result", "continue_support").check()
    field("applied").check()
    choice("consent_scopes", "support_agencies").check()
    page.get_by_role("button", name="完了する").click()

    # The error summary on top: an alert that names each problem and links to its field.
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("入力内容に2件のエラーがあります")
    expect(summary.get_by_role("link")).to_have_count(2)
    name_link = summary.get_by_role("link", name="氏名を入力してください")
    kana_link = summary.get_by_role("link", name=re.compile(r"^フリガナはカタカナで入力してください"))
    expect(name_link).to_have_attribute("href", "#person_name")
    expect(kana_link).to_have_attribute("href", "#person_kana")
    summary_box, first_field_box = summary.bounding_box(), page.locator(".task-form .field").first.bounding_box()
    assert summary_box and first_field_box and summary_box["y"] < first_field_box["y"], "summary must be on top"

    # Field-level errors next to the fields, tied to them for screen readers.
    expect(page.locator("#person_name-error")).to_have_text("氏名を入力してください")
    expect(page.locator("#person_kana-error")).to_contain_text("フリガナはカタカナで入力してください")
    expect(field("person_name")).to_have_attribute("aria-invalid", "true")
    expect(field("person_kana")).to_have_attribute("aria-invalid", "true")
    expect(field("person_kana")).to_have_attribute("aria-describedby", re.compile(r"\bperson_kana-error\b"))
    expect(page.locator(".field-error")).to_have_count(2)

    # What was typed is kept.
    expect(field("person_kana")).to_have_value("Yokohama Hanako")
    expect(field("received_on-year")).to_have_value("2026")
    expect(field("birth_date-year")).to_have_value("1978")
    expect(field("birth_date-month")).to_have_value("6")
    expect(field("birth_date-day")).to_have_value("15")
    expect(field("route")).to_have_value("self")
    expect(field("address")).to_have_value("横浜市中区港町1-1")
    for name, value in (("method", "visit"), ("worries", "income"), ("worries", "job_search"),
                        ("urgency", "medium"), ("screening_result", "continue_support"),
                        ("consent_scopes", "support_agencies")):
        expect(choice(name, value)).to_be_checked()
    expect(choice("worries", "debt")).not_to_be_checked()
    expect(field("applied")).to_be_checked()
    page.screenshot(path=str(OUTPUT_DIR / "intake_errors.png"), full_page=True)

    # The summary link takes the caseworker to the field.
    kana_link.click()
    expect(page).to_have_url(f"{task_url}#person_kana")

    # Round 2: fix both; フリガナ in ひらがな is converted to カタカナ.
    field("person_name").fill("横浜 花子")
    field("person_kana").fill("よこはま　はなこ")
    page.get_by_role("button", name="完了する").click()

    # (A browser keeps the #person_kana fragment across the redirect, since the form posts to the
    # task page's own URL; it points nowhere on the case page and is harmless.)
    expect(page).to_have_url(re.compile(r"/cases/\d+(#[\w-]*)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("相談ケース #")
    expect(page.locator("h1 .state")).to_have_text("アセスメント")
    expect(page.get_by_role("status").filter(has_text="を完了しました")).to_be_visible()
    expect(page.locator("dl.summary")).to_contain_text("横浜 花子（ヨコハマ ハナコ）")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.screenshot(path=str(OUTPUT_DIR / "case_page.png"), full_page=True)
