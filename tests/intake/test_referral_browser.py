"""A referrer in a real browser: 連絡票 with errors → fixed → sent → only 未来所 is shown back."""

from __future__ import annotations

import re

import pytest

from ..browser_support import BROWSER_MARKS, OUTPUT_DIR, PASSWORD, live_app_with
from ..test_browser import base_url, page  # noqa: F401  (fixtures)

pytestmark = BROWSER_MARKS


@pytest.fixture
def live_app(database_url):
    """CSRF on, fresh schema, the process deployed, a city-bureau referrer (no ward)."""
    with live_app_with(database_url, [("water_clerk", ["referrer"], None, "水道局 佐藤")]) as app:
        yield app


def test_referrer_sends_a_slip_and_sees_only_the_reply(page, base_url):  # noqa: F811
    from playwright.sync_api import expect

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.goto("/login")
    page.get_by_label("ユーザー名").fill("water_clerk")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("link", name="連絡票", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="送った連絡票")).to_be_visible()
    page.get_by_role("link", name="連絡票を書く").click()
    expect(page.get_by_role("heading", level=1, name="連絡票")).to_be_visible()

    def field(name: str):
        return page.locator(f'[name="{name}"]')

    def choice(name: str, value: str):
        return page.locator(f'input[name="{name}"][value="{value}"]')

    field("ward").select_option("naka")
    field("slip_date-year").fill("2026")
    field("slip_date-month").fill("11")
    field("slip_date-day").fill("26")
    field("from_section").select_option("water")
    field("from_staff").fill("水道局 佐藤")
    field("consent_to_refer").check()
    for scope in ("identity", "reason", "arrears_detail", "reply"):
        choice("consent_scopes", scope).check()
    field("person_name").fill("港 三郎")
    field("person_kana").fill("港サブロウ")  # kanji in a kana field
    field("arrears_kind").select_option("water")
    field("arrears_amount").fill("-3000")
    page.get_by_role("button", name="送信する").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(page.locator("#person_kana-error")).to_contain_text("カタカナ")
    expect(page.locator("#arrears_amount-error")).to_be_visible()
    page.screenshot(path=str(OUTPUT_DIR / "referral_errors.png"), full_page=True)

    field("person_kana").fill("みなと さぶろう")
    field("arrears_amount").fill("18000")
    page.get_by_role("button", name="送信する").click()  # still no phone or address
    expect(page.locator("#phone-error")).to_contain_text("電話番号か住所")
    field("phone").fill("045-222-3333")
    page.get_by_role("button", name="送信する").click()

    expect(page).to_have_url(re.compile(r"/referrals/$"))
    expect(page.get_by_role("status").filter(has_text="送信しました")).to_be_visible()
    row = page.locator("table.referrals tbody tr").first
    expect(row).to_contain_text("未来所")
    expect(page.locator("main")).not_to_contain_text("港 三郎")
    page.screenshot(path=str(OUTPUT_DIR / "referrals_sent.png"), full_page=True)
