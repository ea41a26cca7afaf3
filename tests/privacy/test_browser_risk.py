"""In a real browser: a caseworker flags a high suicide risk on the case page, the response tasks
appear at once, and the employment navigator's view of the same case shows none of it."""

from __future__ import annotations

import re

import pytest

from app.extensions import db

from ..browser_support import BROWSER_MARKS, OUTPUT_DIR, PASSWORD, live_app_with
from ..test_browser import base_url, page  # noqa: F401  (fixtures)

pytestmark = BROWSER_MARKS

USERS = [
    ("cw", ["caseworker"], "naka", "中区 ケースワーカー"),
    ("navi", ["employment_navigator"], "naka", "中区 就労支援員"),
]


@pytest.fixture
def live_app(database_url):
    """CSRF on (as for every browser test); the case is opened and taken in over HTTP beforehand."""
    with live_app_with(database_url, USERS) as app:
        from tests.helpers import complete, walk_in

        app.config["WTF_CSRF_ENABLED"] = False  # only while the test client sets the case up
        with app.app_context():
            client = app.test_client()
            assert client.post("/login", data={"username": "cw", "password": PASSWORD}).status_code == 302
            case_id = walk_in(client)
            complete(client, case_id, "intake", new_person=True)
            db.session.remove()
        app.config["WTF_CSRF_ENABLED"] = True
        app.config["CASE_ID"] = case_id
        yield app


def _login(tab, username):
    tab.goto("/login")
    tab.get_by_label("ユーザー名").fill(username)
    tab.get_by_label("パスワード").fill(PASSWORD)
    tab.get_by_role("button", name="ログイン").click()
    return tab


def test_caseworker_flags_high_risk_and_the_navigator_sees_nothing_of_it(live_app, base_url, page):  # noqa: F811
    from playwright.sync_api import expect

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    case_id = live_app.config["CASE_ID"]
    _login(page, "cw")
    page.goto(f"/cases/{case_id}")
    page.get_by_role("link", name="自死リスクを記録").click()
    page.locator('input[name="level"][value="high"]').check()
    page.locator('input[name="indicators"][value="ideation"]').check()
    for part, value in (("year", "2026"), ("month", "11"), ("day", "26"), ("hour", "9"), ("minute", "30")):
        page.locator(f'input[name="observed_at-{part}"]').fill(value)  # 年/月/日 時:分, like every date
    page.locator('textarea[name="note"]').fill("面談中に死にたいと話した")
    page.get_by_role("button", name="記録する").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    risk = page.locator("section.risk")
    expect(risk.get_by_role("heading", level=2)).to_contain_text("自死リスク")
    expect(risk).to_contain_text("高")
    expect(risk).to_contain_text("死にたい気持ちの表明")
    expect(risk).to_contain_text("未確認")
    tasks = page.locator("ul.tasks")
    for name in ("自死リスク（高）の確認", "精神保健福祉担当へのつなぎ", "自死リスク（高）後の連絡"):
        expect(tasks).to_contain_text(name)
    page.screenshot(path=str(OUTPUT_DIR / "risk_flag_case_page.png"), full_page=True)

    page.get_by_role("link", name="ケース検索").click()
    page.get_by_label("氏名・フリガナ・ケース番号").fill("よこはま")
    page.get_by_role("button", name="検索").click()
    expect(page.locator("table.search-results")).to_contain_text("自死リスク 高")

    # The navigator holds no task on this case: the case does not exist for them, and nothing leaks.
    # A browser context of its own (no cookies shared with the caseworker's), set up as chromium_page's.
    navi_context = page.context.browser.new_context(base_url=base_url, locale="ja-JP", viewport=page.viewport_size)
    navi_context.set_default_timeout(15_000)
    navi = _login(navi_context.new_page(), "navi")
    expect(navi.get_by_role("button", name="ログアウト")).to_be_visible()  # signed in, not back at the login form
    response = navi.goto(f"/cases/{case_id}")
    assert response.status == 404  # exactly like a case that does not exist
    expect(navi.get_by_role("button", name="ログアウト")).to_be_visible()
    expect(navi.locator("body")).not_to_contain_text("自死")
    expect(navi.get_by_role("link", name="ケース検索")).to_have_count(0)
